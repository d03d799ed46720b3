/**
 * Taking in one batch that sync brought (or a sync file, or ops that waited in the quarantine): the
 * ops, the answers to pushed ops, and the cursor, epoch and watermark that cover them, all in ONE
 * strict Dexie transaction, so a crash leaves either the whole batch with its cursor or none of it.
 * The ops were read and judged before it opens (take-in.ts): an await outside IndexedDB inside it
 * would let it commit early.
 *
 * `takeIn` runs the steps below in order, each named for what it decides:
 * 0. marked from the start: a device holding no other device's op yet marks all it takes in as
 *    needing vouching or not, so its vouching review never reads every op;
 * 1. classify: which ops are new, which are held already and what the base now says of them;
 * 2. rejections: pushed ops the base refused for good stop counting;
 *    then what steps 3 to 5 read is read first, and the new ops' writes are issued;
 * 3. standing: the roster, the trust summary and the cut-offs after this batch, ops above a cut-off
 *    set aside;
 * 4. merge: reports whose standing or ops changed merged again from all their ops, the others
 *    incrementally with the new ops alone;
 * 5. clock: this device's clock takes in the new ops' times;
 * 6. quarantine: what could not be read waits there, unless the op is held;
 * 7. bookkeeping: the cursor, epoch, watermarks and trust summary that cover the batch.
 *
 * Steps run one after the other. Reads are issued together (readFirst) only where each awaits
 * IndexedDB alone: an await on anything else inside the transaction can let it commit early. Writes
 * that nothing later reads are issued without waiting and awaited at the end.
 */
import type { Table } from 'dexie';
import { decodeHlc, nodeIdOf, receive, type Hlc } from '../../domain/hlc.ts';
import { isReportId, isSettingId, type DeviceId, type OpId, type ReportId, type SettingId, type TargetId } from '../../domain/ids.ts';
import { applyOp, emptyState, type Authority, type MergedState } from '../../domain/merge.ts';
import type { Op } from '../../domain/op/op.ts';
import type { Cursor, OwnServed } from '../../domain/op/sync.ts';
import type { WireOp } from '../../domain/op/wire.ts';
import { QUARANTINE_REASONS, WAITING_REASONS } from '../../domain/quarantine.ts';
import { authorityOf, rosterEntriesOf, rosterOf, ROSTER_ID } from '../../domain/roster.ts';
import { authorityOfSummary, changedStanding, cutoffsOf, loweredCutoffs, type TrustSummary } from '../../domain/trusted-roster.ts';
import type { MetaRows, OpRow, QuarantineRow, RasidDb, ReportRow, SettingRow, WriterState } from '../store/db.ts';
import { putStored } from '../store/at-rest-middleware.ts';
import { holdsAnyBetween, keysHeld, readStored, type Stored } from '../store/stored-rows.ts';
import { rebuild, remergeFor, remergeForRoster, reportRow, saveState } from '../store/rows.ts';
import { wireOf } from './wire-of.ts';
import { isOwnWord } from '../../domain/vouching.ts';
import { needsVouchingHere } from './vouching.ts';

/** An op to take in: pulled (with seq and receivedAt), or read from a sync file (without). */
export interface IncomingOp {
  op: Op;
  rawBody?: string;
  /** The version-2 form it arrived in, kept to relay it byte for byte. */
  wire?: WireOp;
  seq?: number;
  receivedAt?: number;
}

export interface ToQuarantine {
  /** The id as it arrived, unchecked: what could not be read may not even have an op id. */
  id?: string;
  /** A quarantine reason (domain/quarantine.ts). */
  reason: string;
  raw: unknown;
  seq?: number;
  receivedAt?: number;
}

/** What one response (or reply file) changes, besides the ops. */
export interface Covering {
  /** Where the pull ended; undefined leaves the stored cursor alone. */
  cursor?: Cursor | null;
  epoch?: string;
  /** This device's watermark, taken even when lower than before (a restored base). */
  watermark?: number;
  watermarkReceipt?: string | null;
  watermarks?: MetaRows['watermarks'];
  /** The server's clock, bounding how far a far-future op may move ours. */
  serverTime?: number;
  /**
   * The pull started after a cursor: an op this device holds arriving under another seq then means
   * the base renumbered its log (a restore), so the cursor is dropped and the next pull starts from zero.
   */
  checkNumbering?: boolean;
}

