/**
 * One sync: push the outbox (and, for a coordinator, relay other devices' ops the base lacks) in
 * bounded batches, and pull batch by batch until the base has nothing more. Each response is taken
 * in with the cursor that covers it in one transaction (take-in.ts), so stopping anywhere (a dropped
 * connection, a closed tab) loses nothing and repeats nothing that matters: pushes are idempotent.
 */
import { MAX_DRIFT_MS } from '../../domain/hlc.ts';
import type { DeviceId, OpId } from '../../domain/ids.ts';
import { MAX_BATCH, type SyncResponse, type Watermark } from '../../domain/protocol.ts';
import type { Role } from '../../domain/roles.ts';
import type { RasidDb } from '../store/db.ts';
import { readerOf, type OpKeys } from './op-keys.ts';
import { pinEndorsedRoot } from './trust.ts';
import { ROSTER_ID } from '../../domain/roster.ts';
import { countOutbox, newRoom, outbox, relayBatch, sealOutgoing, type Outgoing } from './push.ts';
import { reopenWaiting, takeResponse } from './take-in.ts';
import { SYNC_ERRORS, SyncError, type SyncTransport } from './transport.ts';

export interface SyncContext {
  db: RasidDb;
  device: DeviceId;
  role: Role;
  transport: SyncTransport;
  now: () => number;
  /** What ops are sealed and opened with; without, they travel and are read in version 1 only. */
  keys?: OpKeys;
}

export interface SyncProgress {
  /** Ops pushed (own and relayed) so far in this sync, and own ops waiting when it began. */
  sent: number;
  toSend: number;
  /** Ops pulled so far. */
  received: number;
}

export interface SyncOutcome extends SyncProgress {
  relayed: number;
  rejected: { id: OpId; reason: string }[];
  /** Refused for now (the base will take them later): pushed again at the next sync. */
  deferred: number;
  quarantined: number;
  /** Device clock minus server clock at the last response, in ms. */
  skewMs: number;
  /** True when the skew is beyond MAX_DRIFT_MS, or an op's clock was further ahead than the base allows. */
  clockOff: boolean;
  /** The base answered `reset`: this device pulled again from zero. */
  reset: boolean;
  /** Ops that had waited in quarantine for a key and opened in this sync. */
  reopened: number;
}

/** A guard against a base that keeps saying "more" forever: far above any real log. */
const MAX_ROUNDS = 100_000;

