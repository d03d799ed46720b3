/**
 * The deployment key on the coordinator's Devices screen: made once, by the first coordinator, with
 * a passphrase; afterwards its short fingerprint, for coordinators to compare by voice, and the key
 * file to pass to other coordinators (it opens only with the passphrase). A coordinator whose device
 * does not hold the private key imports that file here: until then its desk cannot read sealed reports.
 */
import { useEffect, useState } from 'preact/hooks';
import { shortFingerprint } from '../../domain/crypto/fingerprint.ts';
import { makeDeploymentKey, makeRoot, readBaseDeploymentKey, type MadeRoot } from '../keys/deployment-key.ts';
import { loadPinnedKey } from '../keys/deployment-pin.ts';
import { endorseRoot } from '../sync/deployment-settings.ts';
import {
  importKeyFile,
  IMPORT_ERRORS,
  loadDeploymentKeyFile,
  loadDeploymentPrivateKeys,
  MAX_KEY_FILE_SIZE,
} from '../keys/deployment-private.ts';
import type { DeploymentKeyFile, RootFile } from '../../domain/crypto/key-file.ts';
import { keepRootStatement } from '../sync/root-statement.ts';
import { FileWithPassphrase } from './FileWithPassphrase.tsx';
import { RootFileForm } from './RootFileForm.tsx';
import { PassphrasePair } from './PassphrasePair.tsx';
import { RotateKeyForm } from './RotateKeyForm.tsx';
import { SyncError } from '../sync/transport.ts';
import { useEnrollment, useTr, useWriter } from './context.ts';
import { useAsync } from './use-async.ts';
import { passcodeAsTyped } from './LockScreen.tsx';
import type { DeploymentKeyResponse } from '../../domain/protocol.ts';
import { readPublicKey } from '../../domain/crypto/keys.ts';
import type { RasidDb } from '../store/db.ts';