export interface TakeIn {
  ops: IncomingOp[];
  /** This device's own ops, served in brief: held here already, they take only the base's seq and time. */
  own?: readonly OwnServed[];
  toQuarantine: ToQuarantine[];
  rejected: { id: OpId; reason: string }[];
  covering: Covering;
  /** Quarantined ops that opened now (taken in with `ops`): their quarantine rows go. */
  released?: string[];
  /** On a device that pinned its root: the trusted roster with these ops in (readBatch), kept and merged by. */
  trust?: TrustSummary;
}

export interface TakenIn {
  /** Ops this device did not hold before. */
  added: number;
  quarantined: number;
  /** A received clock was further ahead of the server's than MAX_DRIFT_MS allows. */
  clamped: boolean;
  /** An op held already arrived under another seq (see Covering.checkNumbering). */
  renumbered: boolean;
}

const MAX_RAW_CHARS = 64 * 1024;

function quarantineRow(u: ToQuarantine, at: number): QuarantineRow {
  let raw: string;
  try {
    raw = JSON.stringify(u.raw) ?? String(u.raw);
  } catch {
    raw = String(u.raw);
  }
  // An op waiting for a key is kept whole, to be opened later; others are kept to be looked at.
  const waiting = WAITING_REASONS.includes(u.reason);
  const row: QuarantineRow = { id: u.id ?? `seq:${u.seq ?? at}`, reason: u.reason, raw: waiting ? raw : raw.slice(0, MAX_RAW_CHARS), at };
  if (u.seq !== undefined) row.seq = u.seq;
  if (u.receivedAt !== undefined) row.receivedAt = u.receivedAt;
  return row;
}

/**
 * Rows by key, `undefined` where none is held. A pull mostly brings ops and reports the device does
 * not hold: one seek says when none is, and nothing is read; otherwise every key is read at once,
 * those missing costing little (stored-rows.ts, `keysHeld`, has the measures).
 */
async function heldRows<T, K extends string, R = T>(
  db: RasidDb,
  table: Table<T, K>,
  keys: K[],
  read: (keys: K[]) => Promise<(R | undefined)[]> = (keys) => table.bulkGet(keys) as Promise<(R | undefined)[]>,
): Promise<(R | undefined)[]> {
  if (!(await holdsAnyBetween(db, table, keys))) return keys.map(() => undefined);
  return read(keys);
}

/** The clock and last deviceSeq the next own op continues from (the one writer keeps them in `writer`). */
async function writerState(db: RasidDb, device: DeviceId): Promise<WriterState> {
  const stored = await db.getMeta('writer');
  if (stored?.device === device) return stored;
  const last = await db.ops.where('[device+deviceSeq]').between([device, 0], [device, Infinity]).last();
  return { device, clock: { wall: 0, counter: 0, node: nodeIdOf(device) }, deviceSeq: last?.deviceSeq ?? 0 };
}

/**
 * A revocation whose cut-off is new or lower (a phone reported stolen late), or ops of a revoked
 * device arriving above its cut-off on a device that reads by the roster: the revoked device's ops
 * above its cut-off that this device holds stop counting. They move to the quarantine, kept whole and
 * shown, and the reports they touched merge again without them. Inside takeIn's transaction; returns
 * the rows moved. This device's own ops stay: it keeps what it wrote.
 */
async function setAsideAfterCutoff(
  db: RasidDb,
  self: DeviceId,
  before: ReadonlyMap<DeviceId, number>,
  after: ReadonlyMap<DeviceId, number>,
  fresh: readonly Op[],
  at: number,
): Promise<OpRow[]> {
  const devices = new Set(loweredCutoffs(before, after));
  for (const op of fresh) if (op.deviceSeq > (after.get(op.device) ?? Infinity)) devices.add(op.device);
  devices.delete(self);
  const moved: OpRow[] = [];
  for (const device of devices) {
    const cutoff = after.get(device)!;
    moved.push(...(await db.ops.where('[device+deviceSeq]').between([device, cutoff], [device, Infinity], false, true).toArray()));
  }
  if (moved.length === 0) return moved;
  const rows = moved.map((row) =>
    quarantineRow({ id: row.id, reason: QUARANTINE_REASONS.afterCutoff, raw: wireOf(row), seq: row.seq, receivedAt: row.receivedAt }, at),
  );
  await db.quarantine.bulkPut(rows);
  await db.ops.bulkDelete(moved.map((r) => r.id));
  return moved;
}

/**
 * What a held op served again, or rejected, is judged by and takes: all kept in clear on disk, so it
 * is read and written as it lies, never opened or sealed again (stored-rows.ts).
 */
