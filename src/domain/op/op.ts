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
import { opIdSchema } from '../id-schemas.ts';
import { QUARANTINE_REASONS, type QuarantineReason } from '../quarantine.ts';
import { OP_FORMAT_VERSION, wireHeaderSchema } from './header.ts';

/** Largest body, as JSON: a report's longest narrative (20,000 characters of Arabic) fits well within. */
export const MAX_BODY_BYTES = 256 * 1024;
export const MAX_FIELDS_PER_OP = 64;
export const MAX_SUPERSEDED_PER_FIELD = 64;

const fieldName = z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/));

/** Reserved for photos: the SHA-256 of the original bytes travels in the op. */
export const attachmentRefSchema = z.object({
  sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  mime: z.string().check(z.maxLength(100)),
  bytes: z.int().check(z.minimum(0)),
});

export const opBodySchema = z
  .object({
    hlc: hlcString,
    changes: z.record(fieldName, z.unknown()),
    supersedes: z.record(fieldName, z.array(opIdSchema).check(z.maxLength(MAX_SUPERSEDED_PER_FIELD))),
    attachments: z.optional(z.array(attachmentRefSchema).check(z.maxLength(32))),
  })
  .check(
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
