/**
 * A reply file's signature: the coordinator who answered a phone's request file signs the reply, so
 * a phone moves its watermark, cursor and epoch, and takes the base's answers to its ops, only on
 * the word of a coordinator its roster names. A forged high watermark would otherwise stop a
 * file-only phone from ever sending its ops again.
 *
 * What is signed is the UTF-8 of the canonical JSON
 *   {"createdAt":<ms>,"ctx":"rasid/sync-reply/1","device":"<phone>","response":"<base64url SHA-256 of the response's canonical JSON>","signer":"<coordinator>"}
 * The response is hashed as its canonical JSON (canonical-json.ts), read from the file as it is,
 * before any field a reader does not know is dropped: a field added on the way breaks the signature.
 */
import { canonicalJson } from '../canonical-json.ts';
import type { SigningAlg } from './algorithms.ts';
import { sha256, toBase64url, utf8, type Bytes } from './bytes.ts';
import type { PublicKey, SigningKeyPair } from './keys.ts';
import { checkText, signText } from './sign.ts';

export const REPLY_SIGNATURE_CONTEXT = 'rasid/sync-reply/1';

/** What a reply's signature covers: whom it is for, when and by whom it was made, and the response. */
export interface SignedReply {
  device: string;
  createdAt: number;
  signer: string;
  response: unknown;
}

export async function replyMessage(reply: SignedReply): Promise<Bytes> {
  const response = toBase64url(await sha256(utf8(canonicalJson(reply.response))));
  return utf8(
    canonicalJson({ createdAt: reply.createdAt, ctx: REPLY_SIGNATURE_CONTEXT, device: reply.device, response, signer: reply.signer }),
  );
}

export async function signReply(signer: SigningKeyPair, reply: SignedReply): Promise<string> {
  return signText(signer, await replyMessage(reply));
}

/** Whether `sig` is the signature of the holder of `key` on this reply. Never throws. */
export async function checkReply(key: PublicKey<SigningAlg>, reply: SignedReply, sig: unknown): Promise<boolean> {
  return checkText(key, await replyMessage(reply), sig);
}
