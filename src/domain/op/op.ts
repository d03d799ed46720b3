/**
 * The op: the unit every edit is written as, stored, synced and merged. Immutable once written.
 *
 * The header is what the base server reads; the body it never reads (in format 2 it is sealed with
 * the header as associated data, so `v` names the format and `sig` carries a signature beside a
 * body in clear).
 *
 * An op takes one form at each stage of its way, each with one type, and one name in
 * docs/glossary.md ("An op's forms"). In the order an op passes through them:
 *  1. op (`Op`, here): what the writer writes and the merge reads, the header in format 1 and the
 *     body parsed.
 *  2. op row (`OpRow`, app/store/db.ts): the op as a device keeps it, with its seq and received time
 *     once the base served it, its rejection, its raw body and its wire form.
 *  3. wire form (`WireOp`, wire.ts): the op as it travels, its header (`WireHeader`, header.ts) with
 *     the body as text, made by outgoing.ts: in clear (format 1), or in format 2 a sealed op
 *     (`SealedWireOp`, sealed.ts) or a deployment op signed in clear, with its outer signature
 *     (outer-signature.ts).
 *  4. pushed op (`PushedOp`, server/store/rules.ts): a wire form as the base takes it apart to
 *     decide it; kept as a row of its store (`OpRow`, server/store/schema.ts).
 *  5. served op (`ServedOp`, wire.ts): a wire form as the base serves it, with its seq and received
 *     time; a reply file carries the same.
 *  6. arrived op (`ArrivedOp`, read.ts): what reading a wire form that arrived gives, its header read
 *     by `readWireHeader` (header.ts) and, sealed, opened on the way (`OpenedOp`, sealed.ts): the op
 *     with its wire form, or the reason it goes to the quarantine.
 *  7. incoming op (`IncomingOp`, app/sync/take-in-steps.ts): an arrived op that read, with its seq
 *     and received time, as take-in keeps it: an op row again.
 * Sync's bodies, which carry wire forms and served ops, are in sync.ts.
 */
import { z } from 'zod/mini';
import { hlcString } from '../hlc.ts';
import { sealedBlobSize } from '../crypto/blob-seal.ts';
import { opIdSchema } from '../id-schemas.ts';
import { QUARANTINE_REASONS, type QuarantineReason } from '../quarantine.ts';
import { OP_FORMAT_VERSION, wireHeaderSchema } from './header.ts';

/** Largest body, as JSON: a report's longest narrative (20,000 characters of Arabic) fits well within. */
export const MAX_BODY_BYTES = 256 * 1024;
export const MAX_FIELDS_PER_OP = 64;
export const MAX_SUPERSEDED_PER_FIELD = 64;

const fieldName = z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/));

const sha256Hex = z.string().check(z.regex(/^[0-9a-f]{64}$/));

/** Photos one op may add, and photos one op may remove. */
export const MAX_ATTACHMENTS_PER_OP = 32;
/** The largest original a report takes: a phone camera's photo, with room to spare. */
export const MAX_ORIGINAL_BYTES = 64 * 1024 * 1024;
/** The photo types a form takes and a desk shows. */
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;

/**
 * A sealed blob as an op names it: its SHA-256 and its size. The wire form lists those of the photos
 * an op adds, in clear under the outer signature (`blobs`), for the base to hold an upload to.
 */
export const blobRefSchema = z.object({
  sha256: sha256Hex,
  bytes: z.int().check(z.minimum(1), z.maximum(sealedBlobSize(MAX_ORIGINAL_BYTES))),
});
export type BlobRef = z.infer<typeof blobRefSchema>;

/**
 * A photo added to a report (an attachment): the SHA-256 of the original as kept, its size and type,
 * when it was taken, the sealed blob that carries it (its SHA-256 and size, which follows from the
 * original's), and the blob key that opens it, which is why a body that names photos travels sealed.
 */
export const attachmentSchema = z
  .object({
    sha256: sha256Hex,
    bytes: z.int().check(z.minimum(1), z.maximum(MAX_ORIGINAL_BYTES)),
    mime: z.enum(PHOTO_TYPES),
    /** When the photo was taken, by the phone's clock (the camera) or the file's own date (the gallery): UTC, to the millisecond. */
    capturedAt: z.optional(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/))),
    blob: blobRefSchema,
    /** The blob key, 32 bytes in base64url. */
    key: z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/)),
  })
  .check(z.refine((a) => a.blob.bytes === sealedBlobSize(a.bytes), { error: 'err.op.blobSize' }));
export type Attachment = z.infer<typeof attachmentSchema>;

export const opBodySchema = z
  .object({
    hlc: hlcString,
    changes: z.record(fieldName, z.unknown()),
    supersedes: z.record(fieldName, z.array(opIdSchema).check(z.maxLength(MAX_SUPERSEDED_PER_FIELD))),
    /** Photos added: each names its original by SHA-256, once in an op. */
    attachments: z.optional(z.array(attachmentSchema).check(z.maxLength(MAX_ATTACHMENTS_PER_OP))),
    /**
     * Photos removed: by the original's SHA-256, the ops that added it as the author had seen them.
     * An add no removal saw stays (add wins), as a field version no op superseded stays a head.
     */
    detach: z.optional(z.record(sha256Hex, z.array(opIdSchema).check(z.minLength(1), z.maxLength(MAX_SUPERSEDED_PER_FIELD)))),
  })
  .check(
    z.refine((b) => new Set(b.attachments?.map((a) => a.sha256)).size === (b.attachments?.length ?? 0), {
      error: 'err.op.attachmentTwice',
    }),
    z.refine((b) => Object.keys(b.detach ?? {}).length <= MAX_ATTACHMENTS_PER_OP, { error: 'err.op.tooManyPhotos' }),
    z.refine((b) => Object.keys(b.changes).length + Object.keys(b.supersedes).length <= 2 * MAX_FIELDS_PER_OP, {
      error: 'err.op.tooManyFields',
    }),
    z.refine((b) => new TextEncoder().encode(JSON.stringify(b)).length <= MAX_BODY_BYTES, { error: 'err.op.tooLarge' }),
  );
export type OpBody = z.infer<typeof opBodySchema>;

/** A body in clear, from the text it arrived as (or opened to): the body, or why it goes to the quarantine. */
export function readOpBody(text: string): { ok: true; body: OpBody } | { ok: false; reason: QuarantineReason } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: QUARANTINE_REASONS.badJson };
  }
  const body = opBodySchema.safeParse(json);
  return body.success ? { ok: true, body: body.data } : { ok: false, reason: QUARANTINE_REASONS.badBody };
}

/** `sig`: the author's signature over header and body hash, as text, beside a body in clear (reserved in format 1). */
export const opSigSchema = z.optional(z.string().check(z.maxLength(1024)));

export const opSchema = z.extend(wireHeaderSchema, {
  v: z.literal(OP_FORMAT_VERSION),
  body: opBodySchema,
  sig: opSigSchema,
});
export type Op = z.infer<typeof opSchema>;

/** The sealed blobs of the photos an op adds, in the order it adds them: what its wire form lists as `blobs`. */
export function blobsOf(body: OpBody): BlobRef[] {
  return (body.attachments ?? []).map((a) => ({ sha256: a.blob.sha256, bytes: a.blob.bytes }));
}
