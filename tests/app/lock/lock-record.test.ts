import type * as HashWasm from 'hash-wasm';
import { describe, expect, test, vi } from 'vitest';

/** Argon2id as the library runs it, counted: a wipe passcode's try must cost what a real one costs. */
const { argon2id } = vi.hoisted(() => ({ argon2id: vi.fn() }));
vi.mock('hash-wasm', async (original) => {
  const lib = await original<typeof HashWasm>();
  argon2id.mockImplementation(lib.argon2id);
  return { ...lib, argon2id };
});
import { toBase64url } from '../../../src/domain/crypto/bytes.ts';
import { ARGON2ID_FLOOR } from '../../../src/domain/crypto/passphrase.ts';
import {
  changePasscode,
  FREE_TRIES,
  LOCK_ERRORS,
  setLockOptions,
  setUpPasscode,
  setWipePasscode,
  unlockWith,
  waitAfter,
  type LockRecord,
  type LockRecordStore,
} from '../../../src/app/lock/lock-record.ts';

/** The smallest parameters the code accepts, so each try takes a fraction of a second here. */
const FAST = { params: ARGON2ID_FLOOR };
const PASSCODE = 'سبعة-أشجار-زيتون';
const T = Date.UTC(2026, 10, 24, 9);

function memoryStore(): LockRecordStore & { writes: LockRecord[]; current(): LockRecord } {
  let value: unknown;
  const writes: LockRecord[] = [];
  return {
    writes,
    read: async () => (value === undefined ? undefined : structuredClone(value)),
    write: async (r) => {
      writes.push(structuredClone(r));
      value = structuredClone(r);
    },
    current: () => structuredClone(value) as LockRecord,
  };
}

async function setUp() {
  const store = memoryStore();
  const made = await setUpPasscode(store, PASSCODE, PASSCODE, FAST);
  if (!made.ok) throw new Error(made.reason);
  return { store, key: made.key };
}

describe('setting the passcode', () => {
  test('refuses fewer than 8 characters and a confirmation that differs; never stores the data key in clear', async () => {
    const store = memoryStore();
    expect(await setUpPasscode(store, '١٢٣٤٥٦٧', '١٢٣٤٥٦٧', FAST)).toEqual({ ok: false, reason: LOCK_ERRORS.tooShort });
    expect(await setUpPasscode(store, PASSCODE, PASSCODE + 'x', FAST)).toEqual({ ok: false, reason: LOCK_ERRORS.mismatch });
    expect(store.writes).toEqual([]);
    const made = await setUpPasscode(store, PASSCODE, PASSCODE, FAST);
    expect(made.ok).toBe(true);
    const stored = JSON.stringify(store.current());
    expect(stored).not.toContain(toBase64url((made as { key: Uint8Array }).key));
    expect(stored).not.toContain(PASSCODE);
    expect(store.current()).toMatchObject({ failures: 0, notBefore: 0, idleMinutes: 5, wipeAfter: 0 });
  });
});

