/**
 * One sync: push the outbox (and, for a coordinator, relay other devices' ops the base lacks) in
 * bounded batches, and pull batch by batch until the base has nothing more. Each round runs the
 * steps below in order: the next batch, the exchange, taking the answer in, where it leaves the
 * sync, and whether anything is left. Each response is taken
 * in with the cursor that covers it in one transaction (take-in.ts), so stopping anywhere (a dropped
 * connection, a closed tab) loses nothing and repeats nothing that matters: pushes are idempotent.
 */
import { MAX_DRIFT_MS } from '../../domain/hlc.ts';
import { cryptoRandom, type DeviceId, type OpId, type RandomBytes } from '../../domain/ids.ts';
import { CODECS_OF_EVERY_READER, CODECS_READ } from '../../domain/op/codecs.ts';
import { MAX_BATCH, type Cursor, type SyncResponse, type Watermark } from '../../domain/op/sync.ts';
import { claimsDeploymentOp, type Reader } from '../../domain/op/read.ts';
import type { Role } from '../../domain/roles.ts';
import type { RasidDb } from '../store/db.ts';
import { lastSendable } from './key-renewal.ts';
import { readerOf, type OpKeys } from './op-keys.ts';
import { followRoster } from './trust.ts';
import { vouchForOwn } from './vouching.ts';
import { ROSTER_ID } from '../../domain/roster.ts';
import {
  countOutbox,
  highestHeld,
  keepSealed,
  newRoom,
  outbox,
  relayBatch,
  sealFor,
  sealOutgoing,
  type Outgoing,
  type Sealed,
} from './push.ts';
import { openingWorker } from './open-worker.ts';
import {
  readAhead,
  readAheadFor,
  reopenWaiting,
  takeResponse,
  type Opener,
  type ReadAhead,
  type ServedRead,
  type TakenResponse,
} from './take-in.ts';
import { SYNC_ERRORS, SyncError, type SyncTransport } from './transport.ts';

