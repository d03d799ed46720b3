/**
 * Sealed ops (format version 2): the body encrypted end to end, so the base server, which stores
 * and serves ops, holds headers and ciphertext only.
 *
 * Sealing an op, step by step (docs/security.md has the layout and a worked example):
 *  1. body text = canonical JSON of the body; the author signs header + SHA-256(body text).
 *  2. plaintext = codec (1 byte) || signature (64 bytes) || payload, where codec 1 means the payload
 *     is DEFLATE-raw of the body text, codec 2 the same against the preset dictionary of
 *     body-dictionary.ts, and codec 0 that it is the body text itself (for the small bodies DEFLATE
 *     shrinks by under 32 bytes). Codec 2 is written only where every reader of the deployment has
 *     said it reads it (`codecs` in sync, decision 092). The signature travels inside the seal: outside
 *     it, a seized server could confirm a guessed body (a verification status, say) by checking
 *     the signature against the hash of its guess.
 *  3. A random content key and IV. For each recipient, the content key is wrapped with AES-KW under
 *     a key derived by HKDF from the static agreement of the author's key and the recipient's
 *     (pair-keys.ts), with the op id in the HKDF info.
 *  4. ct = AES-256-GCM(plaintext); associated data = canonical JSON of {from, header, to}: the clear
 *     header, so a body cannot be moved under another header nor a header changed, and the
 *     recipient list, so no entry can be stripped or spoiled unnoticed.
 *  5. The wire body is the canonical JSON of {v: 2, from, to: [{k, w}], iv, ct}.
 *
 * Opening never throws: whatever fails gives a reason for the quarantine.
 */
import { z } from 'zod/mini';
import { canonicalJson } from '../canonical-json.ts';
import { keyIdSchema } from '../id-schemas.ts';
import { cryptoRandom, type DeviceId, type KeyId, type RandomBytes } from '../ids.ts';
import { fieldsOf, headerFields, idOf, readWireHeader, SEALED_OP_VERSION, type SealedOpHeader } from './header.ts';
import { MAX_BODY_BYTES, readOpBody, type OpBody } from './op.ts';
import { QUARANTINE_REASONS, type QuarantineReason } from '../quarantine.ts';
import type { AgreementAlg, SigningAlg } from '../crypto/algorithms.ts';
import { concatBytes, fromBase64url, fromUtf8, ownBytes, toBase64url, utf8, type Bytes } from '../crypto/bytes.ts';
import { deflate, deflateWithDictionary, inflate } from '../crypto/compression.ts';
import { BODY_DICTIONARY } from './body-dictionary.ts';
import { CODEC, CODECS_OF_EVERY_READER, CODECS_READ } from './codecs.ts';
import type { AgreementKeyPair, PublicKey, SigningKeyPair } from '../crypto/keys.ts';
import { opWrappingKey, type PairKeyCache } from '../crypto/pair-keys.ts';
import { checkOpSignature, signOp } from './signature.ts';

/** Deployment key, author device, and a monitor whose report a coordinator edits; room to spare. */
export const MAX_RECIPIENTS = 8;
const SIGNATURE_BYTES = 64;
const MIN_DEFLATE_SAVING = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** AES-KW of a 32-byte key: 40 bytes, 54 base64url characters. */
const WRAPPED_KEY_BYTES = 40;
/** Room for a body of MAX_BODY_BYTES that does not compress, plus signature, tag and base64url. */
const MAX_CT_CHARS = 480 * 1024;

/** The sealed body: what the wire form's `body` string holds (as canonical JSON) when `v` is 2. */
export const sealedBodySchema = z.object({
  v: z.literal(SEALED_OP_VERSION),
  /** Key id of the agreement key that sealed it (the author device's). */
  from: keyIdSchema,
  /** One entry per recipient: its key id, and the content key wrapped to it (AES-KW, 40 bytes). */
  to: z
    .array(z.object({ k: keyIdSchema, w: z.string().check(z.regex(/^[A-Za-z0-9_-]{54}$/)) }))
    .check(z.minLength(1), z.maxLength(MAX_RECIPIENTS)),
  /** AES-GCM IV, 12 bytes. */
  iv: z.string().check(z.regex(/^[A-Za-z0-9_-]{16}$/)),
  /** AES-GCM ciphertext followed by its 16-byte tag. */
  ct: z.string().check(z.minLength(1), z.maxLength(MAX_CT_CHARS), z.regex(/^[A-Za-z0-9_-]*$/)),
});
export type SealedBody = z.infer<typeof sealedBodySchema>;

