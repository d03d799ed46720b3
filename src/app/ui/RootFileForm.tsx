/**
 * The root file opened on the desk, when a coordinator joins or leaves: the root then names every
 * coordinator the base lists and revokes those it revoked (sync/root-signing.ts). The file is read
 * for this one signature and kept nowhere.
 */
import { useState } from 'preact/hooks';
import { MAX_ROOT_FILE_SIZE, ROOT_FILE_ERRORS, signWithRootFile } from '../sync/root-signing.ts';
import { useEnrollment, useTr, useWriter } from './context.ts';
import { FileWithPassphrase } from './FileWithPassphrase.tsx';
import { passcodeAsTyped } from './LockScreen.tsx';

export function RootFileForm() {
  const tr = useTr();
  const { writer } = useWriter();
  const { sync } = useEnrollment();
  const [chosen, setChosen] = useState<File>();
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<number>();
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    if (busy || !sync) return;
    if (!chosen || chosen.size > MAX_ROOT_FILE_SIZE) return setError(ROOT_FILE_ERRORS.notRootFile);
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      // The root's next statement takes the number after the highest of its statements this desk
      // holds: a desk that has not pulled since it enrolled (or since another desk signed) would
      // sign under a number the base already holds, and the base would refuse that statement.
      await sync.syncNow();
      const keys = await sync.keys();
      if (!keys) return setError('sync.err.keys');
      const ctx = { db: writer.db, keys, endpoint: sync.endpoint, now: writer.now, random: writer.random };
      const signed = await signWithRootFile(await chosen.text(), passcodeAsTyped(passphrase), ctx);
      if (!signed.ok) return setError(signed.reason);
      setPassphrase('');
      setDone(signed.coordinators);
      await sync.syncNow();
    } catch {
      setError('sync.err.network');
    } finally {
      setBusy(false);
    }
  };

  return (
    <FileWithPassphrase
      id="root-file"
      title={tr.t('rootFile.title')}
      intro={tr.t('rootFile.intro')}
      fileLabel={tr.t('rootFile.file')}
      passphraseLabel={tr.t('deploymentKey.rootPassphrase')}
      button={tr.t('rootFile.button')}
      passphrase={passphrase}
      busy={busy}
      error={error}
      wrongPassphrase={ROOT_FILE_ERRORS.wrongPassphrase}
      onFile={setChosen}
      onPassphrase={setPassphrase}
      onSubmit={() => void submit()}
    >
      {done !== undefined && (
        <p class="notice" role="status">
          {tr.plural('rootFile.done', done)}
        </p>
      )}
    </FileWithPassphrase>
  );
}
