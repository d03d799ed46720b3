/**
 * Sync: this device's enrollment (its last sync and "Sync now" are in the bar above), how many
 * reports wait to be sent, the changes the base refused (shown to their author with the reason), and
 * sync by file: a phone saves its request file and opens the reply; a coordinator answers a phone's
 * request file with a reply file.
 */
import { useState } from 'preact/hooks';
import { decodeHlc } from '../../domain/hlc.ts';
import { FILE_ERRORS, syncFileName } from '../../domain/sync-file.ts';
import { useLiveQuery } from '../live-query.ts';
import { answerRequest, readReply, SyncFileError, writeRequestFile } from '../sync/file.ts';
import { rejectedOwnOps } from '../store/rejected.ts';
import { waitingReports } from '../store/waiting.ts';
import { httpTransport, SyncError } from '../sync/transport.ts';
import { isCoordinator, useEnrollment, useTr, useWatermark, useWriter } from './context.ts';
import { isolate } from './format.ts';
import { href } from '../router.ts';
import { photoCounts } from '../photos/photo-rows.ts';
import { formatBytes } from './format-bytes.ts';
import { useSyncStatus } from './SyncBar.tsx';

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function errorKey(e: unknown): string {
  if (e instanceof SyncFileError) return e.key;
  if (e instanceof SyncError) return e.code;
  return 'err.syncFile.invalid';
}

export function SyncScreen() {
  const tr = useTr();
  const { writer } = useWriter();
  const { enrollment, sync } = useEnrollment();
  const watermark = useWatermark();
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const [busy, setBusy] = useState(false);
  const rejected = useLiveQuery(() => rejectedOwnOps(writer.db, writer.device), [writer.db, writer.device]);

  const waiting = useLiveQuery(
    async () => (await waitingReports(writer.db, writer.device, watermark)).size,
    [writer.db, writer.device, watermark],
  );

  const photos = useLiveQuery(() => photoCounts(writer.db), [writer.db]);

  const run = async (work: () => Promise<string>) => {
    setBusy(true);
    setMessage(undefined);
    try {
      setMessage({ ok: true, text: await work() });
    } catch (e) {
      setMessage({ ok: false, text: tr.tk(errorKey(e)) });
    } finally {
      setBusy(false);
    }
  };
  const fileText = (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    return file?.text();
  };

  const saveRequest = () =>
    run(async () => {
      const request = await writeRequestFile(writer.db, writer.device, writer.now, await sync?.keys());
      download(syncFileName('request', writer.device, writer.now()), JSON.stringify(request));
      return tr.plural('file.exported', request.ops.length);
    });
  const openReply = (e: Event) => {
    const text = fileText(e);
    if (text)
      void run(async () => {
        const taken = await readReply(writer.db, writer.device, await text, writer.now, await sync?.keys());
        return tr.plural('file.replyRead', taken.added);
      });
  };
  const answer = (e: Event) => {
    const text = fileText(e);
    if (text && sync && enrollment)
      void run(async () => {
        const keys = await sync.keys();
        const ctx = {
          db: writer.db,
          device: writer.device,
          role: enrollment.role,
          transport: httpTransport(sync.endpoint),
          now: writer.now,
          keys,
        };
        const body = await text;
        // The same lock the scheduled sync takes: answering a file pushes and pulls too.
        const locks = globalThis.navigator?.locks;
        const attempt = () => (locks ? locks.request('rasid-sync', () => answerRequest(ctx, body)) : answerRequest(ctx, body));
        const done = await attempt().catch(async (error: unknown) => {
          // A phone enrolled since this desk last synced: one sync brings its keys into the roster.
          if (!(error instanceof SyncFileError && error.key === FILE_ERRORS.unknownDevice)) throw error;
          await sync.syncNow();
          return attempt();
        });
        download(syncFileName('reply', done.reply.device, writer.now()), JSON.stringify(done.reply));
        return tr.t('file.requestAnswered', { acked: done.acked, ops: done.ops, rejected: done.rejected });
      });
  };

  return (
    <>
      <h1>{tr.t('sync.title')}</h1>
      <p>
        {enrollment
          ? tr.t('sync.enrolledAs', { origin: isolate(enrollment.origin), role: tr.t(`role.${enrollment.role}`) })
          : tr.t('sync.notEnrolled')}
      </p>
      {waiting !== undefined && <p>{tr.plural('list.waiting', waiting)}</p>}
      {rejected && rejected.length > 0 && (
        <section class="form-section" aria-labelledby="rejected-h">
          <h2 id="rejected-h">{tr.t('sync.rejectedTitle')}</h2>
          <ul class="plain">
            {rejected.map((o) => (
              <li key={o.id}>
                {(() => {
                  const text = tr.t('sync.rejectedItem', {
                    what: tr.tk(`kind.${o.kind}`),
                    time: tr.dateTime(decodeHlc(o.body.hlc).wall),
                    reason: tr.tk(o.rejected!),
                  });
                  return o.kind === 'create' || o.kind === 'edit' ? <a href={href('view', { id: o.reportId })}>{text}</a> : text;
                })()}
              </li>
            ))}
          </ul>
        </section>
      )}
      <SyncPhotos />
      <section class="form-section" aria-labelledby="file-h">
        <h2 id="file-h">{tr.t('file.title')}</h2>
        <p class="hint">{tr.t('file.hint')}</p>
        {photos && photos.waiting > 0 && <p class="notice">{tr.plural('file.photosStay', photos.waiting)}</p>}
        <div class="actions">
          <button type="button" class="primary" disabled={busy} onClick={() => void saveRequest()}>
            {tr.t('file.export')}
          </button>
        </div>
        <div class="field">
          <label for="reply-file">{tr.t('file.importReply')}</label>
          <input id="reply-file" type="file" accept=".json,application/json" disabled={busy} onChange={openReply} />
        </div>
        {isCoordinator(enrollment) && (
          <div class="field">
            <label for="request-file">{tr.t('file.importRequest')}</label>
            <input id="request-file" type="file" accept=".json,application/json" disabled={busy || !sync} onChange={answer} />
          </div>
        )}
        {message && (
          <p role="status" class={message.ok ? undefined : 'form-error'}>
            {message.text}
          </p>
        )}
      </section>
    </>
  );
}

/** Photos this device has not had confirmed, the one being sent, and what the last round did. */
function SyncPhotos() {
  const tr = useTr();
  const { writer } = useWriter();
  const status = useSyncStatus();
  const counts = useLiveQuery(() => photoCounts(writer.db), [writer.db]);
  const progress = status?.photos?.progress;
  const last = status?.photos?.last;
  if (!counts || (counts.waiting === 0 && !progress && !last)) return null;
  return (
    <section class="form-section" aria-labelledby="sync-photos-h">
      <h2 id="sync-photos-h">{tr.t('sync.photos')}</h2>
      <p>{tr.plural('sync.photosWaiting', counts.waiting, { size: formatBytes(tr, counts.waitingBytes) })}</p>
      {progress && progress.sent < progress.total && (
        <p>
          <progress max={progress.total} value={progress.sent} aria-labelledby="sync-photos-h" />{' '}
          {tr.t('sync.photoSending', { sent: formatBytes(tr, progress.sent), total: formatBytes(tr, progress.total) })}
        </p>
      )}
      {last && <p role="status">{tr.t('sync.photosLast', { sent: last.sent, failed: last.failed })}</p>}
    </section>
  );
}
