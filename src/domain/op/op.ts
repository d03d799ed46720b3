/**
 * The op: the unit every edit is written as, stored, synced and merged. Immutable once written.
 *
 * The header is what the base server reads; the body it never reads (the security work seals it with
 * the header as associated data, so `v` names the format and `sig` is reserved for the signature).
 */
import { z } from 'zod/mini';
import { hlcString } from '../hlc.ts';
import { opIdSchema } from '../id-schemas.ts';
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

/** `sig`: the author's signature over header and body hash, as text, beside a body in clear (reserved in format 1). */
export const opSigSchema = z.optional(z.string().check(z.maxLength(1024)));

export const opSchema = z.extend(wireHeaderSchema, {
  v: z.literal(OP_FORMAT_VERSION),
  body: opBodySchema,
  sig: opSigSchema,
});
export type Op = z.infer<typeof opSchema>;
