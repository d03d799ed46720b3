/**
 * `POST /api/v1/sync`: one round trip pushes a batch of ops and pulls the next page of ops the
 * caller may see. The op store decides each op (rules.ts); this route only translates the wire
 * format, checks the epoch and the cursor, and says where the caller stands (its watermark; for a
 * coordinator, every device's).
 */
import type { Hono } from 'hono';
import { claimsOf, readWireHeader, type WireHeader } from '../../domain/op/header.ts';
import { MAX_BATCH, MAX_REQUEST_BYTES, syncRequestSchema, type SyncResponse } from '../../domain/op/sync.ts';
import { wireOpSchema, type ServedOp } from '../../domain/op/wire.ts';
import {
  allWatermarks,
  commonCodecs,
  deviceWatermark,
  lostDecidedOps,
  noteCodecs,
  provenClaims,
  pullOps,
  pushedOfWire,
  pushOps,
  readEpoch,
  receiptOf,
  renewEpoch,
  type PushedOp,
} from '../store/index.ts';
import type { ApiDeps } from './api.ts';
import { requireDevice, type ApiEnv } from './auth.ts';
import { readJsonBody } from './body.ts';
import { jsonAnswer } from './json-answer.ts';

/**
 * Pulled bodies per answer, roughly: a page of 500 ops stays fast on a slow link even when the ops
 * are large (a sealed body may be 512 KiB). The page then ends early, with `more: true`.
 */
export const MAX_PULL_BYTES = MAX_REQUEST_BYTES;
/** What the op's JSON adds to its body and signature, for the estimate above. */
const OP_OVERHEAD_BYTES = 256;

export function syncRoute(api: Hono<ApiEnv>, { store, now, random, pullBytes = MAX_PULL_BYTES }: ApiDeps): void {
  api.post('/v1/sync', requireDevice(store.db, now), async (c) => {
    const caller = c.get('caller');
    const request = await readJsonBody(c, syncRequestSchema, MAX_REQUEST_BYTES);

    const state = await readEpoch(store.db);
    let epoch = state.epoch;
    // What the device was told in this epoch, and the store no longer holds: ops were lost (a restore
    // from an older backup). A monitor speaks only for itself; a coordinator for every device; and
    // only with this base's receipts, so nobody can claim more than the base once said.
    const claimed = (request.known ?? []).filter((k) => caller.role === 'coordinator' || k.device === caller.device);
    if (request.epoch === epoch && claimed.length > 0) {
      const known = provenClaims(state.receiptKey, epoch, claimed);
      if (await lostDecidedOps(store.db, known)) epoch = await renewEpoch(store.db, epoch, random, now());
    }

    const results = request.ops.length === 0 ? [] : await pushOps(store.db, { caller, ops: request.ops.map(toPushed), now: now() });

    const base = { epoch, results };
    let page: Pick<SyncResponse, 'reset' | 'ops' | 'own' | 'cursor' | 'more'>;
    // Another epoch: this is not the store the device last synced with. Its pushes above were still
    // decided (the device re-pushes from the watermark below); its cursor means nothing here.
    const pulled =
      request.epoch !== null && request.epoch !== epoch
        ? ({ reset: true } as const)
        : await pullOps(store.db, {
            caller,
            after: request.cursor,
            limit: request.limit ?? MAX_BATCH,
          });
    if (pulled.reset) {
      // `more`: the device pulls again, from the start (cursor null) and with this epoch.
      page = { reset: true, ops: [], cursor: null, more: true };
    } else {
      const brief = (s: ServedOp) => request.ownInBrief === true && s.op.device === caller.device && s.op.kind !== 'deployment';
      const kept = withinBytes(pulled.ops, pullBytes, brief);
      const last = kept.at(-1);
      page = {
        ops: kept.filter((s) => !brief(s)),
        cursor: kept.length < pulled.ops.length && last ? { seq: last.seq, opId: last.op.id } : pulled.cursor,
        more: pulled.more || kept.length < pulled.ops.length,
      };
      if (request.ownInBrief === true) {
        page.own = kept.filter(brief).map((s) => ({ seq: s.seq, receivedAt: s.receivedAt, id: s.op.id, deviceSeq: s.op.deviceSeq }));
      }
    }

    // Read after the push committed, so the watermark covers this request's own ops.
    const watermark = await deviceWatermark(store.db, caller.device);
    const receipt = (device: string, deviceSeq: number) => receiptOf(state.receiptKey, epoch, device, deviceSeq);
    const answer: SyncResponse = { ...base, serverTime: now(), ...page, watermark, receipt: receipt(caller.device, watermark) };
    if (caller.role === 'coordinator') {
      answer.watermarks = (await allWatermarks(store.db)).map((w) => ({ ...w, receipt: receipt(w.device, w.deviceSeq) }));
    }
    if (request.codecs) {
      await noteCodecs(store.db, caller.device, request.codecs);
      answer.codecs = await commonCodecs(store.db);
    }
    return jsonAnswer(c, answer);
  });
}

/**
 * The wire form (header fields, body and sig side by side) as the store takes it. A valid op is
 * passed as parsed. Anything else is passed through as sent, for the store to decide as it decides
 * malformed ops: a usable (id, device, deviceSeq) gets a rejection stored under that slot so the
 * device's sequence has no gap; a newer format version `v` is refused for now, to be retried.
 */
function toPushed(sent: unknown): PushedOp {
  if (typeof sent !== 'object' || sent === null || Array.isArray(sent)) return sent as PushedOp;
  const fields = { ...(sent as Record<string, unknown>) };
  // No signature, said explicitly: the same as none (the store reads null so).
  if (fields.sig === null) delete fields.sig;
  const wire = wireOpSchema.safeParse(fields);
  if (wire.success) return pushedOfWire(wire.data);
  const header = claimsOf(readWireHeader(fields)) as WireHeader;
  // A list of blobs of another shape is dropped: the outer signature, which covers it, then fails.
  return { header, body: fields.body as string, sig: fields.sig as string | undefined, osig: fields.osig as string | undefined };
}

/** The longest prefix of ops within about `budget` bytes of JSON (those served in brief count as their header); never empty when ops are not. */
function withinBytes(ops: ServedOp[], budget: number, brief: (s: ServedOp) => boolean): ServedOp[] {
  let used = 0;
  for (let i = 0; i < ops.length; i++) {
    const { op } = ops[i]!;
    used += brief(ops[i]!)
      ? OP_OVERHEAD_BYTES
      : Buffer.byteLength(op.body) + (op.sig?.length ?? 0) + (op.osig?.length ?? 0) + (op.blobs?.length ?? 0) * 96 + OP_OVERHEAD_BYTES;
    if (used > budget && i > 0) return ops.slice(0, i);
  }
  return ops;
}