/** `onReady` hears whether the base has its deployment key and root, once known and whenever that changes. */
export function DeploymentKeyPanel({ onReady }: { onReady?: (ready: boolean) => void } = {}) {
  const tr = useTr();
  const { dataKey, writer } = useWriter();
  const { sync, deploymentKeyChanged } = useEnrollment();
  // What the base serves and what this device holds as the panel opens; what the desk does here
  // afterwards (a key made, imported or rotated) is set over it.
  // Kept while loaded again: the import form below shows from these, and must not vanish (with the
  // file just chosen in it) while they are looked up anew.
  const served = useAsync(async () => (sync ? ((await readBaseDeploymentKey(sync.endpoint)) ?? null) : undefined), [sync], { keep: true });
  const [madeHere, setBase] = useState<DeploymentKeyResponse>();
  const base = madeHere ?? served.value;
  useEffect(() => {
    if (base !== undefined) onReady?.(!!base?.root);
  }, [base, onReady]);
  const stored = useAsync(async () => (sync ? loadDeploymentKeyFile() : undefined), [sync]).value;
  const [changed, setChanged] = useState<{ file?: DeploymentKeyFile }>();
  const file = changed ? changed.file : stored;
  const setFile = (file: DeploymentKeyFile | undefined) => setChanged({ file });
  // Held: the key the base serves now, which after another desk rotated it is not the one held before.
  const servedKey = base?.fingerprint;
  const lookedUp = useAsync(
    async () =>
      !!dataKey?.unlocked &&
      loadDeploymentPrivateKeys(dataKey).then(
        (held) => held.some((k) => !servedKey || k.publicKey.fingerprint === servedKey),
        () => false,
      ),
    [dataKey, servedKey],
    { keep: true },
  ).value;
  /** Whether this device holds the private key; undefined until looked up. */
  const [heldNow, setHeld] = useState<boolean>();
  const held = heldNow ?? lookedUp;
  const [importedNow, setImportedNow] = useState(false);
  const [form, setForm] = useState({ passphrase: '', confirm: '', rootPassphrase: '', rootConfirm: '' });
  /** The root file just made: offered for download once, and never kept on this device. */
  const [rootFile, setRootFile] = useState<RootFile>();
  const [failed, setError] = useState<string>();
  const error =
    failed ?? (served.error === undefined ? undefined : served.error instanceof SyncError ? served.error.code : 'sync.err.network');
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!sync || busy) return;
    if (!dataKey) return setError('lock.err.locked');
    setBusy(true);
    setError(undefined);
    try {
      const keys = await sync.keys();
      if (!keys) return setError('sync.err.keys');
      const typed = {
        passphrase: passcodeAsTyped(form.passphrase),
        confirm: passcodeAsTyped(form.confirm),
        rootPassphrase: passcodeAsTyped(form.rootPassphrase),
        rootConfirm: passcodeAsTyped(form.rootConfirm),
      };
      const made = await makeDeploymentKey(sync.endpoint, { role: sync.role, device: keys.self, keys: keys.device }, typed, dataKey);
      if (!made.ok) return setError(made.reason);
      setBase({ ...made.pin, root: made.root.pin });
      setFile(made.file);
      setHeld(true);
      await rootMade(made.root, false);
    } catch (err) {
      setError(err instanceof SyncError ? err.code : 'sync.err.network');
    } finally {
      setBusy(false);
    }
  };

  /**
   * After a root is made: the keys now include it, so the desk keeps the root's first statement and
   * relays it; in a deployment made before roots it also says so in its roster, for devices enrolled
   * before. Links pin the root from now on: a device enrolls only once the base serves its statement.
   */
  const rootMade = async (root: MadeRoot, endorse: boolean) => {
    if (!sync) return;
    setRootFile(root.file);
    setForm({ passphrase: '', confirm: '', rootPassphrase: '', rootConfirm: '' });
    await sync.keysChanged();
    const rooted = await sync.keys();
    if (rooted) await keepRootStatement(writer.db, rooted, root.statement, writer.now);
    if (endorse) await endorseRoot(writer, root.pin.key);
    deploymentKeyChanged?.();
    await sync.syncNow();
  };
  /** The upgrade of a deployment made before roots: the root alone, for the deployment key this desk holds. */
  const submitRoot = async (e: Event) => {
    e.preventDefault();
    if (!sync || busy || !base) return;
    setBusy(true);
    setError(undefined);
    try {
      const keys = await sync.keys();
      const pin = await loadPinnedKey();
      if (!keys || !pin) return setError('sync.err.keys');
      const typed = { rootPassphrase: passcodeAsTyped(form.rootPassphrase), rootConfirm: passcodeAsTyped(form.rootConfirm) };
      const made = await makeRoot(sync.endpoint, { role: sync.role, device: keys.self, keys: keys.device }, pin, typed);
      if (!made.ok) return setError(made.reason);
      setBase({ ...base, root: made.root.pin });
      await rootMade(made.root, true);
    } catch (err) {
      setError(err instanceof SyncError ? err.code : 'sync.err.network');
    } finally {
      setBusy(false);
    }
  };
  const imported = (f: DeploymentKeyFile | undefined) => {
    setFile(f);
    setHeld(true);
    setImportedNow(true);
    deploymentKeyChanged?.();
  };

  const download = file && URL.createObjectURL(new Blob([JSON.stringify(file, null, 2)], { type: 'application/json' }));
  useEffect(() => () => void (download && URL.revokeObjectURL(download)), [download]);
  const rootDownload = rootFile && URL.createObjectURL(new Blob([JSON.stringify(rootFile, null, 2)], { type: 'application/json' }));
  useEffect(() => () => void (rootDownload && URL.revokeObjectURL(rootDownload)), [rootDownload]);

  return (
    <section class="form-section" aria-labelledby="deployment-key-h">
      <h2 id="deployment-key-h">{tr.t('deploymentKey.title')}</h2>
      {base === null && (
        <form onSubmit={(e) => void submit(e)} aria-labelledby="deployment-key-h">
          <p class="hint">{tr.t('deploymentKey.intro')}</p>
          <PassphrasePair
            id="deployment-passphrase"
            label={tr.t('deploymentKey.passphrase')}
            confirmLabel={tr.t('deploymentKey.confirm')}
            value={form.passphrase}
            confirm={form.confirm}
            onInput={(passphrase, confirm) => setForm({ ...form, passphrase, confirm })}
          />
          <p class="hint">{tr.t('deploymentKey.rootIntro')}</p>
          <PassphrasePair
            id="root-passphrase"
            label={tr.t('deploymentKey.rootPassphrase')}
            confirmLabel={tr.t('deploymentKey.rootConfirm')}
            value={form.rootPassphrase}
            confirm={form.rootConfirm}
            onInput={(rootPassphrase, rootConfirm) => setForm({ ...form, rootPassphrase, rootConfirm })}
          />
          <button type="submit" class="primary" disabled={busy}>
            {busy ? tr.t('lock.working') : tr.t('deploymentKey.make')}
          </button>
        </form>
      )}
      {base && (
        <>
          <p>{tr.t(base.root ? 'deploymentKey.rootFingerprint' : 'deploymentKey.fingerprint')}</p>
          <p class="mono" dir="ltr" data-testid="deployment-fingerprint">
            {shortFingerprint(base.root?.fingerprint ?? base.fingerprint)}
          </p>
          <p class="hint">{tr.t('deploymentKey.compare')}</p>
          {held && (
            <p class="notice" role="status">
              {tr.t(importedNow ? 'deploymentKey.imported' : 'deploymentKey.held')}
            </p>
          )}
          {held === false && <ImportKeyFile expected={base.fingerprint} onImported={imported} />}
          {base.root && sync?.role === 'coordinator' && <RootFileForm />}
          {base.root && held && sync?.role === 'coordinator' && (
            <RotateKeyForm
              onRotated={(f) => {
                setFile(f);
                deploymentKeyChanged?.();
              }}
            />
          )}
          {held && !base.root && (
            <form onSubmit={(e) => void submitRoot(e)} aria-label={tr.t('deploymentKey.makeRoot')}>
              <p class="hint">{tr.t('deploymentKey.upgradeIntro')}</p>
              <PassphrasePair
                id="upgrade-root-passphrase"
                label={tr.t('deploymentKey.rootPassphrase')}
                confirmLabel={tr.t('deploymentKey.rootConfirm')}
                value={form.rootPassphrase}
                confirm={form.rootConfirm}
                onInput={(rootPassphrase, rootConfirm) => setForm({ ...form, rootPassphrase, rootConfirm })}
              />
              <button type="submit" class="primary" disabled={busy}>
                {busy ? tr.t('lock.working') : tr.t('deploymentKey.makeRoot')}
              </button>
            </form>
          )}
          {download && (
            <a href={download} download="rasid-deployment-key.json" class="button secondary">
              {tr.t('deploymentKey.saveFile')}
            </a>
          )}
          {rootDownload && (
            <div class="notice" role="status">
              <p>{tr.t('deploymentKey.rootOffline')}</p>
              <a href={rootDownload} download="rasid-root-key.json" class="button secondary">
                {tr.t('deploymentKey.saveRootFile')}
              </a>
            </div>
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

/** The key file another coordinator passed on, opened with the coordinator passphrase and kept under the data key. */
function ImportKeyFile({ expected, onImported }: { expected: string; onImported: (file: DeploymentKeyFile | undefined) => void }) {
  const tr = useTr();
  const { dataKey, writer } = useWriter();
  const [chosen, setChosen] = useState<File>();
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    if (busy) return;
    if (!dataKey) return setError('lock.err.locked');
    // A file far larger than any key file is not read into memory at all.
    if (!chosen || chosen.size > MAX_KEY_FILE_SIZE) return setError(IMPORT_ERRORS.notKeyFile);
    setBusy(true);
    setError(undefined);
    try {
      const result = await importKeyFile(
        await chosen.text(),
        passcodeAsTyped(passphrase),
        dataKey,
        expected,
        undefined,
        await rootNamed(writer.db),
      );
      if (!result.ok) return setError(result.reason);
      setPassphrase('');
      onImported(await loadDeploymentKeyFile());
    } catch {
      // Reading the chosen file failed (moved or removed since it was chosen).
      setError(IMPORT_ERRORS.notKeyFile);
    } finally {
      setBusy(false);
    }
  };

  return (
    <FileWithPassphrase
      id="deployment-import"
      title={tr.t('deploymentKey.import.title')}
      intro={tr.t('deploymentKey.import.intro')}
      fileLabel={tr.t('deploymentKey.import.file')}
      passphraseLabel={tr.t('deploymentKey.passphrase')}
      button={tr.t('deploymentKey.import.button')}
      passphrase={passphrase}
      busy={busy}
      error={error}
      wrongPassphrase={IMPORT_ERRORS.wrongPassphrase}
      onFile={setChosen}
      onPassphrase={setPassphrase}
      onSubmit={() => void submit()}
    />
  );
}

/** The fingerprints of every deployment key the root named, as the trust rule read it on this desk. */
async function rootNamed(db: RasidDb): Promise<string[]> {
  const keys = await Promise.all(((await db.getMeta('trust'))?.deploymentKeys ?? []).map((k) => readPublicKey(k, 'agreement')));
  return keys.flatMap((k) => (k.ok ? [k.key.fingerprint] : []));
}
