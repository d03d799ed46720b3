/**
 * The first screen at every start: choose a passcode (the first time) or enter it. Nothing of the
 * app's data is read before it has done its work; the data key it yields unlocks the database.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Translator } from '../i18n/i18n.ts';
import type { LockRecordStore, StartAgain } from '../lock/lock-record.ts';

export interface LockScreenProps {
  tr: Translator;
  store: LockRecordStore;
  /** Whether a passcode exists yet. */
  mode: 'setUp' | 'unlock';
  onUnlocked: (key: Uint8Array) => void;
  /**
   * The wipe passcode (with what the wiped phone opens with), or the last wrong try with a wipe set.
   * The screen stays busy until it ends.
   */
  onWipe: (startAgain?: StartAgain) => Promise<void>;
}

type Message = { key: string; n?: number } | undefined;

/**
 * Digits typed on an Arabic or Persian keyboard give the same passcode as the same digits typed in
 * Latin: a monitor who set it on one keyboard layout must be able to type it on another.
 */
export function passcodeAsTyped(v: string): string {
  return v.replace(/[\u0660-\u0669\u06f0-\u06f9]/g, (d) => String((d.codePointAt(0)! - 0x0660) % 0x90));
}

export function LockScreen({ tr, store, mode, onUnlocked, onWipe }: LockScreenProps) {
  const [passcode, setPasscode] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Message>();
  const [note, setNote] = useState<Message>();
  const [waitUntil, setWaitUntil] = useState(0);
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    if (waitUntil <= now) return;
    const timer = setTimeout(() => setNow(Date.now()), 250);
    return () => clearTimeout(timer);
  }, [waitUntil, now]);

  const waiting = waitUntil > now;
  const title = tr.t(mode === 'setUp' ? 'lock.setUp.title' : 'lock.unlock.title');

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy || waiting) return;
    setBusy(true);
    setError(undefined);
    setNote(undefined);
    try {
      // The lock's code (schemas, Argon2id) loads on the first try, not with the first screen.
      const { setUpPasscode, unlockWith } = await import('../lock/lock-record.ts');
      if (mode === 'setUp') {
        const made = await setUpPasscode(store, passcodeAsTyped(passcode), passcodeAsTyped(confirm));
        if (made.ok) return onUnlocked(made.key);
        setError({ key: made.reason });
        return;
      }
      const result = await unlockWith(store, passcodeAsTyped(passcode), Date.now());
      if (result.ok) return onUnlocked(result.key);
      if (result.reason === 'wipe') return await onWipe(result.startAgain);
      setPasscode('');
      if (result.reason === 'wrong') {
        setError({ key: 'lock.err.wrong' });
        if (result.triesLeft !== undefined) setNote({ key: 'lock.triesLeft', n: result.triesLeft });
      }
      if (result.waitMs > 0) {
        setWaitUntil(Date.now() + result.waitMs);
        setNow(Date.now());
      }
    } catch (err) {
      setError({ key: (err as Error).message.startsWith('lock.') ? (err as Error).message : 'lock.err.damaged' });
    } finally {
      setBusy(false);
    }
  };

  const say = (m: NonNullable<Message>) => (m.n === undefined ? tr.tk(m.key) : tr.plural(m.key as 'lock.triesLeft', m.n));

  return (
    <main class="lock" lang={tr.lang} dir={tr.dir}>
      <h1>{title}</h1>
      {mode === 'setUp' && <p>{tr.t('lock.setUp.intro')}</p>}
      <form onSubmit={(e) => void submit(e)} aria-label={title}>
        <div class={`field${error ? ' has-error' : ''}`}>
          <label for="passcode">{tr.t('lock.passcode')}</label>
          <input
            id="passcode"
            type="password"
            autocomplete={mode === 'setUp' ? 'new-password' : 'current-password'}
            value={passcode}
            onInput={(e) => setPasscode(e.currentTarget.value)}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? 'passcode-error' : undefined}
            required
          />
        </div>
        {mode === 'setUp' && (
          <div class="field">
            <label for="passcode-confirm">{tr.t('lock.confirm')}</label>
            <input
              id="passcode-confirm"
              type="password"
              autocomplete="new-password"
              value={confirm}
              onInput={(e) => setConfirm(e.currentTarget.value)}
              required
            />
          </div>
        )}
        {error && (
          <p class="form-error" role="alert" id="passcode-error">
            {say(error)}
          </p>
        )}
        {note && <p class="notice">{say(note)}</p>}
        {waiting && (
          <p class="notice" role="status">
            {tr.plural('lock.wait', Math.ceil((waitUntil - now) / 1000))}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy || waiting}>
          {busy ? tr.t('lock.working') : tr.t(mode === 'setUp' ? 'lock.setUp.action' : 'lock.unlock.action')}
        </button>
      </form>
    </main>
  );
}
