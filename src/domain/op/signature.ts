/**
 * Op signatures: every op is signed by the device that wrote it, over its clear header and the
 * SHA-256 of its plaintext body, so a report's history stands as evidence without trusting the
 * server that carried it, and a body can be re-sealed (to a new deployment key) without re-signing.
 *
 * What is signed is the UTF-8 of the canonical JSON
 *   {"body":"<base64url SHA-256 of the body text>","ctx":"rasid/op-signature/1","header":{<v,id,kind,reportId,device,deviceSeq>}}
 * JSON keeps the parts unambiguous; `ctx` keeps a signature on an op from being valid as anything else.
 */
import { canonicalJson } from '../canonical-json.ts';
import { headerFields, type WireHeader } from './header.ts';
import { QUARANTINE_REASONS } from '../quarantine.ts';
import { fromBase64url, ownBytes, sha256, toBase64url, utf8, type Bytes } from '../crypto/bytes.ts';
import { readPublicKey, type PublicKey, type SigningKeyPair } from '../crypto/keys.ts';
import { signParams } from '../crypto/sign.ts';
import type { SigningAlg } from '../crypto/algorithms.ts';

export const SIGNATURE_CONTEXT = 'rasid/op-signature/1';

export async function signedMessage(header: WireHeader, bodyText: string): Promise<Bytes> {
  const bodyHash = await sha256(utf8(bodyText));
  return utf8(canonicalJson({ body: toBase64url(bodyHash), ctx: SIGNATURE_CONTEXT, header: headerFields(header) }));
}

/** 64 bytes for both algorithms (ECDSA as r || s, as WebCrypto gives it). */
export async function signOp(signer: SigningKeyPair, header: WireHeader, bodyText: string): Promise<Bytes> {
  const message = await signedMessage(header, bodyText);
  return new Uint8Array(await globalThis.crypto.subtle.sign(signParams(signer.alg), signer.privateKey, message));
}

export type SignatureCheck = { ok: true } | { ok: false; reason: typeof QUARANTINE_REASONS.badSignature };

/** Whether `signature` is the author's over this header and body. Never throws. */
export async function checkOpSignature(
  author: PublicKey<SigningAlg>,
  header: WireHeader,
  bodyText: string,
  signature: Uint8Array,
): Promise<SignatureCheck> {
  try {
    if (typeof bodyText !== 'string' || signature.length !== 64) return { ok: false, reason: QUARANTINE_REASONS.badSignature };
    const message = await signedMessage(header, bodyText);
    const ok = await globalThis.crypto.subtle.verify(signParams(author.alg), author.key, ownBytes(signature), message);
    return ok ? { ok: true } : { ok: false, reason: QUARANTINE_REASONS.badSignature };
  } catch {
    return { ok: false, reason: QUARANTINE_REASONS.badSignature };
  }
}

/** Everything an op's signature covers, with the signature, as one text: equal for two copies only when they are the same signed op. */
export function signedContent(header: WireHeader, bodyText: string, sig: unknown): string {
  const h = headerFields(header);
  return JSON.stringify([h.v, h.id, h.kind, h.reportId, h.device, h.deviceSeq, bodyText, sig]);
}

/**
 * Checks made before, by what was signed and the key: the same roster statements are judged on
 * every sync and every push. Keyed by everything the signature covers, so an altered copy under the
 * same id and signature is another check.
 */
const checkedBefore = new Map<string, boolean>();
const MAX_CHECKED = 10_000;

/** Whether `sig` (base64url) is the signature on this header and body of the holder of `signingKey` (its text). */
export async function checkOpSignatureText(signingKey: string, header: WireHeader, bodyText: string, sig: string): Promise<boolean> {
  const memo = `${signedContent(header, bodyText, sig)} ${signingKey}`;
  const known = checkedBefore.get(memo);
  if (known !== undefined) return known;
  const key = await readPublicKey(signingKey, 'signing');
  const signature = fromBase64url(sig);
  const ok = key.ok && signature !== null && (await checkOpSignature(key.key, header, bodyText, signature)).ok;
  if (checkedBefore.size >= MAX_CHECKED) checkedBefore.clear();
  checkedBefore.set(memo, ok);
  return ok;
}
