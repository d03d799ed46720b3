/**
 * The desk's list of every report on this coordinator's device: filters, a search that reads Arabic
 * the way people type it, and a virtualised list that stays smooth at 100,000 reports.
 *
 * Filters and the query are this screen's state only: never in the address bar, history or storage,
 * since a search for a place or a name is itself sensitive.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { areaLabel } from '../../../domain/gazetteer.ts';
import { receivedTimes, useDeskReports } from '../../desk/desk-reports.ts';
import { deviceName, useDeviceLabels, type DeviceLabels } from '../../desk/device-labels.ts';
import {
  NO_FILTER,
  SORTS,
  SearchCache,
  UNKNOWN_DEVICE,
  areaChoices,
  deviceChoices,
  filterReports,
  indexDeskReports,
  isNoFilter,
  parseDateBound,
  sortReports,
  type DeskFilter,
  type DeskSort,
  type IndexedReport,
} from '../../desk/filter.ts';
import { REPORT_TYPES, VERIFICATION_STATUSES } from '../../../domain/report-codes.ts';
import { useGazetteer, useTr, useWatermark, useWriter } from '../context.ts';
import { adminPath, formatEventDate, isolate } from '../format.ts';
import { UnreadableItem } from '../UnreadableItem.tsx';
import { useAsync } from '../use-async.ts';
import { DeskNav } from './DeskNav.tsx';
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

/** The filters as typed: `from` and `to` are the text in their fields, a date only once it reads as one. */
type FormState = DeskFilter;

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

/** The event date bounds: one group, one hint, and the hint turns into the error while a bound cannot be read. */
function DateRange({ from, to, set }: { from: string; to: string; set: (patch: { from?: string; to?: string }) => void }) {
  const tr = useTr();
  const bounds = { from: parseDateBound(from), to: parseDateBound(to) };
  const allRead = bounds.from.ok && bounds.to.ok;
  const input = (name: 'from' | 'to', value: string) => (
    <div class="desk-filter">
      <label for={`desk-filter-${name}`}>{tr.t(name === 'from' ? 'desk.filter.from' : 'desk.filter.to')}</label>
      <input
        id={`desk-filter-${name}`}
        type="text"
        inputMode="numeric"
        autocomplete="off"
        value={value}
        aria-invalid={bounds[name].ok ? undefined : true}
        aria-describedby="desk-filter-date-hint"
        onInput={(e) => set({ [name]: e.currentTarget.value })}
      />
    </div>
  );
  return (
    <fieldset class="desk-dates">
      <legend>{tr.t('field.eventDate')}</legend>
      {input('from', from)}
      {input('to', to)}
      <p id="desk-filter-date-hint" class={allRead ? 'hint' : 'field-error'}>
        {tr.t(allRead ? 'desk.filter.dateHint' : 'desk.filter.dateInvalid')}
      </p>
    </fieldset>
  );
}

interface ChoiceProps {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  children: ComponentChildren;
  /** Spans the whole width of the filters: for choices with long labels. */
  wide?: boolean;
}

function Choice({ id, label, value, onChange, children, wide }: ChoiceProps) {
  return (
    <div class={wide ? 'desk-filter desk-wide' : 'desk-filter'}>
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {children}
      </select>
    </div>
  );
}

interface FiltersProps {
  form: FormState;
  set: (patch: Partial<FormState>) => void;
  index: readonly IndexedReport[];
  labels: DeviceLabels;
}

