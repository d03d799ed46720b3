/**
 * A public key's travelling form, `<alg>:<base64url of the raw key>`, read without WebCrypto: all
 * the base can check of a key it never uses, and the first step of reading one on a device.
 */
import { KEY_ALGS, isAgreementAlg, publicKeyLength, type KeyAlg } from './algorithms.ts';
import { fromBase64url } from './bytes.ts';

const MAX_TEXT = 200;

/** The algorithm and raw bytes, when `text` is a key of an algorithm for `role` and of its length. */
export function parsePublicKeyText(text: unknown, role: 'agreement' | 'signing'): { alg: KeyAlg; raw: Uint8Array } | undefined {
  if (typeof text !== 'string' || text.length > MAX_TEXT) return undefined;
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  const alg = text.slice(0, colon) as KeyAlg;
  if (!KEY_ALGS.includes(alg) || isAgreementAlg(alg) !== (role === 'agreement')) return undefined;
  const raw = fromBase64url(text.slice(colon + 1));
  if (!raw || raw.length !== publicKeyLength(alg)) return undefined;
  // A P-256 key travels as an uncompressed point, which starts with 4.
  if (publicKeyLength(alg) === 65 && raw[0] !== 4) return undefined;
  return { alg, raw };
}
