/**
 * Static key agreement between two key pairs, done once per pair and cached, and the per-op key
 * derived from it with HKDF-SHA-256 (RFC 5869).
 *
 * Why static and cached: an ephemeral agreement per op would cost an X25519 (or P-256) operation
 * for every op a desk opens; with one agreement per (author key, recipient key) a desk opening
 * 100,000 ops from 50 devices does 50 agreements and 100,000 cheap derivations. The price: no
 * forward secrecy per op (whoever later gets a private key reads every op sealed to it), which the
 * seized-phone threat has anyway, since the phone keeps its ops.
 *
 * HKDF is computed in its two RFC 5869 steps, so that the first is cached with the agreement:
 *   PRK = HKDF-Extract(salt = "rasid/op-key/v2", shared secret)        once per pair of keys
 *   KEK = HKDF-Expand(PRK, info = "rasid/op-key/v2" 0 from 0 to 0 opId, 32 bytes)
 *       = HMAC-SHA-256(PRK, info || 0x01)                                 once per op and recipient
 * which is exactly HKDF-SHA-256(shared secret, salt, info, 32). WebCrypto's own HKDF redoes the
 * Extract on every call, and costs twice as much per op in Node.
 */
import type { KeyId, OpId } from '../ids.ts';
import { concatBytes, utf8, type Bytes } from './bytes.ts';
import type { AgreementKeyPair, PublicKey } from './keys.ts';
import type { AgreementAlg } from './algorithms.ts';

const subtle = () => globalThis.crypto.subtle;
const HMAC_SHA256 = { name: 'HMAC', hash: 'SHA-256' } as const;

/** HKDF salt and the first part of the info: changing the format changes every key. */
export const OP_KEY_CONTEXT = 'rasid/op-key/v2';

/**
 * The HKDF pseudorandom key of two agreement keys, as a non-extractable HMAC key. Throws when the
 * keys are on different curves or the other key is degenerate (an X25519 point of small order gives
 * an all-zero secret, which WebCrypto refuses).
 */
export async function agree(mine: AgreementKeyPair, theirs: PublicKey<AgreementAlg>): Promise<CryptoKey> {
  if (mine.alg !== theirs.alg) throw new TypeError('agreement keys on different curves');
  const params = mine.alg === 'x25519' ? { name: 'X25519', public: theirs.key } : { name: 'ECDH', public: theirs.key };
  const secret = new Uint8Array(await subtle().deriveBits(params, mine.privateKey, 256));
  let prk: Bytes | undefined;
  try {
    if (secret.every((b) => b === 0)) throw new RangeError('degenerate shared secret');
    const salt = await subtle().importKey('raw', utf8(OP_KEY_CONTEXT), HMAC_SHA256, false, ['sign']);
    prk = new Uint8Array(await subtle().sign('HMAC', salt, secret));
    return await subtle().importKey('raw', prk, HMAC_SHA256, false, ['sign']);
  } finally {
    secret.fill(0);
    prk?.fill(0);
  }
}

export function opKeyInfo(fromKid: KeyId, toKid: KeyId, opId: OpId): Bytes {
  const zero = new Uint8Array([0]);
  return concatBytes(utf8(OP_KEY_CONTEXT), zero, utf8(fromKid), zero, utf8(toKid), zero, utf8(opId));
}

/**
 * The AES-KW key that wraps one op's content key from `fromKid` to `toKid`: its own for every op,
 * and for each direction (the shared secret is the same both ways).
 */
export async function opWrappingKey(prk: CryptoKey, opId: OpId, fromKid: KeyId, toKid: KeyId): Promise<CryptoKey> {
  const okm = new Uint8Array(await subtle().sign('HMAC', prk, concatBytes(opKeyInfo(fromKid, toKid, opId), new Uint8Array([1]))));
  try {
    return await subtle().importKey('raw', okm, { name: 'AES-KW' }, false, ['wrapKey', 'unwrapKey']);
  } finally {
    okm.fill(0);
  }
}

/**
 * Agreements by pair of keys, held in memory only (they are as secret as the private keys): clear
 * it when the app locks. Concurrent requests for one pair share one agreement.
 */
export class PairKeyCache {
  readonly #pairs = new Map<string, Promise<CryptoKey>>();

  get(mine: AgreementKeyPair, theirs: PublicKey<AgreementAlg>): Promise<CryptoKey> {
    const name = `${mine.publicKey.text} ${theirs.text}`;
    let pending = this.#pairs.get(name);
    if (!pending) {
      pending = agree(mine, theirs);
      this.#pairs.set(name, pending);
      // A failed agreement is not kept: the next call tries again (and fails again, if the key is bad).
      pending.catch(() => this.#pairs.delete(name));
    }
    return pending;
  }

  get size(): number {
    return this.#pairs.size;
  }

  clear(): void {
    this.#pairs.clear();
  }
}