export async function runSync(ctx: SyncContext, onProgress: (p: SyncProgress) => void = () => {}): Promise<SyncOutcome> {
  const { db, device } = ctx;
  let [watermark, receipt, cursor, epoch, storedMarks] = await Promise.all([
    db.getMeta('watermark').then((w) => w ?? 0),
    db.getMeta('watermarkReceipt').then((r) => r ?? null),
    db.getMeta('cursor').then((c) => c ?? null),
    db.getMeta('epoch').then((e) => e ?? null),
    db.getMeta('watermarks').then((w) => w ?? []),
  ]);
  const out: SyncOutcome = {
    sent: 0,
    toSend: await countOutbox(db, device, watermark),
    received: 0,
    relayed: 0,
    rejected: [],
    deferred: 0,
    quarantined: 0,
    skewMs: 0,
    clockOff: false,
    reset: false,
    reopened: 0,
  };
  onProgress({ ...out });

  // How far this sync already pushed: an op refused for now is not pushed again until the next sync.
  let pushedOwn = watermark;
  const baseMarks = new Map(storedMarks.map((w) => [w.device, w.deviceSeq]));
  const receipts = new Map(storedMarks.flatMap((w) => (w.receipt === undefined ? [] : [[w.device, w.receipt] as const])));
  const relayed = new Map(baseMarks);

  for (let round = 0; round < MAX_ROUNDS; round++) {
    const room = newRoom();
    const own = await sealOutgoing(db, await outbox(db, device, pushedOwn, room), ctx.keys);
    const relay: Outgoing[] = ctx.role === 'coordinator' ? await relayBatch(db, device, relayed, room) : [];
    const batch = [...own, ...relay];

    // What the base told this device in this epoch, with its receipts: a base that now holds less lost
    // ops in a restore, and answers with a new epoch so that every device pulls again from zero.
    const known = epoch === null ? undefined : knownMarks(device, watermark, receipt, baseMarks, receipts);
    const response: SyncResponse = await ctx.transport({ epoch, cursor, ops: batch.map((b) => b.wire), limit: MAX_BATCH, known });
    if (response.results.length !== batch.length) throw new SyncError(SYNC_ERRORS.badResponse);

    for (const o of own) pushedOwn = Math.max(pushedOwn, o.row.deviceSeq);
    for (const r of relay) relayed.set(r.row.device, Math.max(relayed.get(r.row.device) ?? 0, r.row.deviceSeq));
    // A watermark lower than before, this device's or (for a coordinator) any device's: the base was
    // restored and lost acknowledged ops. Pull again from zero as well as pushing again.
    const lostOps =
      response.watermark < watermark ||
      (response.watermarks !== undefined &&
        [...baseMarks].some(([d, m]) => (response.watermarks!.find((w) => w.device === d)?.deviceSeq ?? 0) < m));
    // Read afresh each round: a roster pulled in the last one may name the authors of this one's ops.
    const reader = ctx.keys && (await readerOf(db, ctx.keys));
    const taken = await takeResponse(
      db,
      response,
      batch.map((b) => b.row.id),
      { device, now: ctx.now, epoch, lostOps, cursorSent: cursor, reader },
    );
    // A deployment upgraded to a root: a device enrolled before takes it on its coordinator's word.
    if (ctx.keys && !ctx.keys.root && response.ops.some((s) => s.op.reportId === ROSTER_ID)) await pinEndorsedRoot(db, ctx.keys);
    const stale = taken.stale;
    const marks = response.watermarks;

    out.sent += batch.length;
    out.relayed += relay.length;
    out.received += response.ops.length;
    out.rejected.push(...taken.rejected);
    out.deferred += taken.deferred;
    out.quarantined += taken.quarantined;
    out.skewMs = ctx.now() - response.serverTime;
    out.clockOff ||= taken.clamped || Math.abs(out.skewMs) > MAX_DRIFT_MS;
    out.reset ||= stale;

    // The base's word on what it holds wins, also when it is less than before (a restored backup):
    // everything above it is pushed again, by this sync.
    if (response.watermark < watermark) {
      pushedOwn = response.watermark;
      out.toSend += await countOutbox(db, device, response.watermark);
    }
    watermark = response.watermark;
    receipt = response.receipt ?? null;
    if (marks) {
      // A device the base no longer lists is one it holds nothing of (a new, empty store).
      const now = new Map(marks.map((m) => [m.device, m.deviceSeq]));
      for (const d of new Set([...baseMarks.keys(), ...now.keys()])) {
        const mark = now.get(d) ?? 0;
        relayed.set(d, mark < (baseMarks.get(d) ?? 0) ? mark : Math.max(relayed.get(d) ?? 0, mark));
      }
      baseMarks.clear();
      for (const [d, m] of now) baseMarks.set(d, m);
      receipts.clear();
      for (const m of marks) if (m.receipt !== undefined) receipts.set(m.device, m.receipt);
    }
    cursor = taken.cursor;
    epoch = response.epoch;
    onProgress({ sent: out.sent, toSend: Math.max(out.toSend, out.sent), received: out.received });

    const ownLeft = (await outbox(db, device, pushedOwn, { count: 1, bytes: Infinity })).length > 0;
    const relayLeft = ctx.role === 'coordinator' && (await relayBatch(db, device, relayed, { count: 1, bytes: Infinity })).length > 0;
    if (!response.more && !stale && !ownLeft && !relayLeft) {
      if (ctx.keys) out.reopened = await reopenWaiting(db, await readerOf(db, ctx.keys), { device, now: ctx.now });
      return out;
    }
  }
  throw new SyncError(SYNC_ERRORS.badResponse);
}

/** The watermarks the base gave with a receipt: this device's own, and a coordinator's of every device. */
function knownMarks(
  device: DeviceId,
  watermark: number,
  receipt: string | null,
  marks: ReadonlyMap<string, number>,
  receipts: ReadonlyMap<string, string>,
): Watermark[] {
  const known: Watermark[] = [];
  for (const [d, deviceSeq] of marks) {
    const shown = receipts.get(d);
    if (d !== device && shown !== undefined) known.push({ device: d, deviceSeq, receipt: shown });
  }
  if (receipt !== null) known.push({ device, deviceSeq: watermark, receipt });
  return known;
}