type HeldClear = 'id' | 'reportId' | 'device' | 'deviceSeq' | 'seq' | 'receivedAt' | 'rejected';
type HeldOp = Stored<OpRow, HeldClear>;

const readHeld = (db: RasidDb, ids: readonly OpId[]) => readStored<OpRow, HeldClear>(db, db.ops, ids);

/** Step 1's answer: what arrived, against what this device holds. */
interface Classified {
  /** Ops this device did not hold, as the rows to add. */
  newRows: OpRow[];
  /** Held rows the base says something new about (a seq, a rejection lifted or made), as they lie. */
  updated: HeldOp[];
  /** The new ops, in the order they came. */
  fresh: Op[];
  /** Reports and settings whose every op must be merged again. */
  rebuild: Set<TargetId>;
  /** An op held already arrived under another seq (see Covering.checkNumbering). */
  renumbered: boolean;
}

/** Reports and settings a new op is merged into incrementally (step 4b); the roster and own words are merged otherwise. */
const mergesFresh = (id: TargetId): boolean => id !== ROSTER_ID && !isOwnWord(id);

/** What steps 3 to 5 read, read before the batch's writes are issued (see takeIn). */
interface ReadFirst {
  trustBefore: TrustSummary | undefined;
  roster: SettingRow | undefined;
  cutoffsApplied: MetaRows['cutoffsApplied'] | undefined;
  /** As stored; when it is not this device's, step 5 finds it after the writes, from the ops held. */
  writer: WriterState | undefined;
  reports: Map<ReportId, ReportRow | undefined>;
  settings: Map<SettingId, SettingRow | undefined>;
}

/**
 * 1b. Read first. IndexedDB answers a transaction's requests in order, so a read issued behind a
 * batch's writes waits until every one of them is done, and the page's thread idles meanwhile.
 * Read first, the merge runs while the ops are written. Nothing a step writes before it reads is
 * read here: the rows rebuilt (step 4a) are not merged incrementally, and the writer's state read
 * from the ops held (a device without one) is read where it was.
 */
async function readFirst(db: RasidDb, sorted: Classified): Promise<ReadFirst> {
  const targets = [...new Set(sorted.fresh.map((op) => op.reportId))].filter(mergesFresh);
  const reportIds = targets.filter(isReportId);
  const settingIds = targets.filter(isSettingId);
  const [trustBefore, roster, cutoffsApplied, writer, reportRows, settingRows] = await Promise.all([
    db.getMeta('trust'),
    db.settings.get(ROSTER_ID),
    db.getMeta('cutoffsApplied'),
    db.getMeta('writer'),
    heldRows(db, db.reports, reportIds),
    db.settings.bulkGet(settingIds),
  ]);
  return {
    trustBefore,
    roster,
    cutoffsApplied,
    writer,
    reports: new Map(reportIds.map((id, i) => [id, reportRows[i]])),
    settings: new Map(settingIds.map((id, i) => [id, settingRows[i]])),
  };
}

/**
 * Rows are sealed at rest as they are handed to IndexedDB, and IndexedDB stores them on its own
 * thread: handed over in parts, the first part is being stored while the next is sealed, where one
 * bulk write would seal all before storing any. 50 to 200 rows a part took the same time.
 */
const WRITE_PART = 100;

/** Issues the writes of `rows`, a part at a time, without waiting; the caller awaits them all. */
function inParts<T>(rows: readonly T[], write: (rows: T[]) => Promise<unknown>): Promise<unknown>[] {
  const out: Promise<unknown>[] = [];
  for (let i = 0; i < rows.length; i += WRITE_PART) out.push(write(rows.slice(i, i + WRITE_PART)));
  return out;
}

