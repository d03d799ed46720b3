/**
 * Sync's bodies: what `POST /api/v1/sync` takes and answers, which sync by file carries too (a
 * reply file holds a sync answer). Shared by the app (which sends and reads them), the server
 * (which checks them) and sync by file. docs/protocol.md describes them for people; the ops they
 * carry are wire forms (wire.ts).
 */
import { z } from 'zod/mini';
import { servedOpSchema } from './wire.ts';

/** Largest batch a device pushes or pulls in one request. */
export const MAX_BATCH = 500;
/** Largest request body, after gzip inflation. */
export const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

/**
 * A position in the server's log: the sequence number and the op id held there. The id is text, not
 * an op id: it is only compared with the one held at `seq`, and a damaged cursor must get a `reset`
 * answer rather than a refused request.
 */
export const cursorSchema = z.object({
  seq: z.int().check(z.minimum(0)),
  opId: z.string().check(z.maxLength(64)),
});
export type Cursor = z.infer<typeof cursorSchema>;

/**
 * The highest deviceSeq of one device that the store decided with no gap below it. `device` is text,
 * unchecked as it always was: watermarks are compared with what the store holds, and a name no device
 * can have simply holds none.
 */
export const watermarkSchema = z.object({
  device: z.string(),
  deviceSeq: z.int(),
  /** The base's receipt for it (docs/protocol.md, Epochs): what shows, later, that the base said so. */
  receipt: z.optional(z.string().check(z.maxLength(64))),
});
export type Watermark = z.infer<typeof watermarkSchema>;

/**
 * Body codecs (sealed.ts, the plaintext's first byte) a device opens, said to the base when it
 * enrolls and at each sync; the base answers those every device it serves has said it opens.
 */
export const codecsSchema = z.array(z.int().check(z.minimum(0), z.maximum(255))).check(z.maxLength(16));

export const syncRequestSchema = z.object({
  /** The store epoch this device last saw, null before its first sync. */
  epoch: z.nullable(z.string().check(z.maxLength(64))),
  /** Where the device's last pull ended; null pulls from the start. */
  cursor: z.nullable(cursorSchema),
  ops: z.array(z.unknown()).check(z.maxLength(MAX_BATCH)),
  /**
   * The watermarks this device was last told in `epoch`: its own, and for a coordinator every
   * device's. A store that has decided less than that lost ops (a restore from an older backup) and
   * takes a new epoch, so that every device pulls again from zero.
   */
  known: z.optional(z.array(watermarkSchema).check(z.maxLength(100_000))),
  /** Most ops to pull in this answer (the server may send fewer). */
  limit: z.optional(z.int().check(z.minimum(1), z.maximum(MAX_BATCH))),
  /**
   * Serve this device's own `create`, `edit` and `desk` ops in brief, in `own`: it holds them
   * already, and needs only where the base put them. Without it, they come whole in `ops`.
   */
  ownInBrief: z.optional(z.boolean()),
  /** The body codecs this device opens. */
  codecs: z.optional(codecsSchema),
});
export type SyncRequest = z.infer<typeof syncRequestSchema>;

/** `id` echoes what was pushed, as text: for an op with no usable id the base answers `""`. */
export const opResultSchema = z.discriminatedUnion('status', [
  z.object({ id: z.string(), status: z.literal('ack') }),
  /** Stored as rejected so the device's sequence has no gap; never served. Final. */
  z.object({ id: z.string(), status: z.literal('rejected'), reason: z.string() }),
  /** Stored nowhere; the device sends it again later. */
  z.object({ id: z.string(), status: z.literal('retry'), reason: z.string() }),
]);
export type OpResult = z.infer<typeof opResultSchema>;

/** An op of the calling device, served in brief: where the base put it, and which op it is. */
export const ownServedSchema = z.object({
  seq: z.int(),
  receivedAt: z.number(),
  id: z.string().check(z.maxLength(64)),
  deviceSeq: z.int(),
});
export type OwnServed = z.infer<typeof ownServedSchema>;

export const syncResponseSchema = z.object({
  epoch: z.string(),
  /** The server's clock (ms since the Unix epoch), for the device's clock check and HLC bound. */
  serverTime: z.number(),
  /** One answer per pushed op, in the order sent. */
  results: z.array(opResultSchema),
  /** The cursor named an op the server does not hold there, or another epoch: pull again from zero. */
  reset: z.optional(z.boolean()),
  ops: z.array(servedOpSchema),
  /** Asked with `ownInBrief`: the caller's own ops of this page in brief, beside `ops` in the one order of `seq`. */
  own: z.optional(z.array(ownServedSchema)),
  cursor: z.nullable(cursorSchema),
  more: z.boolean(),
  /** The highest deviceSeq of the calling device decided without a gap: re-push everything above it. */
  watermark: z.int(),
  /** The base's receipt for `watermark` in this epoch: sent back in `known`. */
  receipt: z.optional(z.string().check(z.maxLength(64))),
  /** Coordinators only: the same for every device, so they can relay ops a base lost. */
  watermarks: z.optional(z.array(watermarkSchema)),
  /**
   * Asked with `codecs`: the body codecs every device not revoked has said it opens (0 and 1 for one
   * that said nothing), so the only ones to seal new ops with.
   */
  codecs: z.optional(codecsSchema),
});
export type SyncResponse = z.infer<typeof syncResponseSchema>;
