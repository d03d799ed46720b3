/**
 * Signing a message with a signing key, and checking such a signature, in its travelling form: 64
 * bytes in base64url. An op's signatures (op/signature.ts, op/outer-signature.ts) and a reply
 * file's (reply-signature.ts) each sign their own canonical JSON, under a context of their own.
 */
import { fromBase64url, toBase64url, type Bytes } from './bytes.ts';
import type { PublicKey, SigningKeyPair } from './keys.ts';
import type { SigningAlg } from './algorithms.ts';

/** WebCrypto's parameters for a signing algorithm of the deployment's suite. */
export function signParams(alg: SigningAlg): Algorithm | EcdsaParams {
  return alg === 'ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', hash: 'SHA-256' };
}

/** A signature as it travels in JSON: 64 bytes in base64url, without padding. */
export const SIGNATURE_TEXT_CHARS = 86;

/** `message` signed, as it travels. */
export async function signText(signer: SigningKeyPair, message: Bytes): Promise<string> {
  return toBase64url(new Uint8Array(await globalThis.crypto.subtle.sign(signParams(signer.alg), signer.privateKey, message)));
}

/** Whether `text` is a signature of `message` by the holder of `key`, as it travels. Never throws. */
export async function checkText(key: PublicKey<SigningAlg>, message: Bytes, text: unknown): Promise<boolean> {
  try {
    if (typeof text !== 'string' || text.length !== SIGNATURE_TEXT_CHARS) return false;
    const signature = fromBase64url(text);
    if (!signature || signature.length !== 64) return false;
    return await globalThis.crypto.subtle.verify(signParams(key.alg), key.key, signature, message);
  } catch {
    return false;
  }
}