/** 1. Classify: new ops become rows; a held op only takes what the base now says of it. */
async function classify(db: RasidDb, device: DeviceId, ops: readonly IncomingOp[], own: readonly OwnServed[]): Promise<Classified> {
  const held = await heldRows(
    db,
    db.ops,
    ops.map((i) => i.op.id),
    (ids) => readHeld(db, ids),
  );
  const out: Classified = { newRows: [], updated: [], fresh: [], rebuild: new Set(), renumbered: false };
  const seen = new Set<OpId>();
  ops.forEach((inc, i) => {
    if (seen.has(inc.op.id)) return;
    seen.add(inc.op.id);
    const old = held[i];
    if (old) return heldServed(old, inc, out);
    const row: OpRow = { ...inc.op };
    if (inc.seq !== undefined) row.seq = inc.seq;
    if (inc.receivedAt !== undefined) row.receivedAt = inc.receivedAt;
    if (inc.rawBody !== undefined) row.rawBody = inc.rawBody;
    if (inc.wire !== undefined) row.wire = inc.wire;
    if (needsVouchingHere(row, device)) row.needsVouching = 1;
    out.newRows.push(row);
    out.fresh.push(inc.op);
  });
  // Served in brief, an op counts only as the one this device wrote at that deviceSeq.
  const ownHeld = await readHeld(
    db,
    own.map((o) => o.id as OpId),
  );
  own.forEach((o, i) => {
    const old = ownHeld[i];
    if (!old || seen.has(old.id) || old.device !== device || old.deviceSeq !== o.deviceSeq) return;
    seen.add(old.id);
    heldServed(old, o, out);
  });
  return out;
}

/** A held op served again: only what the base says about it can be new. Unchanged rows are not rewritten. */
function heldServed(old: HeldOp, served: { seq?: number; receivedAt?: number }, out: Classified): void {
  const seqChanged = served.seq !== undefined && (old.seq !== served.seq || old.receivedAt !== served.receivedAt);
  if (seqChanged && old.seq !== undefined) out.renumbered = true;
  if (!seqChanged && !old.rejected) return;
  const row: HeldOp = { ...old };
  if (served.seq !== undefined) {
    row.seq = served.seq;
    row.receivedAt = served.receivedAt;
  }
  if (old.rejected && served.seq !== undefined) {
    // The base serves it, so it holds it acknowledged (re-pushed after a restore): it counts again.
    delete row.rejected;
    out.rebuild.add(old.reportId);
  }
  out.updated.push(row);
}

/**
 * 0. A device that holds no other device's op yet marks every one it takes in (classify): its
 * vouching review will never need to read all its ops to mark those held from before the mark.
 */
async function markedFromTheStart(db: RasidDb, device: DeviceId): Promise<void> {
  if (await db.getMeta('vouchingMarked')) return;
  const byDevice = db.ops.where('[device+deviceSeq]');
  const [before, after] = await Promise.all([
    byDevice.below([device, -Infinity]).limit(1).primaryKeys(),
    byDevice.above([device, Infinity]).limit(1).primaryKeys(),
  ]);
  if (before.length === 0 && after.length === 0) await db.setMeta('vouchingMarked', true);
}

/** 2. Rejections: a pushed op the base refused for good is marked so, and its report merged again. */
async function markRejections(db: RasidDb, sorted: Classified, rejected: TakeIn['rejected']): Promise<void> {
  const rows = await readHeld(
    db,
    rejected.map((r) => r.id),
  );
  rejected.forEach((r, i) => {
    const row = rows[i] ?? sorted.newRows.find((n) => n.id === r.id);
    if (!row || row.rejected === r.reason) return;
    row.rejected = r.reason;
    if (rows[i]) sorted.updated.push(row);
    sorted.rebuild.add(row.reportId);
  });
}

/** Step 3's answer: who counts as what after this batch. */
interface Standing {
  /** Once the root is pinned: the trust summary before this batch, and after it. */
  trustBefore?: TrustSummary;
  trust?: TrustSummary;
  rosterBefore: ReturnType<typeof rosterOf>;
  rosterAfter: ReturnType<typeof rosterOf>;
  authority: Authority;
}

/**
 * 3. Standing: the roster merged again when roster ops arrived; the cut-offs (the trust rule's once
 * the root is pinned, the roster's before) with the ops above them set aside; and the authority that
 * judges coordinator-only fields, as of each op.
 */
