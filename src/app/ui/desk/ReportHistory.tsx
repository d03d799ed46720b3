/**
 * The chain of custody on a report's screen, for coordinators: every op on the report in clock
 * order, which device wrote it and when (its own clock, and the base's receive time), and each field
 * it changed, from what to what. Ops the base refused are listed with why.
 */
import { reportHistory, type FieldChange, type HistoryEntry } from '../../../domain/history.ts';
import type { ReportId } from '../../../domain/ids.ts';
import { DELETED_FIELD } from '../../../domain/merge.ts';
import { FIELDS } from '../../../domain/report.ts';
import type { Translator } from '../../i18n/i18n.ts';
import { useLiveQuery } from '../../live-query.ts';
import { currentAuthority } from '../../store/rows.ts';
import { deviceName, useDeviceLabels, type DeviceLabels } from '../../desk/device-labels.ts';
import { useTr, useWriter } from '../context.ts';
import { formatValue, isolate } from '../format.ts';

/** Values in an op may be anything a device sent (a refused op, an ignored field): shown, never thrown on. */
function shown(tr: Translator, field: string, value: unknown): string {
  try {
    const text = formatValue(tr, field, value);
    if (typeof text === 'string' && !text.includes('[object Object]')) return text;
  } catch {
    // Falls through to the raw form below.
  }
  return JSON.stringify(value) ?? String(value);
}

/** Changes in the order the report screen lists fields; the deletion first, fields this app does not know last. */
const FIELD_ORDER = [DELETED_FIELD, ...Object.keys(FIELDS)];
const rank = (field: string) => (FIELD_ORDER.includes(field) ? FIELD_ORDER.indexOf(field) : FIELD_ORDER.length);
const inFieldOrder = (changes: readonly FieldChange[]) => [...changes].sort((a, b) => rank(a.field) - rank(b.field));

function Before({ change }: { change: FieldChange }) {
  const tr = useTr();
  if (change.kind === 'set') return <span class="badge">{tr.t('history.set')}</span>;
  // What the op replaced but this device has not pulled yet: unknown, which is not empty.
  if (change.unseen) {
    return (
      <>
        {change.before.length > 0 && <Before change={{ ...change, unseen: undefined }} />}
        <span class="muted">{tr.t('history.unseen')}</span>
      </>
    );
  }
  if (change.before.length === 0) return <span class="muted">{tr.t('history.empty')}</span>;
  if (change.before.length === 1)
    return (
      <span class="history-value" dir="auto">
        {shown(tr, change.field, change.before[0])}
      </span>
    );
  // Competing values the op replaced at once: a coordinator's choice, or an edit that saw them all.
  return (
    <ul class="history-values">
      {change.before.map((v, i) => (
        <li key={i} dir="auto">
          {shown(tr, change.field, v)}
        </li>
      ))}
    </ul>
  );
}

function ChangeRow({ change }: { change: FieldChange }) {
  const tr = useTr();
  if (change.field === DELETED_FIELD) {
    return (
      <tr class="history-deletion">
        <td colSpan={3}>{tr.t(change.kind === 'delete' ? 'history.deleted' : 'history.restored')}</td>
      </tr>
    );
  }
  return (
    <tr class={change.kind === 'ignored' ? 'ignored' : undefined}>
      <th scope="row">{tr.tk(`field.${change.field}`)}</th>
      <td>
        <Before change={change} />
      </td>
      <td>
        {change.kind === 'clear' ? (
          <span class="muted">{tr.t('history.cleared')}</span>
        ) : (
          <span class="history-value" dir="auto">
            {shown(tr, change.field, change.after)}
          </span>
        )}
        {change.kind === 'ignored' && <span class="note">{tr.t('history.ignored')}</span>}
        {change.conflict && <span class="note conflict">{tr.t('history.conflict')}</span>}
        {change.replaced && <span class="note">{tr.t('history.replaced')}</span>}
      </td>
    </tr>
  );
}

function Entry({ entry, labels }: { entry: HistoryEntry; labels: DeviceLabels }) {
  const tr = useTr();
  const device = isolate(deviceName(labels, entry.device));
  return (
    <li class={entry.rejected ? 'rejected' : undefined}>
      <p class="history-who">
        <strong>{tr.tk(`history.kind.${entry.kind}`)}</strong>
        <span title={entry.device}>{tr.t(entry.coordinator ? 'history.deviceCoordinator' : 'history.device', { device })}</span>
      </p>
      <p class="history-times">
        <span>{tr.t('history.deviceTime', { time: tr.dateTime(entry.deviceTime) })}</span>
        <span>
          {entry.receivedAt !== undefined ? tr.t('history.received', { time: tr.dateTime(entry.receivedAt) }) : tr.t('history.notReceived')}
        </span>
      </p>
      {entry.rejected && <p class="notice conflict">{tr.t('history.rejected', { reason: tr.tk(entry.rejected) })}</p>}
      {entry.changes.length === 0 ? (
        <p class="muted">{tr.t('history.noFields')}</p>
      ) : (
        <table aria-label={tr.t('history.changes')}>
          <thead>
            <tr>
              <th scope="col">{tr.t('history.field')}</th>
              <th scope="col">{tr.t('history.before')}</th>
              <th scope="col">{tr.t('history.after')}</th>
            </tr>
          </thead>
          <tbody>
            {inFieldOrder(entry.changes).map((c) => (
              <ChangeRow key={c.field} change={c} />
            ))}
          </tbody>
        </table>
      )}
    </li>
  );
}

export function ReportHistory({ id }: { id: ReportId }) {
  const tr = useTr();
  const { writer } = useWriter();
  const db = writer.db;
  const labels = useDeviceLabels(db);
  const entries = useLiveQuery(
    () =>
      db.transaction('r', [db.ops, db.settings, db.meta], async () => {
        const ops = await db.ops.where('reportId').equals(id).toArray();
        return reportHistory(id, ops, await currentAuthority(db));
      }),
    [db, id],
  );
  return (
    <section class="report-history" aria-labelledby="history-title">
      <h2 id="history-title">{tr.t('history.title')}</h2>
      <p class="hint">{tr.t('history.hint')}</p>
      {entries === undefined && <p class="muted">{tr.t('history.loading')}</p>}
      {entries?.length === 0 && <p class="empty">{tr.t('history.none')}</p>}
      {entries && entries.length > 0 && (
        <ol class="history-list" aria-label={tr.t('history.list')}>
          {entries.map((e) => (
            <Entry key={e.op} entry={e} labels={labels} />
          ))}
        </ol>
      )}
    </section>
  );
}
