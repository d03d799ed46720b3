/**
 * A new deployment key, signed in with the root file: after a coordinator leaves, or at will
 * (sync/root-signing.ts, `rotateDeploymentKey`). The root file is read for this one signature and
 * kept nowhere; the new key file is offered to pass on to the other coordinators.
 */
import { useState } from 'preact/hooks';
import type { DeploymentKeyFile } from '../../domain/crypto/key-file.ts';
import { MAX_ROOT_FILE_SIZE, ROOT_FILE_ERRORS, rotateDeploymentKey } from '../sync/root-signing.ts';
import { useEnrollment, useTr, useWriter } from './context.ts';
import { PassphrasePair } from './PassphrasePair.tsx';
import { FileWithPassphrase } from './FileWithPassphrase.tsx';
import { passcodeAsTyped } from './LockScreen.tsx';

export function RotateKeyForm({ onRotated }: { onRotated: (file: DeploymentKeyFile) => void }) {
  const tr = useTr();
  const { writer, dataKey } = useWriter();
  const { sync } = useEnrollment();
  const [chosen, setChosen] = useState<File>();
  const [form, setForm] = useState({ rootPassphrase: '', passphrase: '', confirm: '' });
  const [error, setError] = useState<string>();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    if (busy || !sync) return;
    if (!dataKey) return setError('lock.err.locked');
    if (!chosen || chosen.size > MAX_ROOT_FILE_SIZE) return setError(ROOT_FILE_ERRORS.notRootFile);
    setBusy(true);
    setError(undefined);
    setDone(false);
    try {
      // The root's next statement takes the number after the highest of its statements this desk
      // holds: a desk that has not pulled since it enrolled (or since another desk signed) would
      // sign under a number the base already holds, and the base would refuse that statement.
      await sync.syncNow();
      const keys = await sync.keys();
      if (!keys) return setError('sync.err.keys');
      const typed = {
        rootPassphrase: passcodeAsTyped(form.rootPassphrase),
        passphrase: passcodeAsTyped(form.passphrase),
        confirm: passcodeAsTyped(form.confirm),
      };
      const ctx = { db: writer.db, keys, endpoint: sync.endpoint, now: writer.now, random: writer.random, dataKey };
      const rotated = await rotateDeploymentKey(await chosen.text(), typed, ctx);
      if (!rotated.ok) return setError(rotated.reason);
      setForm({ rootPassphrase: '', passphrase: '', confirm: '' });
      // The new key file is offered before the form says it is done, so what it offers is the new one.
      onRotated(rotated.file);
      // The root's statement goes to the base: from then on the base hands out the new key.
      await sync.syncNow();
      setDone(true);
    } catch {
      setError('sync.err.network');
    } finally {
      setBusy(false);
    }
  };

  return (
    <FileWithPassphrase
      id="rotate"
      title={tr.t('rotateKey.title')}
      intro={tr.t('rotateKey.intro')}
      fileLabel={tr.t('rootFile.file')}
      passphraseLabel={tr.t('deploymentKey.rootPassphrase')}
      button={tr.t('rotateKey.button')}
      passphrase={form.rootPassphrase}
      busy={busy}
      error={error}
      wrongPassphrase={ROOT_FILE_ERRORS.wrongPassphrase}
      onFile={setChosen}
      onPassphrase={(v) => setForm({ ...form, rootPassphrase: v })}
      onSubmit={() => void submit()}
      fields={
        <PassphrasePair
          id="rotate-new"
          label={tr.t('rotateKey.passphrase')}
          confirmLabel={tr.t('rotateKey.confirm')}
          value={form.passphrase}
          confirm={form.confirm}
          onInput={(passphrase, confirm) => setForm({ ...form, passphrase, confirm })}
        />
      }
    >
      {done && (
        <p class="notice" role="status">
          {tr.t('rotateKey.done')}
        </p>
      )}
    </FileWithPassphrase>
  );
}
