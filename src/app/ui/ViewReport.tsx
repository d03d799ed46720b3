/** One report: its values in the interface language, conflicts marked, and edit, copy as a new report, and delete. */
import { useRef } from 'preact/hooks';
import { decodeHlc } from '../../domain/hlc.ts';
import { cryptoRandom, uuidv7, type ReportId } from '../../domain/ids.ts';
import { DELETED_FIELD, distinctHeads, type FieldVersion } from '../../domain/merge.ts';
import { chooseValue, keepDeleted, restoreReport } from '../store/resolve.ts';
import { fieldsOf, type FieldName } from '../../domain/report.ts';
import { useLiveQuery } from '../live-query.ts';
import { href, navigate } from '../router.ts';
import { keepDraft } from '../store/drafts.ts';
import { readRow } from '../store/read-row.ts';
import { deleteReport } from '../store/reports.ts';
import { waitingReports } from '../store/waiting.ts';
import { isCoordinator, useEnrollment, useTr, useWatermark, useWriter } from './context.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { formatValue, isolate } from './format.ts';
import { shortDevice, useDeviceLabels } from '../desk/device-labels.ts';
import { lazyScreen } from './lazy.tsx';
import { ReportPhotos } from './ReportPhotos.tsx';

// Verification, duplicates and the history are a coordinator's: a monitor's phone never loads them.
const ReportDesk = lazyScreen(() => import('./desk/ReportDesk.tsx').then((m) => m.ReportDesk));
/** Shown by the verification panel on a coordinator's screen, so listed among the values only when in conflict. */
const VERIFICATION_FIELDS: readonly string[] = ['verification', 'duplicateOf'];

export function ViewReport({ id }: { id: ReportId }) {
  const tr = useTr();
  const { writer } = useWriter();
  const { enrollment } = useEnrollment();
  const watermark = useWatermark();
  const coordinator = isCoordinator(enrollment);
  const dialog = useRef<HTMLDialogElement>(null);
  const row = useLiveQuery(async () => (await writer.db.reports.get(id)) ?? null, [id, writer.db.reports]);
  const waiting = useLiveQuery(
    async () => (await waitingReports(writer.db, writer.device, watermark)).get(id) ?? null,
    [id, writer.db, writer.device, watermark],
  );
  if (row === undefined) return null;
  if (row === null) return <p class="empty">{tr.t('view.notFound')}</p>;
  const item = readRow(row, watermark);
  if (!item.ok) return <p class="unreadable">{tr.t('list.unreadable', { id: id.slice(0, 8) })}</p>;
  const { view } = item;
  const type = view.type!;

  const confirmDelete = async () => {
    await deleteReport(writer, id);
    navigate(href('list'));
  };

  // A new draft of the same type, holding this report's values but what is its alone: the new-report
  // form opens on it as on any draft, so the copy survives a reload and Cancel drops it. The form's
  // code is loaded only when asked for, as the form itself is.
  const copyAsNew = async () => {
    const { copiedForm } = await import('../forms/copy.ts');
    const draft = uuidv7(Date.now(), cryptoRandom);
    await keepDraft(writer.db, { id: draft, type, values: copiedForm(type, view.values), updatedAt: Date.now() });
    navigate(href('new', { draft }));
  };

  return (
    <article aria-labelledby="report-title" class={coordinator ? 'report-desk' : undefined}>
      <h1 id="report-title">{tr.t(`type.${type}`)}</h1>
      {view.createdHlc && <p class="meta">{tr.t('view.recorded', { time: tr.dateTime(decodeHlc(view.createdHlc).wall) })}</p>}
      {item.unsynced && <p class="badge unsynced">{tr.t(waiting === 'changes' ? 'view.changesNotSent' : 'view.unsynced')}</p>}
      {view.deleted && <p class="notice">{tr.t('view.deleted')}</p>}
      {view.conflicts.length > 0 && <p class="notice conflict">{tr.t('view.conflict')}</p>}
      {view.conflicts.includes(DELETED_FIELD) && <CrossedDelete id={id} heads={distinctHeads(row.state.fields[DELETED_FIELD])} />}
      <dl class="values">
        {fieldsOf(type)
          .filter((f) => view.values[f] !== undefined && !(coordinator && VERIFICATION_FIELDS.includes(f) && !view.conflicts.includes(f)))
          .map((f: FieldName) => {
            const heads = distinctHeads(row.state.fields[f]);
            return (
              <div key={f} class={heads.length > 1 ? 'conflict' : undefined}>
                <dt>{tr.tk(`field.${f}`)}</dt>
                {heads.length > 1 ? (
                  <dd>
                    <span class="badge conflict">{tr.t('view.conflictField')}</span>
                    <Heads id={id} field={f} heads={heads} />
                  </dd>
                ) : (
                  <dd>{formatValue(tr, f, view.values[f])}</dd>
                )}
              </div>
            );
          })}
      </dl>
      <ReportPhotos state={row.state} />
      {!view.deleted && (
        <div class="actions">
          <button type="button" class="primary" onClick={() => navigate(href('edit', { id }))}>
            {tr.t('action.edit')}
          </button>
          <button type="button" class="secondary" onClick={() => void copyAsNew()}>
            {tr.t('action.copyAsNew')}
          </button>
          <button type="button" class="danger" onClick={() => dialog.current?.showModal()}>
            {tr.t('action.delete')}
          </button>
        </div>
      )}
      <ConfirmDialog
        dialogRef={dialog}
        id="delete"
        title={tr.t('delete.title')}
        body={tr.t('delete.body')}
        confirmLabel={tr.t('action.delete')}
        onConfirm={() => void confirmDelete()}
      />
      {coordinator && <ReportDesk view={view} />}
    </article>
  );
}

