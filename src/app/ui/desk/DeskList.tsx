/**
 * The desk's list of every report on this coordinator's device: filters, a search that reads Arabic
 * the way people type it, and a virtualised list that stays smooth at 100,000 reports.
 *
 * Filters and the query are shared with the map and held in memory only (use-desk-filter.ts): never
 * in the address bar, history or storage, since a search for a place or a name is itself sensitive.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { receiptRanks, type DeskReports } from '../../desk/desk-reports.ts';
import { useDeskReports } from '../../desk/live-desk-reports.ts';
import { deviceName, useDeviceLabels, type DeviceLabels } from '../../desk/device-labels.ts';
import {
  SORTS,
  SearchCache,
  UNKNOWN_DEVICE,
  filterReports,
  indexDeskReports,
  isNoFilter,
  sortReports,
  type DeskSort,
  type IndexedReport,
} from '../../desk/filter.ts';
import { useGazetteer, useTr, useWatermark, useWriter } from '../context.ts';
import { adminPath, formatEventDate } from '../format.ts';
import { UnreadableItem } from '../UnreadableItem.tsx';
import { DeskFilters } from './DeskFilters.tsx';
import { DeskNav } from './DeskNav.tsx';
import { useDeskFilter } from './use-desk-filter.ts';
import { VirtualList } from './VirtualList.tsx';
import './desk-list.css';
import { href } from '../../router.ts';

/** Matches desk-list.css: one line per row from this width, stacked lines below it. */
const WIDE = '(min-width: 60rem)';
const ROW_REM = { wide: 3, narrow: 6 };
/** As much of a narrative as a row shows; the report's own screen shows it whole. */
const NOTES_SHOWN = 160;

/** Row height in pixels, following the screen width and the reader's font size. */
function useRowHeight(): number {
  const read = () => {
    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    return Math.round(rem * (matchMedia(WIDE).matches ? ROW_REM.wide : ROW_REM.narrow));
  };
  const [height, setHeight] = useState(read);
  useEffect(() => {
    const query = matchMedia(WIDE);
    const update = () => setHeight(read());
    query.addEventListener('change', update);
    return () => query.removeEventListener('change', update);
  }, []);
  return height;
}

function Row({ r, tabIndex, labels }: { r: IndexedReport; tabIndex: 0 | -1; labels: DeviceLabels }) {
  const tr = useTr();
  const { view, unsynced } = r.report;
  const v = view.values;
  const area = adminPath(v.admin, tr.lang);
  const name = v.placeName ?? area;
  const date = v.eventDate ? formatEventDate(tr, v.eventDate) : tr.t('desk.row.noDate');
  const device = r.device === UNKNOWN_DEVICE ? tr.t('desk.device.unknown') : deviceName(labels, r.device);
  const narrative = v.narrative?.trim() ?? '';
  const notes = narrative.length > NOTES_SHOWN ? `${narrative.slice(0, NOTES_SHOWN)}…` : narrative;
  return (
    <a href={href('view', { id: view.id })} class="desk-row" tabIndex={tabIndex}>
      <span class="desk-row-type">{tr.tk(`type.${view.type}`)}</span>
      <span class="desk-row-place">
        {/* bdi: a place name keeps its own direction (Arabic on an English screen) yet aligns with the rest. */}
        <span title={name || undefined}>{name ? <bdi>{name}</bdi> : tr.t('list.noPlace')}</span>
        {v.placeName && area && <span class="desk-row-area">{area}</span>}
      </span>
      <span class="desk-row-notes">{notes && <bdi>{notes}</bdi>}</span>
      <span class="desk-row-date">{date}</span>
      <span class={`desk-row-verification is-${r.verification}`}>{tr.tk(`code.verification.${r.verification}`)}</span>
      <span class="desk-row-device">
        {r.device !== UNKNOWN_DEVICE && <span class="visually-hidden">{tr.t('desk.filter.device')} </span>}
        {/* Its own direction, so a name or id too long for the column is cut at its end, never its start. */}
        <bdi dir="auto">{device}</bdi>
      </span>
      <span class="desk-row-badges">
        {r.conflict && <span class="badge conflict">{tr.t('list.conflict')}</span>}
        {r.noArea && <span class="badge">{tr.t('desk.noArea')}</span>}
        {unsynced && <span class="badge unsynced">{tr.t('list.unsynced')}</span>}
      </span>
    </a>
  );
}