describe('unlocking', () => {
  test('the passcode gives back the same data key; a wrong one gives none', async () => {
    const { store, key } = await setUp();
    const opened = await unlockWith(store, PASSCODE, T);
    expect(opened.ok && Array.from(opened.key)).toEqual(Array.from(key));
    expect(await unlockWith(store, 'not-the-passcode', T)).toMatchObject({ ok: false, reason: 'wrong', failures: 1 });
  });

  test('each try is counted before it is checked, so closing the page mid-try does not undo it', async () => {
    const { store } = await setUp();
    store.writes.length = 0;
    await unlockWith(store, PASSCODE, T);
    expect(store.writes.map((w) => w.failures)).toEqual([1, 0]);
  });

  test(`after ${FREE_TRIES} wrong tries each wait doubles; a try during the wait is not taken`, async () => {
    const { store } = await setUp();
    let now = T;
    for (let i = 1; i < FREE_TRIES; i++)
      expect(await unlockWith(store, `wrong-try-${i}`, now)).toMatchObject({ reason: 'wrong', waitMs: 0 });
    expect(await unlockWith(store, 'wrong-try-3', now)).toMatchObject({ reason: 'wrong', failures: 3, waitMs: 5_000 });
    expect(await unlockWith(store, PASSCODE, now + 4_000)).toEqual({ ok: false, reason: 'wait', waitMs: 1_000 });
    expect(store.current().failures).toBe(3);
    now += 5_000;
    expect(await unlockWith(store, 'wrong-try-4', now)).toMatchObject({ reason: 'wrong', waitMs: 10_000 });
    now += 10_000;
    expect((await unlockWith(store, PASSCODE, now)).ok).toBe(true);
    expect(store.current()).toMatchObject({ failures: 0, notBefore: 0 });
    expect(waitAfter(40)).toBe(15 * 60_000);
  });

  test('with a wipe after N tries set, the Nth wrong try asks for the wipe and each before it says how many remain', async () => {
    const { store } = await setUp();
    await setLockOptions(store, { wipeAfter: 5 });
    let now = T;
    for (let i = 1; i < 5; i++) {
      const r = await unlockWith(store, `wrong-${i}`, now);
      expect(r).toMatchObject({ reason: 'wrong', triesLeft: 5 - i });
      if (!r.ok && r.reason === 'wrong') now += r.waitMs;
    }
    expect(await unlockWith(store, 'wrong-5', now)).toEqual({ ok: false, reason: 'wipe' });
  });

  test('the wipe passcode asks for the wipe; it cannot be the passcode itself; the real one still unlocks', async () => {
    const { store } = await setUp();
    expect(await setWipePasscode(store, PASSCODE)).toEqual({ ok: false, reason: LOCK_ERRORS.sameAsPasscode });
    expect(await setWipePasscode(store, 'short')).toEqual({ ok: false, reason: LOCK_ERRORS.tooShort });
    expect(await setWipePasscode(store, 'orange-grove-42')).toEqual({ ok: true });
    expect(JSON.stringify(store.current())).not.toContain('orange-grove-42');
    expect(await unlockWith(store, 'orange-grove-42', T)).toMatchObject({ ok: false, reason: 'wipe' });
    expect((await unlockWith(store, PASSCODE, T)).ok).toBe(true);
    await setWipePasscode(store, undefined);
    expect(await unlockWith(store, 'orange-grove-42', T)).toMatchObject({ reason: 'wrong' });
  });

  test('the wipe passcode gives what the wiped phone starts again with: a new key, under that passcode, from the one derivation', async () => {
    const { store, key } = await setUp();
    await setWipePasscode(store, 'orange-grove-42');
    const before = store.current();
    const writes = store.writes.length;
    const derivations = argon2id.mock.calls.length;
    const wiped = await unlockWith(store, 'orange-grove-42', T);
    // One Argon2id run, as for the real passcode's try; nothing written but the try's count.
    expect(argon2id.mock.calls.length - derivations).toBe(1);
    const real = argon2id.mock.calls.length;
    expect((await unlockWith(store, PASSCODE, T)).ok).toBe(true);
    expect(argon2id.mock.calls.length - real).toBe(1);
    expect(store.writes.length - writes).toBe(3);
    if (wiped.ok || wiped.reason !== 'wipe' || !wiped.startAgain) throw new Error('no start again');
    const { record, key: fresh } = wiped.startAgain;
    expect(toBase64url(fresh)).not.toBe(toBase64url(key));
    // As a first set-up writes it: no wipe passcode, no wrong tries, the default options; the same
    // parameters and salt as the try just derived under.
    expect(record).toMatchObject({ v: 1, failures: 0, notBefore: 0, idleMinutes: 5, wipeAfter: 0 });
    expect(record).not.toHaveProperty('duress');
    expect(record.wrapped.kdf).toEqual(before.wrapped.kdf);
    expect(JSON.stringify(record)).not.toContain(toBase64url(fresh));
    // Written, the passcode just typed opens it and gives the new key; the old passcode does not.
    const next = memoryStore();
    await next.write(record);
    expect(await unlockWith(next, 'orange-grove-42', T)).toMatchObject({ ok: true, key: fresh });
    expect(await unlockWith(next, PASSCODE, T)).toMatchObject({ ok: false, reason: 'wrong' });
  });

  test('a new passcode opens the same data key; the old one no longer does', async () => {
    const { store, key } = await setUp();
    await setWipePasscode(store, 'orange-grove-42');
    expect(await changePasscode(store, 'not-it-at-all', 'new-passcode-99', 'new-passcode-99', { ...FAST, now: T })).toEqual({
      ok: false,
      reason: LOCK_ERRORS.wrong,
    });
    expect(await changePasscode(store, PASSCODE, 'new-passcode-99', 'new-passcode-99', { ...FAST, now: T })).toEqual({ ok: true });
    expect(await unlockWith(store, PASSCODE, T + 60_000)).toMatchObject({ reason: 'wrong' });
    const opened = await unlockWith(store, 'new-passcode-99', T + 120_000);
    expect(opened.ok && Array.from(opened.key)).toEqual(Array.from(key));
    expect(store.current().duress).toBeUndefined();
  });

  test('a damaged record is never taken for "no passcode yet"', async () => {
    const store = memoryStore();
    await store.write({ v: 1 } as LockRecord);
    await expect(unlockWith(store, PASSCODE, T)).rejects.toThrow(LOCK_ERRORS.damaged);
  });
});
