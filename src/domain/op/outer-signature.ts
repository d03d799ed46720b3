/**
 * The outer signature: every version-2 op carries, beside its header and sealed body, its author's
 * signature over the header and the SHA-256 of the body text exactly as it travels (the ciphertext
 * of a sealed op). Anyone holding the author's public key checks it without opening anything: the
 * base before it acknowledges an op, relayed ones included. The inner signature, over the
 * plaintext, stays inside the seal (docs/security.md, "Why the signature is sealed").
 *
 * What is signed is the UTF-8 of the canonical JSON
 *   {"blobs":[{"bytes":<n>,"sha256":"<64 hex>"},…],"body":"<base64url SHA-256 of the body text>","ctx":"rasid/op-outer/1","header":{<v,id,kind,reportId,device,deviceSeq>}}
 * `blobs` lists the sealed blobs of the photos the op adds (the wire form's `blobs`), in order; empty
 * for an op that adds none. Signed with the rest, so the base can hold an upload to a blob an op
 * names, and to its size, without opening anything.
 */
import { canonicalJson } from '../canonical-json.ts';
import type { SigningAlg } from '../crypto/algorithms.ts';
import { sha256, toBase64url, utf8, type Bytes } from '../crypto/bytes.ts';
import type { PublicKey, SigningKeyPair } from '../crypto/keys.ts';
import { headerFields, type WireHeader } from './header.ts';
import type { BlobRef } from './op.ts';
import { checkText, SIGNATURE_TEXT_CHARS, signText } from '../crypto/sign.ts';

export const OUTER_SIGNATURE_CONTEXT = 'rasid/op-outer/1';

/** 64 bytes as base64url without padding: the text a wire form's `osig` holds. */
export const OUTER_SIGNATURE_CHARS = SIGNATURE_TEXT_CHARS;

export async function outerMessage(header: WireHeader, bodyText: string, blobs: readonly BlobRef[] = []): Promise<Bytes> {
  return outerMessageOfHash(header, toBase64url(await sha256(utf8(bodyText))), blobs);
}

/** The same, from the body's SHA-256 already in base64url: the base hashes with its own library. */
export function outerMessageOfHash(header: WireHeader, bodyHash: string, blobs: readonly BlobRef[] = []): Bytes {
  const listed = blobs.map((b) => ({ bytes: b.bytes, sha256: b.sha256 }));
  return utf8(canonicalJson({ blobs: listed, body: bodyHash, ctx: OUTER_SIGNATURE_CONTEXT, header: headerFields(header) }));
}

/** The outer signature as it travels (`osig`). */
export async function signOuter(
  signer: SigningKeyPair,
  header: WireHeader,
  bodyText: string,
  blobs: readonly BlobRef[] = [],
): Promise<string> {
  return signText(signer, await outerMessage(header, bodyText, blobs));
}

/** Whether `osig` is the author's outer signature on this header and body text. Never throws. */
export async function checkOuter(
  author: PublicKey<SigningAlg>,
  header: WireHeader,
  bodyText: string,
  osig: unknown,
  blobs: readonly BlobRef[] = [],
): Promise<boolean> {
  if (typeof bodyText !== 'string') return false;
  return checkText(author, await outerMessage(header, bodyText, blobs), osig);
}
