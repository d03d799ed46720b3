/**
 * The passcode lock: the data key that seals the phone's rows, kept only wrapped under a key the
 * monitor's passcode derives (Argon2id), with what the lock needs to resist guessing: wrong tries
 * counted before each try is made (so killing the page does not reset them), a growing wait after
 * the third, an optional wipe after N, and an optional wipe passcode that wipes instead of
 * unlocking. Pure logic over a small store, so tests run it without a browser.
 *
 * The record lies in idb-keyval under a name the panic's first step deletes (`wrappedDataKey`):
 * once it is gone, whatever the rest of a cut-short wipe left behind is ciphertext.
 */
import { z } from 'zod/mini';
import {
  concatBytes,
  constantTimeEqual,
  fromBase64url,
  ownBytes,
  sha256,
  toBase64url,
  utf8,
  type Bytes,
} from '../../domain/crypto/bytes.ts';
import { ARGON2ID_DEFAULT, passphraseLongEnough, runArgon2With, type Argon2idParams } from '../../domain/crypto/passphrase.ts';
import {
  deriveFor,
  unwrapWithDerived,
  wrapUnderDerived,
  wrapUnderPassphrase,
  wrappedKeySchema,
  type WrappedKey,
} from '../../domain/crypto/wrapped-key.ts';
import { cryptoRandom, type RandomBytes } from '../../domain/ids.ts';

import { DATA_KEY_BYTES, IDLE_MINUTES, WIPE_AFTER } from './options.ts';
import { argon2InWorker } from './argon2-worker.ts';

export { IDLE_MINUTES, WIPE_AFTER } from './options.ts';

// In the browser every derivation from here on runs in a worker of its own (argon2.worker.ts); tests in Node run it here.
if (typeof Worker !== 'undefined') runArgon2With(argon2InWorker);

export const lockRecordSchema = z.object({
  v: z.literal(1),
  wrapped: wrappedKeySchema,
  /** The wipe passcode's verifier: SHA-256 over a label and what that passcode derives, never the passcode itself. */
  duress: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/))),
  /** Wrong tries in a row, counted before each try is checked. */
  failures: z.int().check(z.minimum(0)),
  /** No try is taken before this time (ms). */
  notBefore: z.number(),
  idleMinutes: z.number().check(z.minimum(1), z.maximum(24 * 60)),
  /** 0: never wipe for wrong tries. */
  wipeAfter: z.int().check(z.minimum(0), z.maximum(1000)),
});
export type LockRecord = z.infer<typeof lockRecordSchema>;

export interface LockRecordStore {
  read(): Promise<unknown>;
  write(record: LockRecord): Promise<void>;
}

/** Catalog keys of what can go wrong at the lock. */
export const LOCK_ERRORS = {
  tooShort: 'lock.err.tooShort',
  mismatch: 'lock.err.mismatch',
  wrong: 'lock.err.wrong',
  damaged: 'lock.err.damaged',
  sameAsPasscode: 'lock.err.wipePasscodeSame',
} as const;

/** Wrong tries before the first wait, and how the wait grows after them: 5 s, doubling, at most 15 min. */
export const FREE_TRIES = 3;
const FIRST_WAIT_MS = 5_000;
const LONGEST_WAIT_MS = 15 * 60_000;

export function waitAfter(failures: number): number {
  if (failures < FREE_TRIES) return 0;
  return Math.min(LONGEST_WAIT_MS, FIRST_WAIT_MS * 2 ** (failures - FREE_TRIES));
}

/** Bound into every stored verifier: the text never changes. */
const WIPE_PASSCODE_LABEL = utf8('rasid/duress-passcode/1');

async function wipePasscodeVerifier(derived: Bytes): Promise<string> {
  return toBase64url(await sha256(concatBytes(WIPE_PASSCODE_LABEL, derived)));
}

async function exportRaw(key: CryptoKey): Promise<Bytes> {
  return new Uint8Array(await crypto.subtle.exportKey('raw', key));
}

