/**
 * On a device that pinned its root, under Settings: new keys when it may have been out of its
 * owner's hands (sync/key-renewal.ts), and where the last renewal stands, with the fingerprint to
 * read back with the coordinator who confirms it; a coordinator's are confirmed by the root file.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { lastOwnRenewal, renewKeys, RenewalError } from '../sync/key-renewal.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { isCoordinator, useEnrollment, useTr, useWriter } from './context.ts';
import { useAsync } from './use-async.ts';

export function KeyRenewalPanel() {
  const tr = useTr();
  const { writer, dataKey } = useWriter();
  const { sync, enrollment } = useEnrollment();
  // Only a device that pinned its root renews its keys.
  const own = useAsync(async () => {
    const keys = await sync?.keys().catch(() => undefined);
    return keys?.root ? { keys, last: await lastOwnRenewal(writer.db, keys) } : undefined;
  }, [sync, writer.db]);
  const { reload } = own;
  const [error, setError] = useState<string>();
  const dialog = useRef<HTMLDialogElement>(null);

  // A sync may bring the coordinator's confirmation while the screen is open.
  useEffect(() => sync?.subscribe((s) => void (s.running || reload())), [sync, reload]);
  if (!own.value || !sync) return null;
  const { keys, last } = own.value;
  const hint = tr.t(isCoordinator(enrollment) ? 'renewal.ownHint' : 'renewal.hint');

  const renew = async () => {
    if (!dataKey) return setError('lock.err.locked');
    setError(undefined);
    try {
      await renewKeys(writer, keys, dataKey);
      await sync.keysChanged();
      reload();
      void sync.syncNow();
    } catch (e) {
      setError(e instanceof RenewalError ? e.message : 'sync.err.keys');
    }
  };
  return (
    <section class="form-section" aria-labelledby="renewal-h">
      <h2 id="renewal-h">{tr.t('renewal.title')}</h2>
      {last && (
        <>
          <p role="status">{tr.t(last.confirmed ? 'renewal.confirmed' : 'renewal.waiting')}</p>
          <p class="mono" dir="ltr" data-testid="renewal-key">
            {last.fingerprint}
          </p>
        </>
      )}
      {(!last || last.confirmed) && (
        <>
          <p class="hint">{hint}</p>
          <button type="button" class="secondary" onClick={() => dialog.current?.showModal()}>
            {tr.t('renewal.make')}
          </button>
          <ConfirmDialog
            dialogRef={dialog}
            id="renewal"
            title={tr.t('renewal.title')}
            body={hint}
            confirmLabel={tr.t('renewal.make')}
            onConfirm={() => void renew()}
          />
        </>
      )}
      {error && (
        <p class="form-error" role="alert">
          {tr.tk(error)}
        </p>
      )}
    </section>
  );
}