async function settleStanding(
  db: RasidDb,
  device: DeviceId,
  arrivedTrust: TrustSummary | undefined,
  sorted: Classified,
  now: number,
  first: ReadFirst,
) {
  const { trustBefore } = first;
  const rosterStateBefore = first.roster?.state;
  let rosterState = rosterStateBefore;
  const rebuildRoster = async () => {
    const { state } = await rebuild(db, ROSTER_ID, device, () => false);
    await saveState(db, state, 0);
    rosterState = state;
    sorted.rebuild.delete(ROSTER_ID);
  };
  if (sorted.fresh.some((o) => o.reportId === ROSTER_ID) || sorted.rebuild.has(ROSTER_ID)) await rebuildRoster();
  const trust = arrivedTrust ?? trustBefore;
  const cutoffsAfter = cutoffsOf(trust ? trust.devices : rosterEntriesOf(rosterState).values());
  // Compared with what was set aside before, not with the roster before this batch: the
  // coordinator's own roster op, written on this desk, carries a revocation too.
  const applied = new Map(Object.entries(first.cutoffsApplied ?? {}) as [DeviceId, number][]);
  const cut = await setAsideAfterCutoff(db, device, applied, cutoffsAfter, sorted.fresh, now);
  if (loweredCutoffs(applied, cutoffsAfter).length > 0) await db.setMeta('cutoffsApplied', Object.fromEntries(cutoffsAfter));
  for (const row of cut) sorted.rebuild.add(row.reportId);
  if (sorted.rebuild.has(ROSTER_ID)) await rebuildRoster();
  const rosterAfter = rosterOf(rosterState);
  const standing: Standing = {
    rosterBefore: rosterOf(rosterStateBefore),
    rosterAfter,
    authority: trust ? authorityOfSummary(trust) : authorityOf(rosterAfter, cutoffsAfter),
  };
  if (trustBefore) standing.trustBefore = trustBefore;
  if (trust) standing.trust = trust;
  return standing;
}

/**
 * 4a. Merge again, from all their ops: the reports step 1 to 3 named, and those holding ops of
 * devices whose coordinator standing changed. Adds the latter to `sorted.rebuild`.
 */
async function mergeAgain(db: RasidDb, device: DeviceId, standing: Standing, sorted: Classified): Promise<void> {
  const { authority } = standing;
  for (const id of sorted.rebuild) {
    if (isOwnWord(id)) continue;
    const { state, lastOwnSeq } = await rebuild(db, id, device, authority);
    await saveState(db, state, lastOwnSeq);
  }
  const remerged = standing.trust
    ? await remergeFor(db, device, changedStanding(standing.trustBefore, standing.trust), authority, sorted.rebuild)
    : await remergeForRoster(db, device, standing.rosterBefore, standing.rosterAfter, sorted.rebuild);
  for (const id of remerged) sorted.rebuild.add(id);
}

/**
 * 4b. Merge the rest incrementally: each other report or setting touched takes its new ops alone.
 * Their rows were read first (1b); written in bulk, a part at a time; returns the writes,
 * issued and not yet awaited.
 */
function mergeFresh(
  db: RasidDb,
  device: DeviceId,
  sorted: Classified,
  rejected: ReadonlySet<OpId>,
  authority: Authority,
  first: ReadFirst,
) {
  const byReport = new Map<TargetId, Op[]>();
  for (const op of sorted.fresh) {
    if (sorted.rebuild.has(op.reportId) || !mergesFresh(op.reportId)) continue;
    const list = byReport.get(op.reportId);
    if (list) list.push(op);
    else byReport.set(op.reportId, [op]);
  }
  const reportIds = [...byReport.keys()].filter(isReportId);
  const settingIds = [...byReport.keys()].filter(isSettingId);
  const reportRows = reportIds.map((id) => first.reports.get(id));
  const settingRows = settingIds.map((id) => first.settings.get(id));
  const merged = <Id extends TargetId>(id: Id, state: MergedState<Id> | undefined, lastOwnSeq: number) => {
    let next = state ?? emptyState(id);
    let own = lastOwnSeq;
    for (const op of byReport.get(id)!) {
      if (op.device === device && !isSettingId(id)) own = Math.max(own, op.deviceSeq);
      if (!rejected.has(op.id)) next = applyOp(next, op, authority);
    }
    return { state: next, own };
  };
  const reportPuts = reportIds.map((id, i) => {
    const { state, own } = merged(id, reportRows[i]?.state, reportRows[i]?.lastOwnSeq ?? 0);
    return reportRow(state, own);
  });
  const settingPuts = settingIds.map((id, i) => ({ id, state: merged(id, settingRows[i]?.state, 0).state }));
  // A state with no op applied (its only ops were rejected) leaves no row, as saveState does.
  return {
    written: Promise.all([
      ...inParts(
        reportPuts.filter((r) => r.state.applied.length > 0),
        (rows) => db.reports.bulkPut(rows),
      ),
      db.settings.bulkPut(settingPuts.filter((r) => r.state.applied.length > 0)),
    ]),
  };
}