export async function readRecord(store: LockRecordStore): Promise<LockRecord | undefined> {
  const raw = await store.read();
  if (raw === undefined) return undefined;
  const parsed = lockRecordSchema.safeParse(raw);
  // A record that is there but not readable is not "no passcode yet": that would let anyone set a new
  // one over the old data. It reads as damaged, and only a wipe starts again.
  if (!parsed.success) throw new Error(LOCK_ERRORS.damaged);
  return parsed.data;
}

export type SetUpResult = { ok: true; key: Bytes } | { ok: false; reason: (typeof LOCK_ERRORS)['tooShort' | 'mismatch'] };

/** A new random data key, as raw bytes and as the key to wrap. */
async function newDataKey(random: RandomBytes): Promise<{ raw: Bytes; key: CryptoKey }> {
  const raw = ownBytes(random(DATA_KEY_BYTES));
  return { raw, key: await crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, true, ['encrypt', 'decrypt']) };
}

/** The record a first set-up writes: no wrong tries, no wipe passcode, the default lock options. */
const firstRecord = (wrapped: WrappedKey): LockRecord => ({
  v: 1,
  wrapped,
  failures: 0,
  notBefore: 0,
  idleMinutes: IDLE_MINUTES[0],
  wipeAfter: WIPE_AFTER[0],
});

/** The first passcode: a new random data key, wrapped under it. Returns the key to unlock with. */
export async function setUpPasscode(
  store: LockRecordStore,
  passcode: string,
  confirm: string,
  opts: { params?: Argon2idParams; random?: RandomBytes } = {},
): Promise<SetUpResult> {
  if (!passphraseLongEnough(passcode)) return { ok: false, reason: LOCK_ERRORS.tooShort };
  if (passcode.normalize('NFC') !== confirm.normalize('NFC')) return { ok: false, reason: LOCK_ERRORS.mismatch };
  const random = opts.random ?? cryptoRandom;
  const { raw, key } = await newDataKey(random);
  const wrapped = await wrapUnderPassphrase(key, passcode, { params: opts.params ?? ARGON2ID_DEFAULT, random });
  if (!wrapped.ok) return { ok: false, reason: LOCK_ERRORS.tooShort };
  await store.write(firstRecord(wrapped.wrapped));
  return { ok: true, key: raw };
}

/**
 * What the phone starts again with after the wipe passcode: a new data key, and a record as a first
 * set-up writes it, in which the wipe passcode is the passcode. Wrapped under what that passcode's
 * try just derived, with the old record's parameters and salt: no second Argon2id, so the try takes
 * as long as a real unlock. Written by the caller once the wipe is done, never before.
 */
export interface StartAgain {
  record: LockRecord;
  key: Bytes;
}

async function startAgainWith(old: LockRecord, derived: Bytes): Promise<StartAgain> {
  const { raw, key } = await newDataKey(cryptoRandom);
  const wrapped = await wrapUnderDerived(key, old.wrapped, derived);
  if (!wrapped) throw new Error(LOCK_ERRORS.damaged);
  return { record: firstRecord(wrapped), key: raw };
}

export type UnlockResult =
  | { ok: true; key: Bytes; record: LockRecord }
  | { ok: false; reason: 'wait'; waitMs: number }
  | { ok: false; reason: 'wrong'; failures: number; waitMs: number; triesLeft?: number }
  /**
   * The wipe passcode, or one wrong try too many with a wipe set: the caller wipes the phone now.
   * After the wipe passcode, `startAgain` is what the wiped phone opens with.
   */
  | { ok: false; reason: 'wipe'; startAgain?: StartAgain };

/** User Timing marks around the passcode's key derivation (`npm run bench` reads them). */
export const UNLOCK_MARKS = { deriving: 'rasid:deriving', derived: 'rasid:derived' } as const;

/**
 * One try of a passcode. The try is counted (and its wait set) before Argon2id runs, and undone
 * only by success: a page closed mid-try still counts it.
 */