/** A sealed op as it travels: the clear header with the sealed body as text. */
export type SealedWireOp = SealedOpHeader & { body: string };

export const SEAL_FAILED = {
  /** The body's canonical JSON is over MAX_BODY_BYTES (the same catalog key as op.ts uses). */
  tooLarge: 'err.op.tooLarge',
  /** No recipients, too many, one on another curve than the author's key (a deployment has one
   * suite), or a degenerate key. */
  badRecipients: 'err.seal.badRecipients',
} as const;
export type SealFailure = (typeof SEAL_FAILED)[keyof typeof SEAL_FAILED];

const subtle = () => globalThis.crypto.subtle;

/**
 * The associated data of the body's AES-GCM: the clear header, and with it who sealed the op and
 * the whole recipient list. Binding the list means a server cannot strip or spoil one recipient's
 * entry (the author's own, say) while the others still open the op: any change fails for everyone.
 */
function associatedData(header: SealedOpHeader, from: KeyId, to: SealedBody['to']): Bytes {
  return utf8(canonicalJson({ from, header: headerFields(header), to }));
}

export type SealPlaintextOptions = { pairs: PairKeyCache; random?: RandomBytes };
/** `codecs`: those every reader of the op opens; CODECS_OF_EVERY_READER when not given. */
export type SealOpOptions = SealPlaintextOptions & { codecs?: readonly number[] };

/**
 * Steps 3 to 5 on given plaintext: the encryption layer alone, so known-answer tests pin its bytes
 * apart from the compressor (whose output may differ between zlib builds, while staying valid).
 */
export async function sealPlaintext(
  header: SealedOpHeader,
  plaintext: Bytes,
  author: AgreementKeyPair,
  recipients: readonly PublicKey<AgreementAlg>[],
  opts: SealPlaintextOptions,
): Promise<{ ok: true; body: string } | { ok: false; reason: SealFailure }> {
  const unique = recipients.filter((r, i) => recipients.findIndex((s) => s.kid === r.kid) === i);
  if (unique.length === 0 || unique.length > MAX_RECIPIENTS || unique.some((r) => r.alg !== author.alg)) {
    return { ok: false, reason: SEAL_FAILED.badRecipients };
  }
  const random = opts.random ?? cryptoRandom;
  const raw = ownBytes(random(32));
  const iv = ownBytes(random(IV_BYTES));
  // Extractable only so that AES-KW can wrap it; it lives for this call.
  const contentKey = await subtle().importKey('raw', raw, { name: 'AES-GCM' }, true, ['encrypt']);
  raw.fill(0);
  const from = author.publicKey.kid;
  let to: SealedBody['to'];
  try {
    to = await Promise.all(
      unique.map(async (r) => {
        const kek = await opWrappingKey(await opts.pairs.get(author, r), header.id, from, r.kid);
        return { k: r.kid, w: toBase64url(new Uint8Array(await subtle().wrapKey('raw', contentKey, kek, { name: 'AES-KW' }))) };
      }),
    );
  } catch {
    // A recipient key no agreement can be made with (an X25519 point of small order).
    return { ok: false, reason: SEAL_FAILED.badRecipients };
  }
  const ct = new Uint8Array(
    await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: associatedData(header, from, to) }, contentKey, plaintext),
  );
  const sealed: SealedBody = { v: SEALED_OP_VERSION, from, to, iv: toBase64url(iv), ct: toBase64url(ct) };
  return { ok: true, body: canonicalJson(sealed) };
}

export type Author = { agreement: AgreementKeyPair; signing: SigningKeyPair };

/**
 * Seals an op to its recipients: the deployment key and the author's own key always (so the phone
 * can read what it wrote), and a monitor's key when a coordinator edits that monitor's report.
 */
