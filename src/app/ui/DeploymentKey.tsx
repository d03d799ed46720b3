/**
 * The deployment key on the coordinator's Devices screen: made once, by the first coordinator, with
 * a passphrase; afterwards its short fingerprint, for coordinators to compare by voice, and the key
 * file to pass to other coordinators (it opens only with the passphrase).
 */
import { useEffect, useState } from 'preact/hooks';
import { shortFingerprint } from '../../domain/crypto/fingerprint.ts';
import { loadDeploymentKeyFile, makeDeploymentKey, readBaseDeploymentKey, type DeploymentKeyFile } from '../keys/deployment-key.ts';
import type { PinnedKey } from '../keys/deployment-pin.ts';
import { SyncError } from '../sync/transport.ts';
import { useServices } from './context.ts';
import { passcodeAsTyped } from './LockScreen.tsx';

export function DeploymentKey() {
  const { tr, sync } = useServices();
  const [base, setBase] = useState<PinnedKey | null>();
  const [file, setFile] = useState<DeploymentKeyFile>();
  const [form, setForm] = useState({ passphrase: '', confirm: '' });
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!sync) return;
    void readBaseDeploymentKey(sync.endpoint).then(
      (k) => setBase(k ?? null),
      (e: unknown) => setError(e instanceof SyncError ? e.code : 'sync.err.network'),
    );
    void loadDeploymentKeyFile().then(setFile);
  }, [sync]);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!sync || busy) return;
    setBusy(true);
    setError(undefined);
    try {
      const made = await makeDeploymentKey(sync.endpoint, sync.role, passcodeAsTyped(form.passphrase), passcodeAsTyped(form.confirm));
      if (!made.ok) return setError(made.reason);
      setBase(made.pin);
      setFile(made.file);
      setForm({ passphrase: '', confirm: '' });
    } catch (err) {
      setError(err instanceof SyncError ? err.code : 'sync.err.network');
    } finally {
      setBusy(false);
    }
  };

  const download = file && URL.createObjectURL(new Blob([JSON.stringify(file, null, 2)], { type: 'application/json' }));
  useEffect(() => () => void (download && URL.revokeObjectURL(download)), [download]);

  return (
    <section class="form-section" aria-labelledby="deployment-key-h">
      <h2 id="deployment-key-h">{tr.t('deploymentKey.title')}</h2>
      {base === null && (
        <form onSubmit={submit} aria-labelledby="deployment-key-h">
          <p class="hint">{tr.t('deploymentKey.intro')}</p>
          <div class="field">
            <label for="deployment-passphrase">{tr.t('deploymentKey.passphrase')}</label>
            <input id="deployment-passphrase" type="password" autocomplete="new-password" value={form.passphrase} onInput={(e) => setForm({ ...form, passphrase: e.currentTarget.value })} required />
          </div>
          <div class="field">
            <label for="deployment-confirm">{tr.t('deploymentKey.confirm')}</label>
            <input id="deployment-confirm" type="password" autocomplete="new-password" value={form.confirm} onInput={(e) => setForm({ ...form, confirm: e.currentTarget.value })} required />
          </div>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? tr.t('lock.working') : tr.t('deploymentKey.make')}
          </button>
        </form>
      )}
      {base && (
        <>
          <p>{tr.t('deploymentKey.fingerprint')}</p>
          <p class="mono" dir="ltr" data-testid="deployment-fingerprint">
            {shortFingerprint(base.fingerprint)}
          </p>
          <p class="hint">{tr.t('deploymentKey.compare')}</p>
          {download && (
            <a href={download} download="rasid-deployment-key.json" class="button secondary">
              {tr.t('deploymentKey.saveFile')}
            </a>
          )}
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
