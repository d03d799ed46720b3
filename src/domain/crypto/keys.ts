/**
 * Key pairs for agreement (X25519 or P-256 ECDH) and signing (Ed25519 or ECDSA P-256), and public
 * keys as they travel: `<alg>:<base64url of the raw key>`, e.g. `x25519:hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo`.
 *
 * A public key carries its algorithm, its fingerprint and its key id, computed once when it is made
 * or read, so that opening thousands of ops never hashes the same key twice.
 */
import {
  algOfKey,
  importParams,
  privateUsages,
  publicKeyLength,
  publicUsages,
  type AgreementAlg,
  type KeyAlg,
  type SigningAlg,
} from './algorithms.ts';
import { ownBytes, toBase64url, type Bytes } from './bytes.ts';
import type { Fingerprint, KeyId } from '../ids.ts';
import { checkFingerprint, fingerprintOf, keyIdOf, type FINGERPRINT_MISMATCH } from './fingerprint.ts';
import { parsePublicKeyText } from './public-key-text.ts';

export type PublicKey<A extends KeyAlg = KeyAlg> = {
  readonly alg: A;
  readonly raw: Bytes;
  readonly key: CryptoKey;
  /** `<alg>:<base64url raw>`: how the key travels in enrollment, the roster and key files. */
  readonly text: string;
  readonly fingerprint: Fingerprint;
  readonly kid: KeyId;
};

export type KeyPair<A extends KeyAlg = KeyAlg> = { readonly alg: A; readonly privateKey: CryptoKey; readonly publicKey: PublicKey<A> };
export type AgreementKeyPair = KeyPair<AgreementAlg>;
export type SigningKeyPair = KeyPair<SigningAlg>;

export const KEY_INVALID = 'err.key.invalid';
export type KeyResult<A extends KeyAlg> =
  { ok: true; key: PublicKey<A> } | { ok: false; reason: typeof KEY_INVALID | typeof FINGERPRINT_MISMATCH };

const subtle = () => globalThis.crypto.subtle;

/**
 * A public key from its raw bytes. Throws on bytes that are not a key of that algorithm (WebCrypto
 * checks that a P-256 point is on the curve); `readPublicKey` is the non-throwing way for input.
 */
export async function publicKeyFromRaw<A extends KeyAlg>(alg: A, raw: Uint8Array): Promise<PublicKey<A>> {
  const bytes = ownBytes(raw);
  if (bytes.length !== publicKeyLength(alg)) throw new RangeError(`a ${alg} public key is ${publicKeyLength(alg)} bytes`);
  const key = await subtle().importKey('raw', bytes, importParams(alg), true, publicUsages(alg));
  const fingerprint = await fingerprintOf(bytes);
  return { alg, raw: bytes, key, text: `${alg}:${toBase64url(bytes)}`, fingerprint, kid: keyIdOf(fingerprint) };
}

/**
 * A public key from its text form, as it arrived from a server, a roster or a file. `role` says what
 * the caller will use it for, so a signing key cannot be passed off as an agreement key.
 */
export async function readPublicKey(text: unknown, role: 'agreement'): Promise<KeyResult<AgreementAlg>>;
export async function readPublicKey(text: unknown, role: 'signing'): Promise<KeyResult<SigningAlg>>;
export async function readPublicKey(text: unknown, role: 'agreement' | 'signing'): Promise<KeyResult<KeyAlg>>;
export async function readPublicKey(text: unknown, role: 'agreement' | 'signing'): Promise<KeyResult<KeyAlg>> {
  const parsed = parsePublicKeyText(text, role);
  if (!parsed) return { ok: false, reason: KEY_INVALID };
  try {
    return { ok: true, key: await publicKeyFromRaw(parsed.alg, parsed.raw) };
  } catch {
    return { ok: false, reason: KEY_INVALID };
  }
}

/**
 * The deployment key as the server hands it over, accepted only if its fingerprint is the one the
 * enrollment QR code carried: the server cannot swap in a key of its own.
 */
export async function readPinnedKey(text: unknown, expectedFingerprint: Fingerprint): Promise<KeyResult<AgreementAlg>> {
  const read = await readPublicKey(text, 'agreement');
  if (!read.ok) return read;
  const check = checkFingerprint(expectedFingerprint, read.key.fingerprint);
  return check.ok ? read : check;
}

/**
 * A new key pair. Its private key is extractable for one purpose: to be wrapped at once under the
 * passcode-derived key (wrapped-key.ts). Use the unwrapped, non-extractable copy after that.
 */
export async function generateKeyPair<A extends KeyAlg>(alg: A): Promise<KeyPair<A>> {
  const pair = (await subtle().generateKey(importParams(alg), true, privateUsages(alg))) as CryptoKeyPair;
  const raw = new Uint8Array(await subtle().exportKey('raw', pair.publicKey));
  return { alg, privateKey: pair.privateKey, publicKey: await publicKeyFromRaw(alg, raw) };
}

/** A key pair from a private key in PKCS#8 and its public half (known keys in tests, key files). */
export async function importKeyPair<A extends KeyAlg>(
  alg: A,
  pkcs8: Uint8Array,
  publicRaw: Uint8Array,
  extractable = false,
): Promise<KeyPair<A>> {
  const privateKey = await subtle().importKey('pkcs8', ownBytes(pkcs8), importParams(alg), extractable, privateUsages(alg));
  return { alg, privateKey, publicKey: await publicKeyFromRaw(alg, publicRaw) };
}

/** Pairs a private CryptoKey (unwrapped at unlock) with its public key, checking they are the same algorithm. */
export function keyPairOf<A extends KeyAlg>(privateKey: CryptoKey, publicKey: PublicKey<A>): KeyPair<A> {
  if (algOfKey(privateKey) !== publicKey.alg || privateKey.type !== 'private') throw new TypeError('private and public keys do not match');
  return { alg: publicKey.alg, privateKey, publicKey };
}