export async function sealOp(
  header: SealedOpHeader,
  body: OpBody,
  author: Author,
  recipients: readonly PublicKey<AgreementAlg>[],
  opts: SealOpOptions,
): Promise<{ ok: true; op: SealedWireOp } | { ok: false; reason: SealFailure }> {
  const bodyText = canonicalJson(body);
  const bodyBytes = utf8(bodyText);
  if (bodyBytes.length > MAX_BODY_BYTES) return { ok: false, reason: SEAL_FAILED.tooLarge };
  const signature = await signOp(author.signing, header, bodyText);
  const withDictionary = (opts.codecs ?? CODECS_OF_EVERY_READER).includes(CODEC.deflateDictionary);
  const deflated = withDictionary ? deflateWithDictionary(bodyBytes, BODY_DICTIONARY) : await deflate(bodyBytes);
  const codec = withDictionary ? CODEC.deflateDictionary : CODEC.deflateRaw;
  // Stored when DEFLATE saves little: every reader would pay an inflate (about 50 µs in Chromium)
  // for a few bytes.
  const plaintext =
    deflated.length + MIN_DEFLATE_SAVING <= bodyBytes.length
      ? concatBytes(new Uint8Array([codec]), signature, deflated)
      : concatBytes(new Uint8Array([CODEC.stored]), signature, bodyBytes);
  const sealed = await sealPlaintext(header, plaintext, author.agreement, recipients, opts);
  if (!sealed.ok) return sealed;
  return { ok: true, op: { ...headerFields(header), v: SEALED_OP_VERSION, body: sealed.body } };
}

/** What a reader holds to open ops: its agreement keys and the roster's public keys. */
export type OpenKeys = {
  /** This reader's agreement key pairs: the device's own; on the desk, the deployment key too. */
  mine: readonly AgreementKeyPair[];
  /** An agreement public key by key id (the roster's device keys, the deployment key). */
  agreementKey(kid: KeyId): PublicKey<AgreementAlg> | undefined | Promise<PublicKey<AgreementAlg> | undefined>;
  /** The signing key the roster lists for a device, in force at its op `deviceSeq`. */
  signingKey(device: DeviceId, deviceSeq: number): PublicKey<SigningAlg> | undefined | Promise<PublicKey<SigningAlg> | undefined>;
  pairs: PairKeyCache;
};

export type OpenedOp = {
  header: SealedOpHeader;
  body: OpBody;
  /** The body text exactly as signed: keep it with the signature, they are the evidence. */
  bodyText: string;
  signature: Bytes;
  /** Key id of the agreement key that sealed it. */
  sealedBy: KeyId;
};
export type OpenResult = { ok: true; op: OpenedOp } | { ok: false; id?: string; reason: QuarantineReason };
export type OpenedPlaintext =
  { ok: true; plaintext: Bytes; header: SealedOpHeader; sealedBy: KeyId } | { ok: false; id?: string; reason: QuarantineReason };

