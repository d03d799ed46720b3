/**
 * The header: the six clear fields of an op (format version, op id, kind, target, author and device
 * sequence number), the part the base, a relay and every device read in every format version. A
 * seal and both signatures bind it, so it is spelled out here once.
 *
 * `readWireHeader` is the one reader of the header of an op that arrived: pushed to the base, pulled,
 * from a sync file or from the quarantine. Whatever arrived, it gives the checked header, or the
 * reason it cannot be read with what can still be told of it.
 */
import { z } from 'zod/mini';
import { deviceIdSchema, opIdSchema, targetIdSchema } from '../id-schemas.ts';
import type { DeviceId, OpId } from '../ids.ts';
import { QUARANTINE_REASONS } from '../quarantine.ts';

/** Format 1: the body in clear JSON. An op as a device keeps and merges it (op.ts) keeps this version. */
export const OP_FORMAT_VERSION = 1;
/**
 * Format 2: the body sealed end to end (sealed.ts), or a deployment op's body in clear with its
 * author's signature beside it (read.ts reads both).
 */
export const SEALED_OP_VERSION = 2;
/** The newest format this code reads: an op in a newer one waits for an app or a base that reads it. */
const LATEST_WIRE_VERSION = SEALED_OP_VERSION;

export const OP_KINDS = ['create', 'edit', 'deployment', 'desk'] as const;
export type OpKind = (typeof OP_KINDS)[number];

const deviceSeqSchema = z.int().check(z.minimum(1), z.maximum(Number.MAX_SAFE_INTEGER));

/** A header in any format version. */
export const wireHeaderSchema = z.object({
  v: z.union([z.literal(OP_FORMAT_VERSION), z.literal(SEALED_OP_VERSION)]),
  id: opIdSchema,
  kind: z.enum(OP_KINDS),
  /** A report's UUID, or the fixed name of a deployment or desk setting. */
  reportId: targetIdSchema,
  device: deviceIdSchema,
  deviceSeq: deviceSeqSchema,
});
export type WireHeader = z.infer<typeof wireHeaderSchema>;

/** The header of a format-2 op. */
export const sealedOpHeaderSchema = z.extend(wireHeaderSchema, { v: z.literal(SEALED_OP_VERSION) });
export type SealedOpHeader = z.infer<typeof sealedOpHeaderSchema>;

/** Exactly the six header fields, whatever else the object carries: what a seal and the signatures cover. */
export function headerFields(h: WireHeader): WireHeader {
  return { v: h.v, id: h.id, kind: h.kind, reportId: h.reportId, device: h.device, deviceSeq: h.deviceSeq };
}

/** The slot an op claims: its author and device sequence number, with the op id it claims them for. */
export interface Slot {
  id: OpId;
  device: DeviceId;
  deviceSeq: number;
}

/** The six header fields exactly as they arrived, none of them checked. */
export type SentHeader = { readonly [K in keyof WireHeader]: unknown };

/** Why a header cannot be read, as a quarantine reason; the base answers with its own of the same name. */
export type HeaderFault = typeof QUARANTINE_REASONS.badHeader | typeof QUARANTINE_REASONS.unknownVersion;

export type HeaderRead =
  | { ok: true; header: WireHeader }
  | {
      ok: false;
      reason: HeaderFault;
      /** The id as sent, cut to 64 characters, when it is text: what the quarantine lists the op by. */
      id?: string;
      /** The slot, when the fields that name it read: the base stores its refusal there, so the sequence has no gap. */
      slot?: Slot;
      sent: SentHeader;
    };

/**
 * Reads the header of an op that arrived. Never throws, whatever arrived. `newest` is the newest
 * format version the caller reads: a whole number above it is an unknown version (the op waits for
 * a reader that knows it); anything else that does not read is a bad header.
 */
export function readWireHeader(input: unknown, newest: number = LATEST_WIRE_VERSION): HeaderRead {
  const w = fieldsOf(input);
  const sent: SentHeader = { v: w.v, id: w.id, kind: w.kind, reportId: w.reportId, device: w.device, deviceSeq: w.deviceSeq };
  const parsed = wireHeaderSchema.safeParse(sent);
  if (parsed.success && parsed.data.v <= newest) return { ok: true, header: parsed.data };
  const newer = typeof sent.v === 'number' && Number.isInteger(sent.v) && sent.v > newest;
  const id = typeof sent.id === 'string' ? sent.id.slice(0, 64) : undefined;
  const slot = slotSent(sent);
  return {
    ok: false,
    reason: newer ? QUARANTINE_REASONS.unknownVersion : QUARANTINE_REASONS.badHeader,
    ...(id !== undefined && { id }),
    ...(slot && { slot }),
    sent,
  };
}

/** The fields of what arrived; none when it is not even an object. */
export function fieldsOf(input: unknown): Record<string, unknown> {
  return (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
}

function slotSent(sent: SentHeader): Slot | undefined {
  const id = opIdSchema.safeParse(sent.id);
  const device = deviceIdSchema.safeParse(sent.device);
  const deviceSeq = deviceSeqSchema.safeParse(sent.deviceSeq);
  return id.success && device.success && deviceSeq.success ? { id: id.data, device: device.data, deviceSeq: deviceSeq.data } : undefined;
}

/** The slot an arrived op claims, when its header names one, read or not. */
export function slotOf(read: HeaderRead): Slot | undefined {
  return read.ok ? { id: read.header.id, device: read.header.device, deviceSeq: read.header.deviceSeq } : read.slot;
}

/**
 * What a header says, read or not: to route what arrived by the form it claims, or to name it in a
 * refusal as it was sent; never to trust it.
 */
export function claimsOf(read: HeaderRead): SentHeader {
  return read.ok ? read.header : read.sent;
}

/** The id an arrived op goes by in the quarantine: its own, or as much of what it sent as is text. */
export function idOf(read: HeaderRead): string | undefined {
  return read.ok ? read.header.id : read.id;
}
