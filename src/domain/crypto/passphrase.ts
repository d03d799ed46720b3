/**
 * Keys derived from a passcode or passphrase with Argon2id (RFC 9106), through hash-wasm's
 * WebAssembly, since WebCrypto has no memory-hard function (PBKDF2 is cheap on a GPU).
 *
 * The parameters are stored beside what they protect (wrapped-key.ts), so they can be raised later
 * without making old blobs unreadable. hash-wasm is imported on first use only: the phone's first
 * load must not pay for the WebAssembly.
 */
import { z } from 'zod/mini';
import { ownBytes, utf8, type Bytes } from './bytes.ts';

export const argon2idParamsSchema = z.object({
  /** Memory, KiB. */
  m: z.int(),
  /** Passes over the memory. */
  t: z.int(),
  /** Lanes. */
  p: z.int(),
});
export type Argon2idParams = z.infer<typeof argon2idParamsSchema>;

/**
 * The least this code ever wraps under, and so the least it reads: 19 MiB, 2 passes, 1 lane (the
 * OWASP minimum for Argon2id). Anything below it was not written by Rasid.
 */
export const ARGON2ID_FLOOR: Argon2idParams = { m: 19 * 1024, t: 2, p: 1 };
/**
 * What new blobs get: 64 MiB, 3 passes, 1 lane, the second of RFC 9106's recommended settings
 * (with one lane, as hash-wasm runs lanes one after another anyway). Measured on the development
 * machine at about 0.45 s in Node; a mid-range phone is several times slower, near the "about a
 * second" unlock the security issue asks for. To be tuned on real phones.
 */
export const ARGON2ID_DEFAULT: Argon2idParams = { m: 64 * 1024, t: 3, p: 1 };
/** The most a stored blob may ask for, so a planted blob cannot make unlock exhaust the phone. */
export const ARGON2ID_CEILING: Argon2idParams = { m: 1024 * 1024, t: 16, p: 8 };

export const SALT_BYTES = 16;
/** A passcode shorter than this is refused: the wrapped key on a copied phone can be attacked offline. */
export const MIN_PASSPHRASE_LENGTH = 8;
export const PASSPHRASE_TOO_SHORT = 'err.passphrase.tooShort';

export function withinLimits(params: Argon2idParams): boolean {
  const inRange = (x: number, lo: number, hi: number) => Number.isSafeInteger(x) && x >= lo && x <= hi;
  return (
    inRange(params.m, ARGON2ID_FLOOR.m, ARGON2ID_CEILING.m) &&
    inRange(params.t, ARGON2ID_FLOOR.t, ARGON2ID_CEILING.t) &&
    inRange(params.p, ARGON2ID_FLOOR.p, ARGON2ID_CEILING.p) &&
    // Argon2 needs at least 8 KiB per lane.
    params.m >= 8 * params.p
  );
}

/** Whether a blob under these parameters should be wrapped again under the current defaults. */
export function belowDefault(params: Argon2idParams): boolean {
  return params.m < ARGON2ID_DEFAULT.m || params.t < ARGON2ID_DEFAULT.t || params.p < ARGON2ID_DEFAULT.p;
}

/**
 * The passphrase as bytes, in Unicode NFC: an Arabic or accented passphrase typed on two keyboards
 * can arrive in two spellings of the same letters, and must give the same key.
 */
export function passphraseBytes(passphrase: string): Bytes {
  return utf8(passphrase.normalize('NFC'));
}

export function passphraseLongEnough(passphrase: string): boolean {
  return [...passphrase.normalize('NFC')].length >= MIN_PASSPHRASE_LENGTH;
}

/**
 * A file that travels (the key file, the root file) can be copied and attacked offline for as long as
 * anyone likes, and opens every report sealed to its key: its passphrase is at least this many
 * different words. Words, not characters, because a phrase is what a person can hold in mind and
 * copy onto paper, and each random word from a list of 2,048 adds 11 bits.
 */
export const MIN_FILE_PASSPHRASE_WORDS = 5;
export const FEW_WORDS = 'deploymentKey.err.fewWords';

/** The different words of a passphrase: runs of letters or digits of two or more, split at spaces and punctuation. */
function distinctWords(passphrase: string): Set<string> {
  const words = passphrase
    .normalize('NFC')
    .toLowerCase()
    .split(/[\s\p{P}\p{S}]+/u)
    .filter((w) => [...w].length >= 2);
  return new Set(words);
}

export function enoughWords(passphrase: string): boolean {
  return distinctWords(passphrase).size >= MIN_FILE_PASSPHRASE_WORDS;
}

/** Argon2id itself, as `argon2idBytes` runs it: in this thread unless `runArgon2With` was given another place. */
export type Argon2Runner = (password: Uint8Array, salt: Uint8Array, params: Argon2idParams, length: number) => Promise<Bytes>;

/** Argon2id in the calling thread. Parameters are not checked here. */
export async function argon2idHere(password: Uint8Array, salt: Uint8Array, params: Argon2idParams, length = 32): Promise<Bytes> {
  const { argon2id } = await import('hash-wasm');
  const out = await argon2id({
    password,
    salt,
    iterations: params.t,
    memorySize: params.m,
    parallelism: params.p,
    hashLength: length,
    outputType: 'binary',
  });
  return ownBytes(out);
}

let runArgon2: Argon2Runner = argon2idHere;

/**
 * Where every later derivation runs. The phone runs it in a Web Worker (app/lock/argon2-worker.ts):
 * the 64 MiB it allocates, and collecting it afterwards, then block neither the lock screen nor the
 * list drawn right after it.
 */
export function runArgon2With(run: Argon2Runner): void {
  runArgon2 = run;
}

/** Raw Argon2id output: for known-answer tests and for `deriveWrappingKey`. Parameters are not checked here. */
export function argon2idBytes(password: Uint8Array, salt: Uint8Array, params: Argon2idParams, length = 32): Promise<Bytes> {
  return runArgon2(password, salt, params, length);
}

/**
 * An AES-256-GCM key (non-extractable) that wraps and unwraps other keys, from a passphrase, a
 * salt and parameters. The derived bytes are zeroed once imported; JavaScript gives no stronger
 * promise than that about copies in memory.
 */
export async function deriveWrappingKey(passphrase: string, salt: Uint8Array, params: Argon2idParams): Promise<CryptoKey> {
  const bytes = await argon2idBytes(passphraseBytes(passphrase), salt, params);
  try {
    return await globalThis.crypto.subtle.importKey('raw', bytes, { name: 'AES-GCM' }, false, ['wrapKey', 'unwrapKey']);
  } finally {
    bytes.fill(0);
  }
}
