/**
 * The report list: newest first, filtered by type or to the reports waiting to be sent, with how many
 * wait, badges for what the base does not have yet and for conflicts, and unsaved drafts offered back.
 */
import { useState } from 'preact/hooks';
import { REPORT_TYPES } from '../../domain/report-types.ts';
import { useLiveQuery } from '../live-query.ts';
import { href, navigate } from '../router.ts';
import { listDrafts } from '../store/drafts.ts';
import { readRow, type ListItem } from '../store/read-row.ts';
import { waitingReports, type Waiting } from '../store/waiting.ts';
import { useTr, useWatermark, useWriter } from './context.ts';
import { DraftOffer } from './DraftOffer.tsx';
import { adminPath, formatEventDate, formatPeriod, formatValue } from './format.ts';
import { UnreadableItem } from './UnreadableItem.tsx';

/** The list's filter that shows only the reports waiting to be sent; the others are report types. */
const WAITING = 'waiting';

function Summary({ item, waiting }: { item: Extract<ListItem, { ok: true }>; waiting: Waiting | undefined }) {
  const tr = useTr();
  const v = item.view.values;
  const place = v.placeName ?? adminPath(v.admin, tr.lang) ?? '';
  // An access cut's period says when it began and, once it did, when it ended: more than its event date.
  const when = item.view.type === 'access_cut' && v.period ? formatPeriod(tr, v.period) : v.eventDate && formatEventDate(tr, v.eventDate);
  const detail =
    item.view.type === 'damage'
      ? [
          v.damageLevel && formatValue(tr, 'damageLevel', v.damageLevel),
          v.structures !== undefined && `${tr.t('field.structures')}: ${tr.number(v.structures)}`,
        ]
      : item.view.type === 'access_cut'
        ? [v.service && formatValue(tr, 'service', v.service), v.serviceState && formatValue(tr, 'serviceState', v.serviceState)]
        : [
            v.households !== undefined && `${tr.t('field.households')}: ${tr.number(v.households)}`,
            v.individuals !== undefined && `${tr.t('field.individuals')}: ${tr.number(v.individuals)}`,
          ];
  return (
    <a href={href('view', { id: item.view.id })} class="report-link">
      <span class="report-type">{tr.tk(`type.${item.view.type}`)}</span>
      <span class="report-place">{place || tr.t('list.noPlace')}</span>
      <span class="report-meta">{[when, ...detail].filter(Boolean).join(' · ')}</span>
      <span class="badges">
        {item.unsynced && (
          // A report the base has had since its create is told apart from one it has never had.
          <span class="badge unsynced">{tr.t(waiting === 'changes' ? 'list.changesNotSent' : 'list.unsynced')}</span>
        )}
        {item.view.conflicts.length > 0 && <span class="badge conflict">{tr.t('list.conflict')}</span>}
      </span>
    </a>
  );
}

export function ReportList() {
  const tr = useTr();
  const { writer } = useWriter();
  const watermark = useWatermark();
  const [filter, setFilter] = useState('');
  const list = useLiveQuery(async () => {
    const waiting = await waitingReports(writer.db, writer.device, watermark);
    const rows =
      filter === WAITING
        ? (await writer.db.reports.bulkGet([...waiting.keys()]))
            .filter((r) => r !== undefined)
            .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0))
        : filter
          ? await writer.db.reports.where('[type+createdAt]').between([filter, ''], [filter, '\uffff']).reverse().toArray()
          : await writer.db.reports.orderBy('createdAt').reverse().toArray();
    // A deletion that crossed an edit it did not see stays listed, as a conflict, until a coordinator decides.
    const items = rows.map((r) => readRow(r, watermark)).filter((i) => !i.ok || !i.view.deleted || i.view.conflicts.length > 0);
    return { items, waiting };
  }, [filter, watermark, writer.db, writer.device]);
  const items = list?.items;
  const drafts = useLiveQuery(() => listDrafts(writer.db), [writer.db]);

  return (
    <>
      <div class="toolbar">
        <button type="button" class="primary" onClick={() => navigate(href('new'))}>
          {tr.t('action.newReport')}
        </button>
        <label class="inline">
          {tr.t('list.filterType')}
          <select value={filter} onChange={(e) => setFilter(e.currentTarget.value)}>
            <option value="">{tr.t('list.allTypes')}</option>
            {REPORT_TYPES.map((t) => (
              <option key={t} value={t}>
                {tr.t(`type.${t}`)}
              </option>
            ))}
            <option value={WAITING}>{tr.t('list.showWaiting')}</option>
          </select>
        </label>
      </div>
      {drafts?.map((d) => (
        <DraftOffer
          key={d.id}
          draft={d}
          onResume={() => navigate(d.reportId ? href('edit', { id: d.reportId, draft: d.id }) : href('new', { draft: d.id }))}
        />
      ))}
      {items && <p class="count">{tr.plural('list.count', items.length)}</p>}
      {list && list.waiting.size > 0 && <p class="count">{tr.plural('list.waiting', list.waiting.size)}</p>}
      {items?.length === 0 && <p class="empty">{tr.t('list.empty')}</p>}
      <ul role="list" aria-label={tr.t('list.label')} class="reports">
        {items?.map((item) =>
          item.ok ? (
            <li key={item.view.id}>
              <Summary item={item} waiting={list?.waiting.get(item.view.id)} />
            </li>
          ) : (
            <UnreadableItem key={item.id} id={item.id} />
          ),
        )}
      </ul>
    </>
  );
}
