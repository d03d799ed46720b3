/**
 * The header: the six clear fields of an op (format version, op id, kind, target, author and device
 * sequence number), the part the base, a relay and every device read in every format version. A
 * seal and both signatures bind it, so it is spelled out here once.
 */
import { z } from 'zod/mini';
import { deviceIdSchema, opIdSchema, targetIdSchema } from '../id-schemas.ts';

/** Format 1: the body in clear JSON. An op as a device keeps and merges it (op.ts) keeps this version. */
export const OP_FORMAT_VERSION = 1;
/**
 * Format 2: the body sealed end to end (sealed.ts), or a deployment op's body in clear with its
 * author's signature beside it (read.ts reads both).
 */
export const SEALED_OP_VERSION = 2;
/** The newest format this code reads: an op in a newer one waits for an app or a base that reads it. */
export const LATEST_WIRE_VERSION = 2;

export const OP_KINDS = ['create', 'edit', 'deployment', 'desk'] as const;
export type OpKind = (typeof OP_KINDS)[number];

/** A header in any format version. */
export const wireHeaderSchema = z.object({
  v: z.union([z.literal(OP_FORMAT_VERSION), z.literal(SEALED_OP_VERSION)]),
  id: opIdSchema,
  kind: z.enum(OP_KINDS),
  /** A report's UUID, or the fixed name of a deployment or desk setting. */
  reportId: targetIdSchema,
  device: deviceIdSchema,
  deviceSeq: z.int().check(z.minimum(1), z.maximum(Number.MAX_SAFE_INTEGER)),
});
export type WireHeader = z.infer<typeof wireHeaderSchema>;

/** The header of a format-2 op. */
export const sealedOpHeaderSchema = z.extend(wireHeaderSchema, { v: z.literal(SEALED_OP_VERSION) });
export type SealedOpHeader = z.infer<typeof sealedOpHeaderSchema>;

/** Exactly the six header fields, whatever else the object carries: what a seal and the signatures cover. */
export function headerFields(h: WireHeader): WireHeader {
  return { v: h.v, id: h.id, kind: h.kind, reportId: h.reportId, device: h.device, deviceSeq: h.deviceSeq };
}