/** 5. Clock: it takes in every new op's time, bounded by the server's time; the ops keep theirs. */
async function advanceClock(
  db: RasidDb,
  device: DeviceId,
  fresh: readonly Op[],
  now: number,
  serverTime: number | undefined,
  first: ReadFirst,
) {
  let clamped = false;
  const writer = first.writer?.device === device ? first.writer : await writerState(db, device);
  let clock: Hlc = writer.clock;
  for (const op of fresh) {
    if (op.device === device) continue;
    const r = receive(clock, decodeHlc(op.body.hlc), now, serverTime ?? now);
    clock = r.clock;
    clamped ||= r.clamped;
  }
  return { clamped, writer, clock, moved: fresh.some((o) => o.device !== device) };
}

/**
 * 6. Quarantine: an op is held or quarantined, never both. A copy of a held op that fails to read
 * (one a hostile base altered) leaves the held op standing, and an op taken in ends the wait of a
 * copy; rows that opened elsewhere (`released`) leave.
 */
async function settleQuarantine(db: RasidDb, input: TakeIn, newRows: readonly OpRow[], now: number) {
  const ids = input.toQuarantine.flatMap((u) => (u.id === undefined ? [] : [u.id]));
  const alsoHeld = await keysHeld<string>(db, db.ops, ids);
  const put = input.toQuarantine.filter((u) => u.id === undefined || !alsoHeld.has(u.id)).map((u) => quarantineRow(u, now));
  const waited = await keysHeld<string>(
    db,
    db.quarantine,
    newRows.map((r) => r.id),
  );
  const released = [...(input.released ?? []), ...waited];
  // A sync that began before a key was imported goes on parking ops while that key's reopen runs:
  // marking each addition lets the next reopen know that it has not seen them, even with the same keys.
  const newlyWaiting = put.some((row) => WAITING_REASONS.includes(row.reason));
  return {
    count: put.length,
    written: Promise.all([
      released.length ? db.quarantine.bulkDelete(released) : undefined,
      put.length ? db.quarantine.bulkPut(put) : undefined,
      newlyWaiting ? db.setMeta('waitingAdded', crypto.randomUUID()) : undefined,
    ]),
  };
}

/** 7. Bookkeeping: what covers the batch, kept with it. A renumbered log drops the cursor (pull again from zero). */
function keepCovering(db: RasidDb, covering: Covering, renumbered: boolean, trust: TrustSummary | undefined) {
  const { epoch, watermark, watermarkReceipt, watermarks } = covering;
  const cursor = renumbered && covering.checkNumbering ? null : covering.cursor;
  return Promise.all([
    cursor !== undefined ? db.setMeta('cursor', cursor) : undefined,
    epoch !== undefined ? db.setMeta('epoch', epoch) : undefined,
    watermark !== undefined ? db.setMeta('watermark', watermark) : undefined,
    watermarkReceipt !== undefined ? db.setMeta('watermarkReceipt', watermarkReceipt) : undefined,
    watermarks !== undefined ? db.setMeta('watermarks', watermarks) : undefined,
    trust ? db.setMeta('trust', trust) : undefined,
  ]);
}

export async function takeIn(db: RasidDb, input: TakeIn, deps: { device: DeviceId; now: () => number }): Promise<TakenIn> {
  const { device } = deps;
  const now = deps.now();
  return db.transaction('rw', [db.ops, db.reports, db.settings, db.meta, db.quarantine], async () => {
    await markedFromTheStart(db, device);
    const sorted = await classify(db, device, input.ops, input.own ?? []);
    await markRejections(db, sorted, input.rejected);
    const first = await readFirst(db, sorted);
    // Not awaited here: IndexedDB runs a transaction's requests in order, so every read below sees
    // these writes, and issuing the writes of ops and reports together saves round trips.
    const opsWritten = Promise.all([...inParts(sorted.newRows, (rows) => db.ops.bulkAdd(rows)), putStored(db, db.ops, sorted.updated)]);
    const standing = await settleStanding(db, device, input.trust, sorted, now, first);
    await mergeAgain(db, device, standing, sorted);
    const states = mergeFresh(db, device, sorted, new Set(input.rejected.map((r) => r.id)), standing.authority, first);
    const clock = await advanceClock(db, device, sorted.fresh, now, input.covering.serverTime, first);
    const quarantine = await settleQuarantine(db, input, sorted.newRows, now);
    await Promise.all([
      opsWritten,
      states.written,
      clock.moved ? db.setMeta('writer', { ...clock.writer, clock: clock.clock }) : undefined,
      quarantine.written,
      keepCovering(db, input.covering, sorted.renumbered, input.trust),
    ]);
    return { added: sorted.fresh.length, quarantined: quarantine.count, clamped: clock.clamped, renumbered: sorted.renumbered };
  });
}
