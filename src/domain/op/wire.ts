/**
 * The wire form: an op as it travels, in a push, a pull, a sync file or a reply file. Its clear
 * header with the body as text, which the base stores and compares byte for byte and never parses:
 * in format 1 the canonical JSON of the body (so a retry sends the very same bytes), in format 2 a
 * sealed body (sealed.ts), or a deployment op's body in clear with its signature in `sig`. Here too
 * the served op, a wire form as the base serves it. outgoing.ts makes wire forms, read.ts reads them.
 */
import { z } from 'zod/mini';
import { canonicalJson } from '../canonical-json.ts';
import { wireHeaderSchema } from './header.ts';
import { blobRefSchema, MAX_ATTACHMENTS_PER_OP, opSigSchema, type Op } from './op.ts';

export const wireOpSchema = z.extend(wireHeaderSchema, {
  body: z.string().check(z.maxLength(512 * 1024)),
  sig: opSigSchema,
  /** Format 2: the author's outer signature over header and body text (outer-signature.ts). */
  osig: z.optional(z.string().check(z.maxLength(128))),
  /**
   * Format 2: the sealed blobs of the photos the op adds, as its sealed body names them, in clear
   * under the outer signature; absent when it adds none.
   */
  blobs: z.optional(z.array(blobRefSchema).check(z.minLength(1), z.maxLength(MAX_ATTACHMENTS_PER_OP))),
});
export type WireOp = z.infer<typeof wireOpSchema>;

/** A wire form as the base serves it: with its seq and received time. A reply file carries the same. */
export const servedOpSchema = z.object({
  seq: z.int(),
  receivedAt: z.number(),
  op: wireOpSchema,
});
export type ServedOp = z.infer<typeof servedOpSchema>;

/**
 * The body text of an op. An op that arrived with a body spelled otherwise than its canonical JSON
 * keeps that spelling (`rawBody`), so relaying it sends the very bytes the server may already hold.
 */
export function bodyText(op: Op, rawBody?: string): string {
  return rawBody ?? canonicalJson(op.body);
}
