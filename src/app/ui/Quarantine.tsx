/**
 * What coordinators review: ops that arrived and could not be read, and changes to coordinator-only
 * fields by devices the roster does not name as coordinators (the merge ignored them). Neither blocks anything.
 */
import type { OpId } from '../../domain/ids.ts';
import { useLiveQuery } from '../live-query.ts';
import { useTr, useWriter } from './context.ts';
import { isolate } from './format.ts';
import { href } from '../router.ts';
import { deviceName, useDeviceLabels } from '../desk/device-labels.ts';

export function Quarantine() {
  const tr = useTr();
  const { writer } = useWriter();
  const labels = useDeviceLabels(writer.db);
  const rows = useLiveQuery(() => writer.db.quarantine.orderBy('id').toArray(), [writer.db.quarantine]);
  const ignored = useLiveQuery(async () => {
    const out: { op: OpId; field: string; device: string; report: string }[] = [];
    await writer.db.reports.each((r) => {
      for (const i of r.state?.ignored ?? []) out.push({ ...i, report: r.id, device: '' });
    });
    const ops = await writer.db.ops.bulkGet(out.map((i) => i.op));
    return out.map((i, n) => ({ ...i, device: ops[n]?.device ?? '' }));
  }, [writer.db.ops, writer.db.reports]);
  const empty = rows?.length === 0 && ignored?.length === 0;
  return (
    <>
      <h1>{tr.t('quarantine.title')}</h1>
      <p class="hint">{tr.t('quarantine.hint')}</p>
      {empty && <p class="empty">{tr.t('quarantine.none')}</p>}
      <ul class="plain" aria-label={tr.t('quarantine.title')}>
        {rows?.map((q) => (
          <li key={q.id}>
            {tr.t('quarantine.item', { id: isolate(q.id.slice(0, 13)), seq: q.seq ?? tr.t('choice.unset'), reason: tr.tk(q.reason) })}
            <details>
              <summary>{tr.t('quarantine.raw')}</summary>
              <pre class="mono" dir="ltr">
                {q.raw.slice(0, 2000)}
              </pre>
            </details>
          </li>
        ))}
        {ignored?.map((i) => (
          <li key={`${i.op}-${i.field}`}>
            <a href={href('view', { id: i.report })}>
              {tr.t('quarantine.ignored', {
                id: isolate(i.op.slice(0, 13)),
                device: isolate(deviceName(labels, i.device)),
                field: tr.tk(`field.${i.field}`),
              })}
            </a>
          </li>
        ))}
      </ul>
    </>
  );
}