/**
 * Who wrote a version and when, as the chain of custody records it, and its HLC time. A coordinator
 * reads the device's label (or short id); a monitor's phone, which holds no labels and should name
 * no one, says "you" or "a coordinator", the only others who edit a monitor's reports.
 */
function Who({ h, keyName }: { h: FieldVersion; keyName: 'conflict.setBy' | 'conflict.deletedBy' }) {
  const tr = useTr();
  const { writer } = useWriter();
  const { enrollment } = useEnrollment();
  const time = tr.dateTime(decodeHlc(h.hlc).wall);
  if (!isCoordinator(enrollment)) {
    const who = h.device === writer.device ? 'You' : 'Coordinator';
    return <span class="who">{tr.t(`${keyName}${who}`, { time })}</span>;
  }
  return <DeviceWho h={h} keyName={keyName} time={time} />;
}

function DeviceWho({ h, keyName, time }: { h: FieldVersion; keyName: 'conflict.setBy' | 'conflict.deletedBy'; time: string }) {
  const tr = useTr();
  const { writer } = useWriter();
  const label = useDeviceLabels(writer.db).byDevice.get(h.device);
  // The name alone is isolated, in its own direction: a label in Arabic, an id in Latin letters.
  const device = label ? isolate(label) : tr.t('conflict.device', { id: isolate(shortDevice(h.device)) });
  return <span class="who">{tr.t(keyName, { device, time })}</span>;
}

/** The competing values of one field; a coordinator picks one, an op superseding every head. */
function Heads({ id, field, heads }: { id: ReportId; field: FieldName; heads: FieldVersion[] }) {
  const tr = useTr();
  const { writer } = useWriter();
  const { enrollment } = useEnrollment();
  return (
    <ul class="heads" aria-label={`${tr.t('conflict.values')}: ${tr.tk(`field.${field}`)}`}>
      {heads.map((h) => {
        const shown = formatValue(tr, field, h.value);
        return (
          <li key={h.op}>
            <span class="value">{shown}</span>
            <Who h={h} keyName="conflict.setBy" />
            {isCoordinator(enrollment) && (
              <button
                type="button"
                class="secondary"
                aria-label={`${tr.t('conflict.choose')}: ${shown}`}
                onClick={() => void chooseValue(writer, id, field, h.value)}
              >
                {tr.t('conflict.choose')}
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** A delete that crossed an edit it did not see: keep it deleted, or restore it. */
function CrossedDelete({ id, heads }: { id: ReportId; heads: FieldVersion[] }) {
  const tr = useTr();
  const { writer } = useWriter();
  const { enrollment } = useEnrollment();
  return (
    <section class="notice conflict" aria-label={tr.t('conflict.deleteCrossed')}>
      <p>{tr.t('conflict.deleteCrossed')}</p>
      {heads
        .filter((h) => h.value === true)
        .map((h) => (
          <Who key={h.op} h={h} keyName="conflict.deletedBy" />
        ))}
      {isCoordinator(enrollment) && (
        <div class="actions">
          <button type="button" class="danger" onClick={() => void keepDeleted(writer, id)}>
            {tr.t('conflict.keepDeleted')}
          </button>
          <button type="button" class="primary" onClick={() => void restoreReport(writer, id)}>
            {tr.t('conflict.restore')}
          </button>
        </div>
      )}
    </section>
  );
}
