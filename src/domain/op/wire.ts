/**
 * The wire form: an op as it travels, in a push, a pull, a sync file or a reply file. Its clear
 * header with the body as text, which the base stores and compares byte for byte and never parses:
 * in format 1 the canonical JSON of the body (so a retry sends the very same bytes), in format 2 a
 * sealed body (sealed.ts), or a deployment op's body in clear with its signature in `sig`. Here too:
 * the served op, a wire form as the base serves it; and turning a stored op into its format-1 wire
 * form, and text that arrived back into an op, or into the reason it cannot be read, so the op goes
 * to quarantine instead of blocking others.
 */
import { z } from 'zod/mini';
import { canonicalJson } from '../canonical-json.ts';
import { wireHeaderSchema } from './header.ts';
import { opSchema, opSigSchema, type Op } from './op.ts';
import { QUARANTINE_REASONS, type QuarantineReason } from '../quarantine.ts';

export const wireOpSchema = z.extend(wireHeaderSchema, {
  body: z.string().check(z.maxLength(512 * 1024)),
  sig: opSigSchema,
  /** Format 2: the author's outer signature over header and body text (outer-signature.ts). */
  osig: z.optional(z.string().check(z.maxLength(128))),
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

export function toWire(op: Op, rawBody?: string): WireOp {
  const wire: WireOp = {
    v: op.v,
    id: op.id,
    kind: op.kind,
    reportId: op.reportId,
    device: op.device,
    deviceSeq: op.deviceSeq,
    body: bodyText(op, rawBody),
  };
  if (op.sig !== undefined) wire.sig = op.sig;
  return wire;
}

export type ReadOp = { ok: true; op: Op; rawBody?: string } | { ok: false; id?: string; reason: QuarantineReason };

/** Reads an op that arrived as text: never throws, whatever arrived. */
export function fromWire(input: unknown): ReadOp {
  const w = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const id = typeof w.id === 'string' ? w.id.slice(0, 64) : undefined;
  if (typeof w.v === 'number' && w.v > 1) return { ok: false, id, reason: QUARANTINE_REASONS.unknownVersion };
  if (typeof w.body !== 'string') return { ok: false, id, reason: QUARANTINE_REASONS.badHeader };
  let body: unknown;
  try {
    body = JSON.parse(w.body);
  } catch {
    return { ok: false, id, reason: QUARANTINE_REASONS.badJson };
  }
  const { body: _text, ...header } = w;
  const parsed = opSchema.safeParse({ ...header, body });
  if (!parsed.success) {
    const inBody = parsed.error.issues.some((i) => i.path[0] === 'body');
    return { ok: false, id, reason: inBody ? QUARANTINE_REASONS.badBody : QUARANTINE_REASONS.badHeader };
  }
  const op = parsed.data;
  return canonicalJson(op.body) === w.body ? { ok: true, op } : { ok: true, op, rawBody: w.body };
}