export function DeskList() {
  const tr = useTr();
  const { writer } = useWriter();
  const { gazetteer } = useGazetteer();
  const watermark = useWatermark();
  // From the first page read: the newest reports show while the rest is read.
  const data = useDeskReports(writer.db, watermark, { partial: true });
  // One cache for the screen's life: an unchanged report keeps its index entry, and an edited
  // one's text is folded again only if it changed.
  const [cache] = useState(() => new SearchCache());
  const index = useMemo(() => (data ? indexDeskReports(data.reports, cache, gazetteer) : []), [data, cache, gazetteer]);
  const { form, set, clear, filter } = useDeskFilter();
  const rowHeight = useRowHeight();
  const labels = useDeviceLabels(writer.db);
  const filterKey = JSON.stringify(filter);
  const filtered = useMemo(() => filterReports(index, filter), [index, filter]);
  const [sort, setSort] = useState<DeskSort>('written');
  const byReceipt = sort === 'receivedNewest' || sort === 'receivedOldest';
  // Read when an order by it is first asked for, or once every report is held, when the page is
  // idle: the first order by arrival at the base need not wait seconds for it at 100,000 reports.
  // Read again only for reports read anew; until then the last reading orders the list, new reports last.
  const [ranks, setRanks] = useState<{ of: DeskReports; ranks: ReadonlyMap<string, number> }>();
  useEffect(() => {
    if (!data || ranks?.of === data || (!byReceipt && !data.complete)) return;
    let live = true;
    const read = () => void receiptRanks(writer.db, data.reports).then((got) => live && setRanks({ of: data, ranks: got }));
    const later = byReceipt ? undefined : whenIdle(read);
    if (!later) read();
    return () => {
      live = false;
      later?.();
    };
  }, [byReceipt, data, writer.db, ranks]);
  const received = byReceipt ? ranks?.ranks : undefined;
  const readingReceipts = byReceipt && !!data && ranks?.of !== data;
  const shown = useMemo(() => sortReports(filtered, sort, tr.lang, received, index), [filtered, sort, tr.lang, received, index]);

  const unreadable = data?.unreadable ?? [];

  return (
    <div class="desk-list">
      <DeskNav current="reports" />
      <h1>{tr.t('desk.list.title')}</h1>
      <DeskFilters form={form} set={set} index={index} />
      <div class="desk-results">
        {!data && <p>{tr.t('desk.loading')}</p>}
        {data && (
          <div class="desk-results-head">
            <p class="count" role="status">
              {tr.plural('desk.count', index.length, { shown: shown.length })}
            </p>
            <div class="desk-sort">
              <label for="desk-sort">{tr.t('desk.sort')}</label>
              <select id="desk-sort" value={sort} onChange={(e) => setSort(SORTS.find((s) => s === e.currentTarget.value) ?? 'written')}>
                {SORTS.map((s) => (
                  <option key={s} value={s}>
                    {tr.t(`desk.sort.${s}`)}
                  </option>
                ))}
              </select>
            </div>
            <button type="button" class="secondary" disabled={isNoFilter(form)} onClick={clear}>
              {tr.t('desk.filter.clear')}
            </button>
          </div>
        )}
        {data && !data.complete && (
          <p class="hint" aria-live="polite">
            {tr.t('desk.loading')}
          </p>
        )}
        {readingReceipts && (
          <p class="hint" aria-live="polite">
            {tr.t('desk.sort.loading')}
          </p>
        )}
        {data && shown.length > 0 && (
          // The columns' names, for the eye: a screen reader hears each row as one link, its values in this order.
          <div class="desk-head" aria-hidden="true">
            <span>{tr.t('desk.filter.type')}</span>
            <span>{tr.t('field.placeName')}</span>
            <span>{tr.t('section.notes')}</span>
            <span>{tr.t('field.eventDate')}</span>
            <span>{tr.t('desk.filter.verification')}</span>
            <span>{tr.t('desk.filter.device')}</span>
            <span />
          </div>
        )}
        {unreadable.length > 0 && (
          <details class="desk-unreadable">
            <summary>{tr.plural('desk.unreadable', unreadable.length)}</summary>
            <ul class="reports" aria-label={tr.t('desk.unreadable.label')}>
              {unreadable.map((id) => (
                <UnreadableItem key={id} id={id} />
              ))}
            </ul>
          </details>
        )}
        {data && index.length === 0 && <p class="empty">{tr.t('desk.list.empty')}</p>}
        {data && index.length > 0 && shown.length === 0 && <p class="empty">{tr.t('desk.list.noMatch')}</p>}
        <VirtualList
          class="desk-rows"
          items={shown}
          rowHeight={rowHeight}
          label={tr.t('desk.list.label')}
          keyOf={(r) => r.report.id}
          renderRow={(r, tabIndex) => <Row r={r} tabIndex={tabIndex} labels={labels} />}
          resetKey={`${filterKey}:${sort}`}
        />
      </div>
    </div>
  );
}

/** Runs `work` when the page is next idle (within a few seconds at most); gives what cancels it. */
function whenIdle(work: () => void): () => void {
  if (typeof requestIdleCallback === 'function') {
    const handle = requestIdleCallback(work, { timeout: IDLE_WAIT_MS });
    return () => cancelIdleCallback(handle);
  }
  const timer = setTimeout(work, IDLE_WAIT_MS);
  return () => clearTimeout(timer);
}
const IDLE_WAIT_MS = 5_000;
