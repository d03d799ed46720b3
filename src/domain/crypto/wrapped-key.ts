/**
 * Keys stored wrapped: a random AES-256-GCM data key, or a private key, encrypted under either a
 * passphrase-derived key (Argon2id, parameters stored beside it) or another key (the data key).
 *
 * Private keys are only ever stored like this: a non-extractable CryptoKey kept in IndexedDB still
 * lies unencrypted inside the browser profile. They are unwrapped into memory at unlock, as
 * non-extractable keys. The usual arrangement: passcode -> data key -> private keys, so changing the
 * passcode re-wraps one small blob.
 *
 * Layout (JSON, base64url fields): `{v: 1, kind, kdf?: {alg: "argon2id", m, t, p, salt}, pub?, iv, ct}`.
 * `ct` is AES-GCM (ciphertext then 16-byte tag) of the key (raw for a data key, PKCS#8 for a private
 * key); the associated data is the canonical JSON of every other field, so changing the kind, the
 * parameters, the salt or the public half makes unwrapping fail instead of giving a different key.
 */
import { z } from 'zod/mini';
import { canonicalJson } from '../canonical-json.ts';
import { cryptoRandom, type RandomBytes } from '../ids.ts';
import { KEY_ALGS, algOfKey, importParams, isAgreementAlg, privateUsages } from './algorithms.ts';
import { fromBase64url, ownBytes, toBase64url, utf8, type Bytes } from './bytes.ts';
import { readPublicKey, type PublicKey } from './keys.ts';
import {
  ARGON2ID_DEFAULT,
  PASSPHRASE_TOO_SHORT,
  argon2idBytes,
  passphraseBytes,
  SALT_BYTES,
  argon2idParamsSchema,
  belowDefault,
  deriveWrappingKey,
  passphraseLongEnough,
  withinLimits,
  type Argon2idParams,
} from './passphrase.ts';

export const WRAPPED_KEY_VERSION = 1;
export const DATA_KEY_KIND = 'aes-gcm-256';
export const WRAPPED_KINDS = [DATA_KEY_KIND, ...KEY_ALGS] as const;
export type WrappedKind = (typeof WRAPPED_KINDS)[number];

const b64 = (max: number) => z.string().check(z.maxLength(max), z.regex(/^[A-Za-z0-9_-]*$/));

export const wrappedKeySchema = z.object({
  v: z.literal(WRAPPED_KEY_VERSION),
  kind: z.enum(WRAPPED_KINDS),
  /** Present when the wrapping key comes from a passphrase. */
  kdf: z.optional(z.extend(argon2idParamsSchema, { alg: z.literal('argon2id'), salt: b64(64) })),
  /** The public half of a wrapped private key, so unlocking never needs an extractable private key. */
  pub: z.optional(z.string().check(z.maxLength(200))),
  iv: b64(16),
  ct: b64(1024),
});
export type WrappedKey = z.infer<typeof wrappedKeySchema>;

export const WRONG_PASSPHRASE = 'err.passphrase.wrong';
/** Not a wrapped key this code wrote: bad JSON shape, sizes, parameters or public key. */
export const WRAPPED_MALFORMED = 'err.wrappedKey.malformed';
/** Under a key rather than a passphrase: the wrapping key is not the one, or the blob was changed. */
export const WRAPPED_FAILED = 'err.wrappedKey.failed';

export type Unwrapped = {
  ok: true;
  kind: WrappedKind;
  key: CryptoKey;
  publicKey?: PublicKey;
  /** The parameters are below today's defaults: wrap it again (the passphrase is at hand now). */
  rewrap: boolean;
};
export type UnwrapResult = Unwrapped | { ok: false; reason: typeof WRONG_PASSPHRASE | typeof WRAPPED_MALFORMED | typeof WRAPPED_FAILED };

const IV_BYTES = 12;
const subtle = () => globalThis.crypto.subtle;