export async function unlockWith(store: LockRecordStore, passcode: string, now: number): Promise<UnlockResult> {
  const record = await readRecord(store);
  if (!record) throw new Error(LOCK_ERRORS.damaged);
  if (now < record.notBefore) return { ok: false, reason: 'wait', waitMs: record.notBefore - now };
  const failures = record.failures + 1;
  await store.write({ ...record, failures, notBefore: now + waitAfter(failures) });

  // Marks for the bench, which reads how long the list takes once the key is derived.
  performance.mark(UNLOCK_MARKS.deriving);
  const derived = await deriveFor(record.wrapped, passcode);
  performance.mark(UNLOCK_MARKS.derived);
  if (!derived) throw new Error(LOCK_ERRORS.damaged);
  try {
    if (record.duress !== undefined) {
      const expected = fromBase64url(record.duress)!;
      if (constantTimeEqual(fromBase64url(await wipePasscodeVerifier(derived))!, expected)) {
        return { ok: false, reason: 'wipe', startAgain: await startAgainWith(record, derived) };
      }
    }
    const opened = await unwrapWithDerived(record.wrapped, derived, { extractable: true });
    if (!opened.ok) {
      if (record.wipeAfter > 0 && failures >= record.wipeAfter) return { ok: false, reason: 'wipe' };
      const triesLeft = record.wipeAfter > 0 ? record.wipeAfter - failures : undefined;
      return { ok: false, reason: 'wrong', failures, waitMs: waitAfter(failures), ...(triesLeft !== undefined && { triesLeft }) };
    }
    const unlocked = { ...record, failures: 0, notBefore: 0 };
    await store.write(unlocked);
    return { ok: true, key: await exportRaw(opened.key), record: unlocked };
  } finally {
    derived.fill(0);
  }
}

/** Sets or clears the wipe passcode; it must not open the data key (that would make it the real one). */
export async function setWipePasscode(
  store: LockRecordStore,
  wipePasscode: string | undefined,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const record = await readRecord(store);
  if (!record) throw new Error(LOCK_ERRORS.damaged);
  if (wipePasscode === undefined) {
    const { duress: _cleared, ...rest } = record;
    await store.write(rest);
    return { ok: true };
  }
  if (!passphraseLongEnough(wipePasscode)) return { ok: false, reason: LOCK_ERRORS.tooShort };
  const derived = await deriveFor(record.wrapped, wipePasscode);
  if (!derived) throw new Error(LOCK_ERRORS.damaged);
  try {
    if ((await unwrapWithDerived(record.wrapped, derived)).ok) return { ok: false, reason: LOCK_ERRORS.sameAsPasscode };
    await store.write({ ...record, duress: await wipePasscodeVerifier(derived) });
    return { ok: true };
  } finally {
    derived.fill(0);
  }
}

/** Idle time and wipe-after-N, as chosen in Settings. */
export async function setLockOptions(store: LockRecordStore, options: { idleMinutes?: number; wipeAfter?: number }): Promise<LockRecord> {
  const record = await readRecord(store);
  if (!record) throw new Error(LOCK_ERRORS.damaged);
  const next = lockRecordSchema.parse({ ...record, ...options });
  await store.write(next);
  return next;
}

/** A new passcode over the same data key (the rows need no rewriting). Needs the current one. */
export async function changePasscode(
  store: LockRecordStore,
  current: string,
  next: string,
  confirm: string,
  opts: { params?: Argon2idParams; random?: RandomBytes; now?: number } = {},
): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (!passphraseLongEnough(next)) return { ok: false, reason: LOCK_ERRORS.tooShort };
  if (next.normalize('NFC') !== confirm.normalize('NFC')) return { ok: false, reason: LOCK_ERRORS.mismatch };
  const opened = await unlockWith(store, current, opts.now ?? Date.now());
  if (!opened.ok) return { ok: false, reason: opened.reason === 'wipe' ? 'wipe' : LOCK_ERRORS.wrong };
  const dataKey = await crypto.subtle.importKey('raw', opened.key, { name: 'AES-GCM' }, true, ['encrypt', 'decrypt']);
  opened.key.fill(0);
  const wrapped = await wrapUnderPassphrase(dataKey, next, { params: opts.params ?? ARGON2ID_DEFAULT, random: opts.random });
  if (!wrapped.ok) return { ok: false, reason: LOCK_ERRORS.tooShort };
  // The wipe passcode's verifier was made under the old salt: it is cleared, and says so in Settings.
  const { duress: _old, ...rest } = opened.record;
  await store.write({ ...rest, wrapped: wrapped.wrapped });
  return { ok: true };
}