/** Steps 3 to 5 backwards: the plaintext of a sealed op, or why not. Never throws. */
export async function openPlaintext(input: unknown, keys: OpenKeys): Promise<OpenedPlaintext> {
  const w = fieldsOf(input);
  const read = readWireHeader(input);
  const id = idOf(read);
  const fail = (reason: QuarantineReason): OpenedPlaintext => ({ ok: false, ...(id !== undefined && { id }), reason });
  try {
    if (!read.ok) return fail(read.reason);
    if (read.header.v !== SEALED_OP_VERSION || typeof w.body !== 'string') return fail(QUARANTINE_REASONS.badHeader);
    const header: SealedOpHeader = { ...read.header, v: SEALED_OP_VERSION };

    let json: unknown;
    try {
      json = JSON.parse(w.body);
    } catch {
      return fail(QUARANTINE_REASONS.sealMalformed);
    }
    const parsedBody = sealedBodySchema.safeParse(json);
    if (!parsedBody.success) return fail(QUARANTINE_REASONS.sealMalformed);
    const sealed = parsedBody.data;
    const iv = fromBase64url(sealed.iv);
    const ct = fromBase64url(sealed.ct);
    if (!iv || iv.length !== IV_BYTES || !ct || ct.length <= TAG_BYTES) return fail(QUARANTINE_REASONS.sealMalformed);
    const wrapped = sealed.to.map((t) => ({ k: t.k, w: fromBase64url(t.w) }));
    if (wrapped.some((t) => !t.w || t.w.length !== WRAPPED_KEY_BYTES)) return fail(QUARANTINE_REASONS.sealMalformed);

    const entries = keys.mine.flatMap((me) => wrapped.filter((t) => t.k === me.publicKey.kid).map((t) => ({ me, w: t.w! })));
    if (entries.length === 0) return fail(QUARANTINE_REASONS.notForThisDevice);
    const sender = await keys.agreementKey(sealed.from);
    if (!sender) return fail(QUARANTINE_REASONS.unknownSender);

    const aad = associatedData(header, sealed.from, sealed.to);
    for (const { me, w: wrappedKey } of entries) {
      try {
        const kek = await opWrappingKey(await keys.pairs.get(me, sender), header.id, sealed.from, me.publicKey.kid);
        const contentKey = await subtle().unwrapKey('raw', wrappedKey, kek, { name: 'AES-KW' }, { name: 'AES-GCM' }, false, ['decrypt']);
        const plaintext = new Uint8Array(await subtle().decrypt({ name: 'AES-GCM', iv, additionalData: aad }, contentKey, ct));
        return { ok: true, plaintext, header, sealedBy: sealed.from };
      } catch {
        // This entry does not open (changed, or sealed by another key than `from` says): try the
        // next of ours, if any.
      }
    }
    return fail(QUARANTINE_REASONS.openFailed);
  } catch {
    return fail(QUARANTINE_REASONS.openFailed);
  }
}

/**
 * Opens a sealed op that arrived (from the server, a sync file, storage): decrypts it, checks the
 * author's signature, and reads the body. Never throws; anything that fails gives a reason for the
 * quarantine, and nothing of a body is returned before its signature has been checked.
 */
export async function openOp(input: unknown, keys: OpenKeys): Promise<OpenResult> {
  const opened = await openPlaintext(input, keys);
  if (!opened.ok) return opened;
  const { plaintext, header, sealedBy } = opened;
  const fail = (reason: QuarantineReason): OpenResult => ({ ok: false, id: header.id, reason });
  try {
    // The frame is inside the authenticated ciphertext: a bad one was made by a device holding
    // the keys, not by a network, so it is a bad body rather than a damaged seal.
    const codec = plaintext[0]!;
    if (!CODECS_READ.includes(codec) || plaintext.length <= 1 + SIGNATURE_BYTES) return fail(QUARANTINE_REASONS.badBody);
    const signature = plaintext.slice(1, 1 + SIGNATURE_BYTES);
    const payload = plaintext.slice(1 + SIGNATURE_BYTES);
    let bodyBytes: Bytes;
    if (codec !== CODEC.stored) {
      const inflated = inflate(payload, MAX_BODY_BYTES, codec === CODEC.deflateDictionary ? BODY_DICTIONARY : undefined);
      if (!inflated.ok) return fail(QUARANTINE_REASONS.badBody);
      bodyBytes = inflated.bytes;
    } else {
      if (payload.length > MAX_BODY_BYTES) return fail(QUARANTINE_REASONS.badBody);
      bodyBytes = payload;
    }
    const bodyText = fromUtf8(bodyBytes);
    if (bodyText === null) return fail(QUARANTINE_REASONS.badBody);

    const signer = await keys.signingKey(header.device, header.deviceSeq);
    if (!signer) return fail(QUARANTINE_REASONS.unknownSigner);
    const check = await checkOpSignature(signer, header, bodyText, signature);
    if (!check.ok) return fail(QUARANTINE_REASONS.badSignature);

    const body = readOpBody(bodyText);
    if (!body.ok) return fail(body.reason);
    return { ok: true, op: { header, body: body.body, bodyText, signature, sealedBy } };
  } catch {
    return fail(QUARANTINE_REASONS.openFailed);
  }
}