/** A fresh random data key, extractable only so it can be wrapped; unwrapped copies are not. */
export async function newDataKey(random: RandomBytes = cryptoRandom): Promise<CryptoKey> {
  const raw = ownBytes(random(32));
  try {
    return await subtle().importKey('raw', raw, { name: 'AES-GCM' }, true, ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey']);
  } finally {
    raw.fill(0);
  }
}

function kindOf(key: CryptoKey): WrappedKind {
  const a = key.algorithm as AesKeyAlgorithm;
  if (a.name === 'AES-GCM' && a.length === 256) return DATA_KEY_KIND;
  const alg = algOfKey(key);
  if (alg && key.type === 'private') return alg;
  throw new TypeError('only an AES-256-GCM data key or one of our private keys can be wrapped');
}

function associatedData(blob: Omit<WrappedKey, 'ct'>): Bytes {
  return utf8(canonicalJson({ ...blob, ct: undefined }));
}

type WrapOptions = { random?: RandomBytes; publicKey?: PublicKey };

async function wrapWith(key: CryptoKey, wrappingKey: CryptoKey, kdf: WrappedKey['kdf'], opts: WrapOptions): Promise<WrappedKey> {
  const kind = kindOf(key);
  if (opts.publicKey && opts.publicKey.alg !== kind) throw new TypeError('the public key is not the private key’s algorithm');
  const iv = ownBytes((opts.random ?? cryptoRandom)(IV_BYTES));
  const head: Omit<WrappedKey, 'ct'> = { v: WRAPPED_KEY_VERSION, kind, iv: toBase64url(iv) };
  if (kdf) head.kdf = kdf;
  if (opts.publicKey) head.pub = opts.publicKey.text;
  const format = kind === DATA_KEY_KIND ? 'raw' : 'pkcs8';
  const ct = await subtle().wrapKey(format, key, wrappingKey, { name: 'AES-GCM', iv, additionalData: associatedData(head) });
  return { ...head, ct: toBase64url(new Uint8Array(ct)) };
}

/**
 * Wraps a key under a passphrase. Refuses a passphrase under 8 characters: it is the only thing
 * between a copied phone and its reports. `params` defaults to ARGON2ID_DEFAULT and must be within
 * the floor and ceiling (a programming error otherwise, so it throws).
 */
export async function wrapUnderPassphrase(
  key: CryptoKey,
  passphrase: string,
  opts: WrapOptions & { params?: Argon2idParams } = {},
): Promise<{ ok: true; wrapped: WrappedKey } | { ok: false; reason: typeof PASSPHRASE_TOO_SHORT }> {
  if (!passphraseLongEnough(passphrase)) return { ok: false, reason: PASSPHRASE_TOO_SHORT };
  const params = opts.params ?? ARGON2ID_DEFAULT;
  if (!withinLimits(params)) throw new RangeError('Argon2id parameters outside the floor and ceiling');
  const salt = ownBytes((opts.random ?? cryptoRandom)(SALT_BYTES));
  const wrappingKey = await deriveWrappingKey(passphrase, salt, params);
  const kdf = { alg: 'argon2id' as const, m: params.m, t: params.t, p: params.p, salt: toBase64url(salt) };
  return { ok: true, wrapped: await wrapWith(key, wrappingKey, kdf, opts) };
}

/** Wraps a key (a private key, typically) under another key (the data key). */
export async function wrapUnderKey(key: CryptoKey, wrappingKey: CryptoKey, opts: WrapOptions = {}): Promise<WrappedKey> {
  return wrapWith(key, wrappingKey, undefined, opts);
}

type Parsed = { blob: WrappedKey; iv: Bytes; ct: Bytes; salt?: Bytes; publicKey?: PublicKey };

async function parse(input: unknown): Promise<Parsed | null> {
  const r = wrappedKeySchema.safeParse(input);
  if (!r.success) return null;
  const blob = r.data;
  const iv = fromBase64url(blob.iv);
  const ct = fromBase64url(blob.ct);
  if (!iv || iv.length !== IV_BYTES || !ct || ct.length <= 16) return null;
  const out: Parsed = { blob, iv, ct };
  if (blob.kdf) {
    const salt = fromBase64url(blob.kdf.salt);
    if (!salt || salt.length < SALT_BYTES || !withinLimits(blob.kdf)) return null;
    out.salt = salt;
  }
  if (blob.pub !== undefined) {
    if (blob.kind === DATA_KEY_KIND) return null;
    const pub = await readPublicKey(blob.pub, isAgreementAlg(blob.kind) ? 'agreement' : 'signing');
    if (!pub.ok || pub.key.alg !== blob.kind) return null;
    out.publicKey = pub.key;
  }
  return out;
}

async function unwrapWith(p: Parsed, wrappingKey: CryptoKey, extractable: boolean): Promise<CryptoKey | null> {
  const { blob } = p;
  const { ct: _ct, ...head } = blob;
  const params = { name: 'AES-GCM', iv: p.iv, additionalData: associatedData(head) };
  try {
    if (blob.kind === DATA_KEY_KIND) {
      return await subtle().unwrapKey('raw', p.ct, wrappingKey, params, { name: 'AES-GCM' }, extractable, [
        'encrypt',
        'decrypt',
        'wrapKey',
        'unwrapKey',
      ]);
    }
    const alg = blob.kind;
    return await subtle().unwrapKey('pkcs8', p.ct, wrappingKey, params, importParams(alg), extractable, privateUsages(alg));
  } catch {
    // AES-GCM's tag check failed: the key is not the one, or a byte of the blob changed. The two
    // cannot be told apart, by design; nothing partly decrypted is ever returned.
    return null;
  }
}

/**
 * What a passphrase derives under a passphrase-wrapped blob's own parameters and salt (Argon2id),
 * for `unwrapWithDerived`. Split from unwrapping so a caller can test the same bytes against
 * something else first (a wipe passcode) without paying for a second derivation. Zero it after use.
 * Null when the blob is not a passphrase-wrapped key this code reads.
 */
export async function deriveFor(input: unknown, passphrase: string): Promise<Bytes | null> {
  const p = await parse(input);
  if (!p || !p.blob.kdf || !p.salt) return null;
  return argon2idBytes(passphraseBytes(passphrase), p.salt, p.blob.kdf);
}

/** Unwraps a passphrase-wrapped key with what `deriveFor` gave. */
export async function unwrapWithDerived(input: unknown, derived: Bytes, opts: { extractable?: boolean } = {}): Promise<UnwrapResult> {
  const p = await parse(input);
  if (!p || !p.blob.kdf || !p.salt) return { ok: false, reason: WRAPPED_MALFORMED };
  const wrappingKey = await subtle().importKey('raw', derived, { name: 'AES-GCM' }, false, ['wrapKey', 'unwrapKey']);
  const key = await unwrapWith(p, wrappingKey, opts.extractable ?? false);
  if (!key) return { ok: false, reason: WRONG_PASSPHRASE };
  return { ok: true, kind: p.blob.kind, key, ...(p.publicKey && { publicKey: p.publicKey }), rewrap: belowDefault(p.blob.kdf) };
}

/**
 * Wraps a key under what `deriveFor` gave for a passphrase-wrapped blob, with that blob's parameters
 * and salt: a blob the same passphrase opens, made without a second derivation. Null when `input` is
 * not a passphrase-wrapped key this code reads.
 */
export async function wrapUnderDerived(key: CryptoKey, input: unknown, derived: Bytes, opts: WrapOptions = {}): Promise<WrappedKey | null> {
  const p = await parse(input);
  if (!p || !p.blob.kdf) return null;
  const wrappingKey = await subtle().importKey('raw', derived, { name: 'AES-GCM' }, false, ['wrapKey', 'unwrapKey']);
  return wrapWith(key, wrappingKey, p.blob.kdf, opts);
}

/**
 * Unwraps a key with a passphrase. A wrong passphrase (or a blob changed in any byte) gives
 * `err.passphrase.wrong`, never a wrong key. `extractable` is for re-wrapping only (a coordinator
 * passing the deployment key on as a key file); keys in use stay non-extractable.
 */
export async function unwrapWithPassphrase(
  input: unknown,
  passphrase: string,
  opts: { extractable?: boolean } = {},
): Promise<UnwrapResult> {
  const derived = await deriveFor(input, passphrase);
  if (!derived) return { ok: false, reason: WRAPPED_MALFORMED };
  try {
    return await unwrapWithDerived(input, derived, opts);
  } finally {
    derived.fill(0);
  }
}

/** Unwraps a key wrapped under another key (`wrapUnderKey`). */
export async function unwrapWithKey(input: unknown, wrappingKey: CryptoKey, opts: { extractable?: boolean } = {}): Promise<UnwrapResult> {
  const p = await parse(input);
  if (!p || p.blob.kdf) return { ok: false, reason: WRAPPED_MALFORMED };
  const key = await unwrapWith(p, wrappingKey, opts.extractable ?? false);
  if (!key) return { ok: false, reason: WRAPPED_FAILED };
  return { ok: true, kind: p.blob.kind, key, ...(p.publicKey && { publicKey: p.publicKey }), rewrap: false };
}