function Filters({ form, set, index, labels }: FiltersProps) {
  const tr = useTr();
  const lang = tr.lang;
  const adm1 = useMemo(() => areaChoices(index, 1, lang), [index, lang]);
  const adm2 = useMemo(() => areaChoices(index, 2, lang, form.adm1), [index, lang, form.adm1]);
  const devices = useMemo(() => deviceChoices(index), [index]);
  const choice = (name: string, count: number) => tr.t('desk.filter.choice', { name, count });
  return (
    <form role="search" aria-label={tr.t('desk.filters')} class="desk-filters" onSubmit={(e) => e.preventDefault()}>
      <div class="desk-filter desk-wide">
        <label for="desk-search">{tr.t('desk.search')}</label>
        <input
          id="desk-search"
          type="search"
          autocomplete="off"
          value={form.query}
          aria-describedby="desk-search-hint"
          onInput={(e) => set({ query: e.currentTarget.value })}
        />
        <p id="desk-search-hint" class="hint">
          {tr.t('desk.search.hint')}
        </p>
      </div>
      <Choice
        id="desk-filter-type"
        label={tr.t('desk.filter.type')}
        value={form.type}
        onChange={(v) => set({ type: REPORT_TYPES.find((t) => t === v) ?? '' })}
      >
        <option value="">{tr.t('desk.filter.anyType')}</option>
        {REPORT_TYPES.map((t) => (
          <option key={t} value={t}>
            {tr.t(`type.${t}`)}
          </option>
        ))}
      </Choice>
      <Choice
        id="desk-filter-verification"
        label={tr.t('desk.filter.verification')}
        value={form.verification}
        onChange={(v) => set({ verification: VERIFICATION_STATUSES.find((s) => s === v) ?? '' })}
      >
        <option value="">{tr.t('desk.filter.anyVerification')}</option>
        {VERIFICATION_STATUSES.map((s) => (
          <option key={s} value={s}>
            {tr.t(`code.verification.${s}`)}
          </option>
        ))}
      </Choice>
      <Choice wide id="desk-filter-adm1" label={tr.t('desk.filter.adm1')} value={form.adm1} onChange={(v) => set({ adm1: v, adm2: '' })}>
        <option value="">{tr.t('desk.filter.anyAdm1')}</option>
        {adm1.map((c) => (
          <option key={c.value} value={c.value}>
            {choice(areaLabel(c.area, lang), c.count)}
          </option>
        ))}
      </Choice>
      <Choice wide id="desk-filter-adm2" label={tr.t('desk.filter.adm2')} value={form.adm2} onChange={(v) => set({ adm2: v })}>
        <option value="">{tr.t('desk.filter.anyAdm2')}</option>
        {adm2.map((c) => (
          <option key={c.value} value={c.value}>
            {choice(areaLabel(c.area, lang), c.count)}
          </option>
        ))}
      </Choice>
      <DateRange from={form.from} to={form.to} set={set} />
      <Choice wide id="desk-filter-device" label={tr.t('desk.filter.device')} value={form.device} onChange={(device) => set({ device })}>
        <option value="">{tr.t('desk.filter.anyDevice')}</option>
        {devices.map((d) => (
          <option key={d.value} value={d.value}>
            {choice(d.value === UNKNOWN_DEVICE ? tr.t('desk.device.unknown') : isolate(deviceName(labels, d.value)), d.count)}
          </option>
        ))}
      </Choice>
      <label class="check desk-wide">
        <input type="checkbox" checked={form.conflict} onChange={(e) => set({ conflict: e.currentTarget.checked })} />
        {tr.t('desk.filter.conflict')}
      </label>
      <label class="check desk-wide">
        <input type="checkbox" checked={form.noArea} onChange={(e) => set({ noArea: e.currentTarget.checked })} />
        {tr.t('desk.filter.noArea')}
      </label>
    </form>
  );
}

export function DeskList() {
  const tr = useTr();
  const { writer } = useWriter();
  const { gazetteer } = useGazetteer();
  const watermark = useWatermark();
  const data = useDeskReports(writer.db, watermark);
  // One cache for the screen's life: each sync re-reads every report, and only changed texts are folded again.
  const [cache] = useState(() => new SearchCache());
  const index = useMemo(() => (data ? indexDeskReports(data.reports, cache, gazetteer) : []), [data, cache, gazetteer]);
  const [form, setForm] = useState<FormState>(NO_FILTER);
  const rowHeight = useRowHeight();
  const labels = useDeviceLabels(writer.db);

  // A date still being typed filters nothing until it reads as a date.
  const filter = useMemo<DeskFilter>(() => {
    const from = parseDateBound(form.from);
    const to = parseDateBound(form.to);
    return { ...form, from: from.ok ? from.value : '', to: to.ok ? to.value : '' };
  }, [form]);
  const filterKey = JSON.stringify(filter);
  const filtered = useMemo(() => filterReports(index, filter), [index, filter]);
  const [sort, setSort] = useState<DeskSort>('written');
  const byReceipt = sort === 'receivedNewest' || sort === 'receivedOldest';
  // Read only when an order by it is asked for: the list opens without it.
  const received = useAsync(
    async () => (byReceipt && data ? receivedTimes(writer.db, data.reports) : undefined),
    [byReceipt, data, writer.db],
  );
  const shown = useMemo(() => sortReports(filtered, sort, tr.lang, received.value), [filtered, sort, tr.lang, received.value]);

  const set = (patch: Partial<FormState>) => setForm((f) => ({ ...f, ...patch }));
  const unreadable = data?.unreadable ?? [];

  return (
    <div class="desk-list">
      <DeskNav current="reports" />
      <h1>{tr.t('desk.list.title')}</h1>
      <Filters form={form} set={set} index={index} labels={labels} />
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
            <button type="button" class="secondary" disabled={isNoFilter(form)} onClick={() => setForm(NO_FILTER)}>
              {tr.t('desk.filter.clear')}
            </button>
          </div>
        )}
        {byReceipt && received.loading && (
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