export interface SyncContext {
  db: RasidDb;
  device: DeviceId;
  role: Role;
  transport: SyncTransport;
  now: () => number;
  /** What ops are sealed and opened with; without, they travel and are read in version 1 only. */
  keys?: OpKeys;
  /** The keys as they stand now, read again each round: without, `keys` holds for the whole sync. */
  keysNow?: () => Promise<OpKeys | undefined>;
  /** For the ids of ops sync itself writes (vouchings); the platform's by default. */
  random?: RandomBytes;
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

/** Where one sync stands between rounds: what the base last said, and how far this sync pushed. */
interface Position {
  /** This device's watermark at the base, with the receipt the base gave for it. */
  watermark: number;
  receipt: string | null;
  cursor: Cursor | null;
  epoch: string | null;
  /** How far this sync already pushed its own ops: one refused for now is not pushed again until the next sync. */
  pushedOwn: number;
  /** A coordinator's view of every device's watermark at the base, with receipts, and how far it relayed each. */
  baseMarks: Map<string, number>;
  receipts: Map<string, string>;
  relayed: Map<string, number>;
  /** The last page named an own op this device does not hold: the next one is asked for with own ops whole. */
  ownWhole: boolean;
  /** The body codecs every device opens, as the base last said; unknown before its first answer. */
  codecs: readonly number[] | undefined;
  /**
   * For a coordinator: the highest deviceSeq held of each other device, read once a sync and raised
   * with each page pulled, so that a round asks for relays only when one may be there.
   */
  highest?: Map<DeviceId, number>;
}

/** 1. Where the last sync left off, as this device kept it. */
async function startingPosition(db: RasidDb): Promise<Position> {
  const [watermark, receipt, cursor, epoch, storedMarks, codecs] = await Promise.all([
    db.getMeta('watermark').then((w) => w ?? 0),
    db.getMeta('watermarkReceipt').then((r) => r ?? null),
    db.getMeta('cursor').then((c) => c ?? null),
    db.getMeta('epoch').then((e) => e ?? null),
    db.getMeta('watermarks').then((w) => w ?? []),
    db.getMeta('codecs'),
  ]);
  const baseMarks = new Map(storedMarks.map((w) => [w.device, w.deviceSeq]));
  const receipts = new Map(storedMarks.flatMap((w) => (w.receipt === undefined ? [] : [[w.device, w.receipt] as const])));
  return {
    watermark,
    receipt,
    cursor,
    epoch,
    pushedOwn: watermark,
    baseMarks,
    receipts,
    relayed: new Map(baseMarks),
    ownWhole: false,
    codecs,
  };
}

/**
 * 2. The next batch to push: own ops above how far this sync pushed, sealed; for a coordinator, relays.
 * Sealed with the codecs every device opens as the base last said; before its first answer, with
 * those of every reader. Own ops sealed while the last batch was on the wire (sealAhead) go as they
 * were sealed when nothing they were sealed by has changed since; otherwise they are sealed again.
 */
async function nextBatch(ctx: SyncContext, at: Position, early?: SealedAhead): Promise<{ own: Outgoing[]; relay: Outgoing[] }> {
  const upTo = await lastSendable(ctx.db, ctx.keys);
  // Not waited for when it cannot be used: it started from elsewhere, or with other keys.
  const ahead = early?.after === at.pushedOwn && early.keys === ctx.keys ? await early.sealed.catch(() => undefined) : undefined;
  let room = newRoom();
  let own: Outgoing[];
  if (ahead && ahead.basis === sealingBasis(ctx, at.pushedOwn, upTo, at.codecs)) {
    room = ahead.room;
    own = await keepSealed(ctx.db, ahead.sealed);
  } else {
    own = await sealOutgoing(ctx.db, await outbox(ctx.db, ctx.device, at.pushedOwn, room, upTo), ctx.keys, at.codecs);
  }
  const relay = await relays(ctx, at, room);
  return { own, relay };
}

/** The next batch's own ops, sealed while the last batch is on the wire; nothing is kept until it is sent. */
interface SealedAhead {
  after: number;
  keys: OpKeys | undefined;
  sealed: Promise<{ basis: string; room: { count: number; bytes: number }; sealed: Sealed } | undefined>;
}

/**
 * What sealing the next own ops depends on besides the ops: where they start, the last op that may
 * go (a key renewal not yet confirmed holds those after it), the keys they are sealed to and signed
 * by, and the codecs.
 */
function sealingBasis(ctx: SyncContext, after: number, upTo: number, codecs: readonly number[] | undefined): string {
  const k = ctx.keys;
  const device = k && [k.device.signing.publicKey.text, k.device.agreement.publicKey.text, k.device.renewed?.length];
  return JSON.stringify([after, upTo, codecs, k?.self, k?.deploymentPublic?.text, device]);
}

/**
 * 3a. While a batch of own ops is on the wire, the next is sealed: the phone's thread would
 * otherwise wait on the base. With the keys and codecs of this round: an answer that brings
 * deployment ops (a roster that names other keys) drops it, and nextBatch seals again.
 */
function sealAhead(ctx: SyncContext, at: Position, sent: readonly Outgoing[]): SealedAhead | undefined {
  if (sent.length === 0 || !ctx.keys?.deploymentPublic) return undefined;
  const after = Math.max(at.pushedOwn, ...sent.map((o) => o.row.deviceSeq));
  const codecs = at.codecs;
  const sealed = (async () => {
    const upTo = await lastSendable(ctx.db, ctx.keys);
    const room = newRoom();
    const own = await outbox(ctx.db, ctx.device, after, room, upTo);
    if (own.length === 0) return undefined;
    return { basis: sealingBasis(ctx, after, upTo, codecs), room, sealed: await sealFor(ctx.db, own, ctx.keys, codecs) };
  })();
  // One that fails is sealed again in its turn, where a failure is heard.
  sealed.catch(() => undefined);
  return { after, keys: ctx.keys, sealed };
}

/**
 * 3. One exchange with the base: the batch pushed, a page pulled. With it go the watermarks the base
 * told this device in this epoch, with its receipts: a base that now holds less lost ops in a restore,
 * and answers with a new epoch so that every device pulls again from zero.
 */
async function exchange(ctx: SyncContext, at: Position, batch: readonly Outgoing[]): Promise<SyncResponse> {
  const known = at.epoch === null ? undefined : knownMarks(ctx.device, at.watermark, at.receipt, at.baseMarks, at.receipts);
  // This device holds its own ops: it asks only where the base put them, not for them again.
  const response = await ctx.transport({
    epoch: at.epoch,
    cursor: at.cursor,
    ops: batch.map((b) => b.wire),
    limit: MAX_BATCH,
    known,
    ownInBrief: !at.ownWhole,
    codecs: [...CODECS_READ],
  });
  if (response.results.length !== batch.length) throw new SyncError(SYNC_ERRORS.badResponse);
  return response;
}

/**
 * 4. The answer taken in (take-in.ts): pulled ops, rejections, the cursor. A watermark lower than
 * before, this device's or (for a coordinator) any device's, means the base was restored and lost
 * acknowledged ops: pull again from zero as well as pushing again.
 */
async function takeAnswer(
  ctx: SyncContext,
  at: Position,
  batch: readonly Outgoing[],
  response: SyncResponse,
  reading: { reader: Reader | undefined; read: Promise<ServedRead> | undefined },
): Promise<TakenResponse> {
  const { db, device } = ctx;
  const lostOps =
    response.watermark < at.watermark ||
    (response.watermarks !== undefined &&
      [...at.baseMarks].some(([d, m]) => (response.watermarks!.find((w) => w.device === d)?.deviceSeq ?? 0) < m));
  const taken = await takeResponse(
    db,
    response,
    batch.map((b) => b.row.id),
    { device, now: ctx.now, epoch: at.epoch, lostOps, cursorSent: at.cursor, ...reading },
  );
  // A deployment upgraded to a root, or its key rotated: the device pins the root, and vouches for
  // what it wrote before; what it seals next goes to the root's latest deployment key.
  if (ctx.keys && response.ops.some((s) => s.op.reportId === ROSTER_ID) && (await followRoster(db, ctx.keys))) await vouchOwn(ctx);
  return taken;
}

/** 0. Once it pinned the root, a device vouches for its own ops from before it (vouching.ts), once. */
function vouchOwn(ctx: SyncContext): Promise<number> {
  if (!ctx.keys?.root) return Promise.resolve(0);
  return vouchForOwn({ db: ctx.db, device: ctx.device, now: ctx.now, random: ctx.random ?? cryptoRandom });
}

/**
 * 5. Where the base's answer leaves this sync. The base's word on what it holds wins, also when it is
 * less than before (a restored backup): everything above it is pushed again, by this sync. A device
 * the base no longer lists is one it holds nothing of (a new, empty store).
 */
function advance(
  at: Position,
  batch: { own: Outgoing[]; relay: Outgoing[] },
  response: SyncResponse,
  cursor: Cursor | null,
  ownWhole = false,
): void {
  for (const o of batch.own) at.pushedOwn = Math.max(at.pushedOwn, o.row.deviceSeq);
  for (const r of batch.relay) at.relayed.set(r.row.device, Math.max(at.relayed.get(r.row.device) ?? 0, r.row.deviceSeq));
  if (response.watermark < at.watermark) at.pushedOwn = response.watermark;
  at.watermark = response.watermark;
  at.receipt = response.receipt ?? null;
  const marks = response.watermarks;
  if (marks) {
    const now = new Map(marks.map((m) => [m.device, m.deviceSeq]));
    for (const d of new Set([...at.baseMarks.keys(), ...now.keys()])) {
      const mark = now.get(d) ?? 0;
      at.relayed.set(d, mark < (at.baseMarks.get(d) ?? 0) ? mark : Math.max(at.relayed.get(d) ?? 0, mark));
    }
    at.baseMarks = now;
    at.receipts = new Map(marks.flatMap((m) => (m.receipt === undefined ? [] : [[m.device, m.receipt] as const])));
  }
  at.cursor = cursor;
  at.epoch = response.epoch;
  at.ownWhole = ownWhole;
  // A base that does not say (one older than this app) is taken to know only every reader's.
  at.codecs = response.codecs ?? CODECS_OF_EVERY_READER;
}

/** The next page, asked for while this one is taken in, and read then where it may be (readAhead). */
interface Ahead {
  at: Position;
  response: Promise<SyncResponse>;
  read: Promise<ReadAhead | undefined>;
}

/**
 * 3b. A page that pushed nothing, with more to pull and nothing waiting to be pushed: the next pull
 * is sent before this page is taken in, so that the base's work and the wire overlap the desk's.
 * A pull only reads; should the take-in move the cursor elsewhere (a renumbered log, another epoch),
 * the page asked for ahead is dropped and the next round asks again.
 */
async function pullAhead(
  ctx: SyncContext,
  at: Position,
  response: SyncResponse,
  reading: { reader: Reader | undefined; open: Opener | undefined },
): Promise<Ahead | undefined> {
  const { reader, open } = reading;
  const peek: Position = { ...at, baseMarks: new Map(at.baseMarks), receipts: new Map(at.receipts), relayed: new Map(at.relayed) };
  advance(peek, { own: [], relay: [] }, response, response.cursor);
  if (await somethingToPush(ctx, peek)) return undefined;
  const pulled = exchange(ctx, peek, []);
  const read = reader ? pulled.then((next) => readAhead(response, next, reader, open)) : Promise.resolve(undefined);
  // Dropped pages may fail unheard; one that is used fails where it is awaited.
  pulled.catch(() => undefined);
  read.catch(() => undefined);
  return { at: peek, response: pulled, read };
}

function sameCursor(a: Cursor | null, b: Cursor | null): boolean {
  return a === b || (a !== null && b !== null && a.seq === b.seq && a.opId === b.opId);
}

/** Own ops or (for a coordinator) relays waiting to be pushed from where `at` stands. */
async function somethingToPush(ctx: SyncContext, at: Position): Promise<boolean> {
  const upTo = await lastSendable(ctx.db, ctx.keys);
  if ((await outbox(ctx.db, ctx.device, at.pushedOwn, { count: 1, bytes: Infinity }, upTo)).length > 0) return true;
  return (await relays(ctx, at, { count: 1, bytes: Infinity })).length > 0;
}

/**
 * For a coordinator, other devices' ops it holds above what the base holds of them, as `room`
 * allows. Looked for only where `highest` says one may be: a long pull's rounds then read no op to
 * learn there is none. Ops of this sync's pages raise it; one set aside since only costs a look.
 */
async function relays(ctx: SyncContext, at: Position, room: { count: number; bytes: number }): Promise<Outgoing[]> {
  if (ctx.role !== 'coordinator') return [];
  at.highest ??= await highestHeld(ctx.db, ctx.device);
  return relayBatch(ctx.db, at.highest, at.relayed, room);
}

/** The pulled page's ops raise `highest`, once it is known: they are held now (or quarantined, which only costs a look). */
function raiseHighest(at: Position, self: DeviceId, response: SyncResponse): void {
  if (!at.highest) return;
  for (const { op } of response.ops) {
    if (op.device !== self && op.deviceSeq > (at.highest.get(op.device) ?? 0)) at.highest.set(op.device, op.deviceSeq);
  }
}

/** 6. Whether anything is left: more to pull, a pull to start again from zero, own ops or relays to push. */
async function moreToDo(ctx: SyncContext, at: Position, response: SyncResponse, taken: TakenResponse): Promise<boolean> {
  if (response.more || taken.stale || taken.wantWhole) return true;
  // A roster this round pulled may have confirmed a key renewal: the ops that waited for it go now.
  return somethingToPush(ctx, at);
}

/** The keys as `keysNow` gives them, or those the sync holds when it gives none or fails. */
async function keysAsTheyAre(ctx: SyncContext): Promise<OpKeys | undefined> {
  return (await ctx.keysNow?.().catch(() => undefined)) ?? ctx.keys;
}

export async function runSync(ctx: SyncContext, onProgress: (p: SyncProgress) => void = () => {}): Promise<SyncOutcome> {
  const { db, device } = ctx;
  await vouchOwn(ctx);
  const at = await startingPosition(db);
  const out: SyncOutcome = {
    sent: 0,
    toSend: await countOutbox(db, device, at.watermark, await lastSendable(db, ctx.keys)),
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

  // Pages read ahead open in a worker of this sync's own, where there is one.
  const opening = openingWorker();
  try {
    return await rounds(ctx, at, out, opening?.open, onProgress);
  } finally {
    opening?.end();
  }
}

/** The rounds of one sync (runSync), until nothing is left to push or pull. */
async function rounds(
  first: SyncContext,
  at: Position,
  out: SyncOutcome,
  open: Opener | undefined,
  onProgress: (p: SyncProgress) => void,
): Promise<SyncOutcome> {
  let ctx = first;
  const { db, device } = ctx;
  let ahead: Ahead | undefined;
  let sealed: SealedAhead | undefined;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    // A key imported during a long pull (a new desk's first) opens the pages after it as they come.
    ctx = { ...ctx, keys: await keysAsTheyAre(ctx) };
    // Read afresh each round: a roster pulled in the last one may name the authors of this one's ops.
    const reader = ctx.keys && (await readerOf(db, ctx.keys));
    const batch = ahead ? { own: [], relay: [] } : await nextBatch(ctx, at, sealed);
    const sending = [...batch.own, ...batch.relay];
    const answered = ahead?.response ?? exchange(ctx, at, sending);
    sealed = sealAhead(ctx, at, batch.own);
    const response = await answered;
    // Deployment ops may name other keys to seal to: what was sealed ahead is sealed again.
    if (response.ops.some((s) => claimsDeploymentOp(s.op))) sealed = undefined;
    const read = ahead && readAheadFor(await ahead.read, reader);
    const next = sending.length === 0 && response.more ? await pullAhead(ctx, at, response, { reader, open }) : undefined;
    const taken = await takeAnswer(ctx, at, sending, response, { reader, read });
    raiseHighest(at, device, response);
    const restored = response.watermark < at.watermark;
    const codecsBefore = at.codecs;
    advance(at, batch, response, taken.cursor, taken.wantWhole);
    if (at.codecs?.join() !== codecsBefore?.join()) await db.setMeta('codecs', [...at.codecs!]);
    ahead = next && !taken.stale && at.epoch === next.at.epoch && sameCursor(at.cursor, next.at.cursor) ? next : undefined;

    out.sent += sending.length;
    out.relayed += batch.relay.length;
    out.received += response.ops.length;
    out.rejected.push(...taken.rejected);
    out.deferred += taken.deferred;
    out.quarantined += taken.quarantined;
    out.skewMs = ctx.now() - response.serverTime;
    out.clockOff ||= taken.clamped || Math.abs(out.skewMs) > MAX_DRIFT_MS;
    out.reset ||= taken.stale;
    if (restored) out.toSend += await countOutbox(db, device, response.watermark, await lastSendable(db, ctx.keys));
    onProgress({ sent: out.sent, toSend: Math.max(out.toSend, out.sent), received: out.received });

    if (!(await moreToDo(ctx, at, response, taken))) {
      // 7. Ops that waited in the quarantine for a key or a roster entry this sync brought.
      // With the keys as they are now: one imported during this last round came after its pages.
      const keys = await keysAsTheyAre(ctx);
      if (keys) {
        out.reopened = await reopenWaiting(db, await readerOf(db, keys), { device, now: ctx.now }, () => readerOf(db, keys));
      }
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
