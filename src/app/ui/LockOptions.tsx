/** The lock's options: idle time, wipe after wrong tries, a plain name and icon, the wipe passcode, and changing the passcode. */
import { useState } from 'preact/hooks';
import { browserLockRecordStore } from '../lock/lock-record-store.ts';
import {
  changePasscode,
  IDLE_MINUTES,
  readRecord,
  setLockOptions,
  setWipePasscode,
  WIPE_AFTER,
  type LockRecord,
} from '../lock/lock-record.ts';
import { AppearanceChoice } from './AppearanceChoice.tsx';
import { useAppearance, useTr } from './context.ts';
import { passcodeAsTyped } from './LockScreen.tsx';
import { useAsync } from './use-async.ts';

type Outcome = { ok: boolean; key: string } | undefined;

function Outcome({ outcome }: { outcome: Outcome }) {
  const tr = useTr();
  if (!outcome) return null;
  return outcome.ok ? (
    <p role="status">{tr.tk(outcome.key)}</p>
  ) : (
    <p class="form-error" role="alert">
      {tr.tk(outcome.key)}
    </p>
  );
}

export function LockOptions() {
  const tr = useTr();
  const { appearance, setAppearance } = useAppearance();
  const stored = useAsync(() => readRecord(browserLockRecordStore), []).value;
  // The record as this screen last saved it, once it has.
  const [saved, setRecord] = useState<LockRecord>();
  const record = saved ?? stored;
  const [options, setOptions] = useState<Outcome>();
  const [wipePasscodeTyped, setWipePasscodeTyped] = useState('');
  const [wipePasscodeOutcome, setWipePasscodeOutcome] = useState<Outcome>();
  const [change, setChange] = useState({ current: '', next: '', confirm: '' });
  const [changeOutcome, setChangeOutcome] = useState<Outcome>();
  const [busy, setBusy] = useState(false);

  if (!record) return null;

  const saveOption = async (option: { idleMinutes?: number; wipeAfter?: number }) => {
    setRecord(await setLockOptions(browserLockRecordStore, option));
    setOptions({ ok: true, key: 'lock.options.saved' });
  };

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    try {
      await work();
    } finally {
      setBusy(false);
    }
  };

  const saveWipePasscode = (value: string | undefined) =>
    run(async () => {
      const result = await setWipePasscode(browserLockRecordStore, value === undefined ? undefined : passcodeAsTyped(value));
      setWipePasscodeOutcome(result.ok ? { ok: true, key: 'lock.options.saved' } : { ok: false, key: result.reason });
      if (result.ok) setWipePasscodeTyped('');
      setRecord(await readRecord(browserLockRecordStore));
    });

  const saveChange = (e: Event) => {
    e.preventDefault();
    return run(async () => {
      const result = await changePasscode(
        browserLockRecordStore,
        passcodeAsTyped(change.current),
        passcodeAsTyped(change.next),
        passcodeAsTyped(change.confirm),
      );
      setChangeOutcome(result.ok ? { ok: true, key: 'lock.change.done' } : { ok: false, key: result.reason });
      if (result.ok) setChange({ current: '', next: '', confirm: '' });
      setRecord(await readRecord(browserLockRecordStore));
    });
  };

  return (
    <>
      <section class="form-section" aria-labelledby="lock-h">
        <h2 id="lock-h">{tr.t('lock.options.title')}</h2>
        <div class="field">
          <label for="lock-idle">{tr.t('lock.options.idle')}</label>
          <select
            id="lock-idle"
            value={record.idleMinutes}
            onChange={(e) => void saveOption({ idleMinutes: Number(e.currentTarget.value) })}
          >
            {[...IDLE_MINUTES]
              .sort((a, b) => a - b)
              .map((m) => (
                <option key={m} value={m}>
                  {tr.number(m)}
                </option>
              ))}
          </select>
        </div>
        <div class="field">
          <label for="lock-wipe">{tr.t('lock.options.wipeAfter')}</label>
          <select id="lock-wipe" value={record.wipeAfter} onChange={(e) => void saveOption({ wipeAfter: Number(e.currentTarget.value) })}>
            {WIPE_AFTER.map((n) => (
              <option key={n} value={n}>
                {n === 0 ? tr.t('lock.options.wipeNever') : tr.plural('lock.options.wipeTries', n)}
              </option>
            ))}
          </select>
        </div>
        <Outcome outcome={options} />
      </section>
      <section class="form-section" aria-labelledby="appearance-h">
        <h2 id="appearance-h">{tr.t('appearance.title')}</h2>
        <AppearanceChoice tr={tr} appearance={appearance} onChange={setAppearance} id="appearance" />
      </section>
      <section class="form-section" aria-labelledby="wipe-passcode-h">
        <h2 id="wipe-passcode-h">{tr.t('lock.wipePasscode.title')}</h2>
        <p class="hint">{tr.t('lock.wipePasscode.intro')}</p>
        <p>{tr.t(record.duress ? 'lock.wipePasscode.isSet' : 'lock.wipePasscode.notSet')}</p>
        <div class="field">
          <label for="lock-wipe-passcode">{tr.t('lock.wipePasscode.label')}</label>
          <input
            id="lock-wipe-passcode"
            type="password"
            autocomplete="new-password"
            value={wipePasscodeTyped}
            onInput={(e) => setWipePasscodeTyped(e.currentTarget.value)}
          />
        </div>
        <button type="button" class="secondary" disabled={busy} onClick={() => void saveWipePasscode(wipePasscodeTyped)}>
          {tr.t('lock.wipePasscode.set')}
        </button>
        {record.duress && (
          <button type="button" class="secondary" disabled={busy} onClick={() => void saveWipePasscode(undefined)}>
            {tr.t('lock.wipePasscode.clear')}
          </button>
        )}
        <Outcome outcome={wipePasscodeOutcome} />
      </section>
      <section class="form-section" aria-labelledby="change-h">
        <h2 id="change-h">{tr.t('lock.change.title')}</h2>
        <form onSubmit={(e) => void saveChange(e)} aria-labelledby="change-h">
          {(['current', 'next', 'confirm'] as const).map((k) => (
            <div class="field" key={k}>
              <label for={`lock-${k}`}>{tr.t(`lock.change.${k}`)}</label>
              <input
                id={`lock-${k}`}
                type="password"
                autocomplete={k === 'current' ? 'current-password' : 'new-password'}
                value={change[k]}
                onInput={(e) => setChange({ ...change, [k]: e.currentTarget.value })}
                required
              />
            </div>
          ))}
          <button type="submit" class="secondary" disabled={busy}>
            {tr.t('lock.change.action')}
          </button>
        </form>
        <Outcome outcome={changeOutcome} />
      </section>
    </>
  );
}
