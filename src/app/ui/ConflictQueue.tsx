/** The coordinator's conflict queue: every report with a conflict, read from the sparse `hasConflict` index. */
import { useLiveQuery } from '../live-query.ts';
import { readRow } from '../store/read-row.ts';
import { useTr, useWatermark, useWriter } from './context.ts';
import { formatValue } from './format.ts';
import { UnreadableItem } from './UnreadableItem.tsx';
import { href } from '../router.ts';

export function ConflictQueue() {
  const tr = useTr();
  const { writer } = useWriter();
  const watermark = useWatermark();
  const items = useLiveQuery(async () => {
    const rows = await writer.db.reports.where('hasConflict').equals(1).toArray();
    return rows
      .map((r) => readRow(r, watermark))
      .sort((a, b) => (a.ok && b.ok ? ((b.view.updatedHlc ?? '') < (a.view.updatedHlc ?? '') ? -1 : 1) : 0));
  }, [watermark, writer.db.reports]);
  return (
    <>
      <h1>{tr.t('conflict.title')}</h1>
      {items && <p class="count">{tr.plural('list.count', items.length)}</p>}
      {items?.length === 0 && <p class="empty">{tr.t('conflict.none')}</p>}
      <ul role="list" aria-label={tr.t('conflict.title')} class="reports">
        {items?.map((item) =>
          item.ok ? (
            <li key={item.view.id}>
              <a href={href('view', { id: item.view.id })} class="report-link">
                <span class="report-type">{tr.tk(`type.${item.view.type}`)}</span>
                <span class="report-place">{item.view.values.placeName ?? tr.t('list.noPlace')}</span>
                <span class="report-meta">{item.view.conflicts.map((f) => tr.tk(`field.${f}`)).join(' · ')}</span>
                {item.view.values.eventDate && <span class="report-meta">{formatValue(tr, 'eventDate', item.view.values.eventDate)}</span>}
              </a>
            </li>
          ) : (
            <UnreadableItem key={item.id} id={item.id} />
          ),
        )}
      </ul>
    </>
  );
}
