/**
 * Taking in what sync brought: ops pulled from the base (with their seq and received time), answers
 * to pushed ops (rejections), and the cursor, epoch and watermark that cover them, all in ONE strict
 * Dexie transaction, so a crash leaves either the whole batch with its cursor or none of it.
 *
 * Ops are parsed before the transaction opens (an await outside IndexedDB inside it would let it
 * commit early). An op that cannot be read goes to quarantine and the cursor still moves past it.
 * Each touched report is merged again: incrementally when only new ops arrived, from all its ops when
 * one of them was rejected or when the roster changed whose coordinator standing counts.
 */
import { decodeHlc, nodeIdOf, receive, type Hlc } from '../../domain/hlc.ts';
import { applyOp, emptyState, type MergedState } from '../../domain/merge.ts';
import { isReportId, isSettingId, type DeviceId, type OpId, type TargetId } from '../../domain/ids.ts';
import type { Op } from '../../domain/op.ts';
import type { Cursor, ServedOp, SyncResponse, WireOp } from '../../domain/protocol.ts';
import { authorityOf, entriesWritten, rosterEntriesOf, rosterOf, ROSTER_ID } from '../../domain/roster.ts';
import { readerExtent } from './op-keys.ts';
import { readArrived, readStatement, type ArrivedOp, type Reader } from '../../domain/op-envelope.ts';
import { QUARANTINE_REASONS, WAITING_REASONS } from '../../domain/quarantine.ts';
import {
  authorityOfSummary,
  changedStanding,
  cutoffsOf,
  IGNORED_STATEMENT,
  loweredCutoffs,
  standingAt,
  summaryOf,
  type IgnoredReason,
  type TrustedRoster,
  type TrustSummary,
} from '../../domain/trusted-roster.ts';
import { statementOfRow, trustOver, type HeldStatement } from './trust.ts';
import type { Table } from 'dexie';
import type { MetaRows, OpRow, QuarantineRow, RasidDb, WriterState } from '../store/db.ts';
import { rebuild, remergeFor, remergeForRoster, reportRow, saveState } from '../store/rows.ts';
import { wireOf } from './push.ts';

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

/** Ops read from a batch, in the order given, and, on a device that pinned its root, the trusted roster they leave. */
export interface ReadBatch {
  read: ArrivedOp[];
  trust?: TrustSummary;
}

const isRosterOp = (w: unknown) => {
  const o = w as { kind?: unknown; reportId?: unknown } | null;
  return o?.kind === 'deployment' && o.reportId === ROSTER_ID;
};

/**
 * Reads ops that arrived, in the order given. Deployment ops are read first: a roster op in the
 * same batch may vouch for the keys of the devices whose ops follow it. Runs before the transaction.
 */
export async function readBatch(arrived: readonly unknown[], reader: Reader | undefined): Promise<ReadBatch> {
  if (reader?.rooted) return readRooted(arrived, reader, reader.rooted);
  const results = new Array<ArrivedOp>(arrived.length);
  const isDeploymentOp = (w: unknown) => (w as { kind?: unknown } | null)?.kind === 'deployment';
  for (let i = 0; i < arrived.length; i++) {
    if (!isDeploymentOp(arrived[i])) continue;
    const read = await readArrived(arrived[i], reader);
    results[i] = read;
    if (read.ok && read.op.reportId === ROSTER_ID && reader) {
      for (const entry of entriesWritten(read.op.body.changes)) await reader.directory.add(entry);
    }
  }
  await Promise.all(arrived.map(async (w, i) => (isDeploymentOp(w) ? undefined : (results[i] = await readArrived(w, reader)))));
  return { read: results };
}

const IGNORED_AS: Record<IgnoredReason, string> = {
  [IGNORED_STATEMENT.unknownAuthor]: QUARANTINE_REASONS.unknownSigner,
  [IGNORED_STATEMENT.badSignature]: QUARANTINE_REASONS.badSignature,
  [IGNORED_STATEMENT.afterCutoff]: QUARANTINE_REASONS.afterCutoff,
};

/**
 * The trust rule's reading (docs/security.md, "Who is trusted: the rule"): roster statements, held
 * and arriving, give the trusted roster; a statement it ignores is quarantined, and every other op
 * counts only when its author stands in that roster at its `deviceSeq`, its signature verifies
 * under the key in force then, and its kind is its author's to write.
 */
async function readRooted(arrived: readonly unknown[], reader: Reader, rooted: NonNullable<Reader['rooted']>): Promise<ReadBatch> {
  const results = new Array<ArrivedOp>(arrived.length);
  const incoming: HeldStatement[] = [];
  arrived.forEach((w, i) => {
    if (!isRosterOp(w)) return;
    const read = readStatement(w);
    results[i] = read;
    if (read.ok) incoming.push(statementOfRow({ ...read.op, ...(read.wire && { wire: read.wire }) }));
  });
  const heldIds = new Set(rooted.held.map((s) => s.opId));
  const statements = [...rooted.held, ...incoming.filter((s) => !heldIds.has(s.opId))];
  const trusted = await trustOver(statements, rooted.root, rooted.self);
  const ignored = new Map(trusted.ignored.map((g) => [g.statement.opId, g.reason]));
  arrived.forEach((_w, i) => {
    const read = results[i];
    if (!read?.ok) return;
    const reason = ignored.get(read.op.id);
    if (reason !== undefined) results[i] = { ok: false, id: read.op.id, reason: IGNORED_AS[reason] };
  });

  const directory = incoming.length > 0 ? await rooted.directoryOf(trusted) : reader.directory;
  const judged: Reader = { ...reader, directory };
  await Promise.all(
    arrived.map(async (w, i) => {
      if (isRosterOp(w)) return;
      const read = await readArrived(w, judged);
      results[i] = read.ok ? standing(read, trusted, rooted.self) : read;
    }),
  );
  return { read: results, trust: summaryOf(trusted) };
}

/** An op that opened and verified, as the trust rule's step 5 judges its author's standing at it. */
function standing(read: Extract<ArrivedOp, { ok: true }>, trusted: TrustedRoster, self: DeviceId): ArrivedOp {
  const { op } = read;
  if (op.device === self) return read;
  const fail = (reason: string): ArrivedOp => ({ ok: false, id: op.id, reason });
  const named = trusted.devices.get(op.device);
  if (named?.cutoff !== undefined && op.deviceSeq > named.cutoff) return fail(QUARANTINE_REASONS.afterCutoff);
  const at = standingAt(trusted, op.device, op.deviceSeq);
  if (!at) return fail(QUARANTINE_REASONS.unknownSigner);
  const settings = op.kind === 'deployment' || op.kind === 'desk';
  if (at.role === 'root' || (settings && at.role !== 'coordinator')) return fail(QUARANTINE_REASONS.notAllowed);
  return read;
}

/** Splits served ops into the readable and the quarantined. */
export async function readServed(
  served: readonly ServedOp[],
  reader?: Reader,
): Promise<{ ops: IncomingOp[]; toQuarantine: ToQuarantine[]; trust?: TrustSummary }> {
  const ops: IncomingOp[] = [];
  const toQuarantine: ToQuarantine[] = [];
  const { read, trust } = await readBatch(
    served.map((s) => s.op),
    reader,
  );
  served.forEach((s, i) => {
    const r = read[i]!;
    if (r.ok) ops.push({ op: r.op, rawBody: r.rawBody, wire: r.wire, seq: s.seq, receivedAt: s.receivedAt });
    else toQuarantine.push({ id: r.id, reason: r.reason, raw: s.op, seq: s.seq, receivedAt: s.receivedAt });
  });
  return { ops, toQuarantine, ...(trust && { trust }) };
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
 * not hold yet: one key-only walk over the sorted keys finds the few it does, and only those are read
 * (500 point reads that miss cost several times more here).
 */
async function heldRows<T, K extends string>(table: Table<T, K>, keys: K[]): Promise<(T | undefined)[]> {
  if (keys.length === 0) return [];
  const present = new Set(await table.where(':id').anyOf(keys).primaryKeys());
  if (present.size === 0) return keys.map(() => undefined);
  const found = await table.bulkGet(keys.filter((k) => present.has(k)));
  const byKey = new Map<K, T | undefined>();
  keys.filter((k) => present.has(k)).forEach((k, i) => byKey.set(k, found[i]));
  return keys.map((k) => byKey.get(k));
}

/** The clock and last deviceSeq the next own op continues from (the one writer keeps them in `writer`). */
async function writerState(db: RasidDb, device: DeviceId): Promise<WriterState> {
  const stored = await db.getMeta('writer');
  if (stored?.device === device) return stored;
  const last = await db.ops.where('[device+deviceSeq]').between([device, 0], [device, Infinity]).last();
  return { device, clock: { wall: 0, counter: 0, node: nodeIdOf(device) }, deviceSeq: last?.deviceSeq ?? 0 };
}

export async function takeIn(db: RasidDb, input: TakeIn, deps: { device: DeviceId; now: () => number }): Promise<TakenIn> {
  const { device } = deps;
  const now = deps.now();
  return db.transaction('rw', [db.ops, db.reports, db.settings, db.meta, db.quarantine], async () => {
    const ids = input.ops.map((i) => i.op.id);
    const held = await heldRows(db.ops, ids);
    const newRows: OpRow[] = [];
    const updated: OpRow[] = [];
    const fresh: Op[] = [];
    /** Reports whose every op must be merged again (a rejection, a formerly rejected op served). */
    const rebuildIds = new Set<TargetId>();
    const seen = new Set<OpId>();
    let renumbered = false;
    input.ops.forEach((inc, i) => {
      if (seen.has(inc.op.id)) return;
      seen.add(inc.op.id);
      const old = held[i];
      if (!old) {
        const row: OpRow = { ...inc.op };
        if (inc.seq !== undefined) row.seq = inc.seq;
        if (inc.receivedAt !== undefined) row.receivedAt = inc.receivedAt;
        if (inc.rawBody !== undefined) row.rawBody = inc.rawBody;
        if (inc.wire !== undefined) row.wire = inc.wire;
        newRows.push(row);
        fresh.push(inc.op);
        return;
      }
      // Held already: only what the server says about it can be new. Unchanged rows are not rewritten.
      const seqChanged = inc.seq !== undefined && (old.seq !== inc.seq || old.receivedAt !== inc.receivedAt);
      if (seqChanged && old.seq !== undefined) renumbered = true;
      if (!seqChanged && !old.rejected) return;
      const row: OpRow = { ...old };
      if (inc.seq !== undefined) {
        row.seq = inc.seq;
        row.receivedAt = inc.receivedAt;
      }
      if (old.rejected && inc.seq !== undefined) {
        // The base serves it, so it holds it acknowledged (re-pushed after a restore): it counts again.
        delete row.rejected;
        rebuildIds.add(old.reportId);
      }
      updated.push(row);
    });

    const rejectedRows = await db.ops.bulkGet(input.rejected.map((r) => r.id));
    input.rejected.forEach((r, i) => {
      const row = rejectedRows[i] ?? newRows.find((n) => n.id === r.id);
      if (!row || row.rejected === r.reason) return;
      row.rejected = r.reason;
      if (rejectedRows[i]) updated.push(row);
      rebuildIds.add(row.reportId);
    });

    // Not awaited here: IndexedDB runs a transaction's requests in order, so every read below sees
    // these writes, and issuing the writes of ops and reports together saves round trips.
    const opsWritten = Promise.all([
      newRows.length ? db.ops.bulkAdd(newRows) : undefined,
      updated.length ? db.ops.bulkPut(updated) : undefined,
    ]);

    // The roster first: the merge of every report below depends on it.
    // One after the other: a Promise.all over an async helper inside the transaction can let it commit early.
    const trustBefore = await db.getMeta('trust');
    const rosterStateBefore = (await db.settings.get(ROSTER_ID))?.state;
    let rosterState = rosterStateBefore;
    const rebuildRoster = async () => {
      const { state } = await rebuild(db, ROSTER_ID, device, () => false);
      await saveState(db, state, 0);
      rosterState = state;
      rebuildIds.delete(ROSTER_ID);
    };
    if (fresh.some((o) => o.reportId === ROSTER_ID) || rebuildIds.has(ROSTER_ID)) await rebuildRoster();
    // Cut-offs as the trust rule gives them once the root is pinned; before, as the roster says.
    const pinned = input.trust ?? trustBefore;
    const cutoffsAfter = cutoffsOf(pinned ? pinned.devices : rosterEntriesOf(rosterState).values());
    // Compared with what was set aside before, not with the roster before this batch: the
    // coordinator's own roster op, written on this desk, carries a revocation too.
    const applied = new Map(Object.entries((await db.getMeta('cutoffsApplied')) ?? {}) as [DeviceId, number][]);
    const cut = await setAsideAfterCutoff(db, device, applied, cutoffsAfter, fresh, now);
    if (loweredCutoffs(applied, cutoffsAfter).length > 0) await db.setMeta('cutoffsApplied', Object.fromEntries(cutoffsAfter));
    for (const row of cut) rebuildIds.add(row.reportId);
    if (rebuildIds.has(ROSTER_ID)) await rebuildRoster();
    const rosterBefore = rosterOf(rosterStateBefore);
    const rosterAfter = rosterOf(rosterState);
    // Once the root is pinned, standing is the trust rule's, as of each op; before, the roster's.
    const trust = pinned;
    const authority = trust ? authorityOfSummary(trust) : authorityOf(rosterAfter, cutoffsAfter);
    for (const id of rebuildIds) {
      const { state, lastOwnSeq } = await rebuild(db, id, device, authority);
      await saveState(db, state, lastOwnSeq);
    }
    const remerged = trust
      ? await remergeFor(db, device, changedStanding(trustBefore, trust), authority, rebuildIds)
      : await remergeForRoster(db, device, rosterBefore, rosterAfter, rebuildIds);
    for (const id of remerged) rebuildIds.add(id);

    const byReport = new Map<TargetId, Op[]>();
    for (const op of fresh) {
      if (rebuildIds.has(op.reportId) || op.reportId === ROSTER_ID) continue;
      const list = byReport.get(op.reportId);
      if (list) list.push(op);
      else byReport.set(op.reportId, [op]);
    }
    // Read and written in bulk: one request per store instead of one per report.
    const rejectedIds = new Set(input.rejected.map((r) => r.id));
    const reportIds = [...byReport.keys()].filter(isReportId);
    const settingIds = [...byReport.keys()].filter(isSettingId);
    const [reportRows, settingRows] = await Promise.all([heldRows(db.reports, reportIds), db.settings.bulkGet(settingIds)]);
    const merged = <Id extends TargetId>(id: Id, state: MergedState<Id> | undefined, lastOwnSeq: number) => {
      let next = state ?? emptyState(id);
      let own = lastOwnSeq;
      for (const op of byReport.get(id)!) {
        if (op.device === device && !isSettingId(id)) own = Math.max(own, op.deviceSeq);
        if (!rejectedIds.has(op.id)) next = applyOp(next, op, authority);
      }
      return { state: next, own };
    };
    const reportPuts = reportIds.map((id, i) => {
      const { state, own } = merged(id, reportRows[i]?.state, reportRows[i]?.lastOwnSeq ?? 0);
      return reportRow(state, own);
    });
    const settingPuts = settingIds.map((id, i) => ({ id, state: merged(id, settingRows[i]?.state, 0).state }));
    // A state with no op applied (its only ops were rejected) leaves no row, as saveState does.
    const statesWritten = Promise.all([
      db.reports.bulkPut(reportPuts.filter((r) => r.state.applied.length > 0)),
      db.settings.bulkPut(settingPuts.filter((r) => r.state.applied.length > 0)),
    ]);

    // The clock takes in every new op's time, bounded by the server's time; the ops keep theirs.
    let clamped = false;
    const writer = await writerState(db, device);
    let clock: Hlc = writer.clock;
    for (const op of fresh) {
      if (op.device === device) continue;
      const r = receive(clock, decodeHlc(op.body.hlc), now, input.covering.serverTime ?? now);
      clock = r.clock;
      clamped ||= r.clamped;
    }

    // An op is held or quarantined, never both: a copy of a held op that fails to read (one a
    // hostile base altered) leaves the held op standing, and an op taken in ends the wait of a copy.
    const heldIdsOf = async (ids: string[]) =>
      ids.length ? new Set<string>(await db.ops.where(':id').anyOf(ids).primaryKeys()) : new Set();
    const alsoHeld = await heldIdsOf(input.toQuarantine.flatMap((u) => (u.id === undefined ? [] : [u.id])));
    const quarantined = input.toQuarantine.filter((u) => u.id === undefined || !alsoHeld.has(u.id)).map((u) => quarantineRow(u, now));
    const waited =
      newRows.length > 0 && (await db.quarantine.count()) > 0
        ? await db.quarantine
            .where(':id')
            .anyOf(newRows.map((r) => r.id))
            .primaryKeys()
        : [];
    const released = [...(input.released ?? []), ...waited];
    const { epoch, watermark, watermarkReceipt, watermarks } = input.covering;
    const cursor = renumbered && input.covering.checkNumbering ? null : input.covering.cursor;
    await Promise.all([
      opsWritten,
      statesWritten,
      fresh.some((o) => o.device !== device) ? db.setMeta('writer', { ...writer, clock }) : undefined,
      released.length ? db.quarantine.bulkDelete(released) : undefined,
      quarantined.length ? db.quarantine.bulkPut(quarantined) : undefined,
      cursor !== undefined ? db.setMeta('cursor', cursor) : undefined,
      epoch !== undefined ? db.setMeta('epoch', epoch) : undefined,
      watermark !== undefined ? db.setMeta('watermark', watermark) : undefined,
      watermarkReceipt !== undefined ? db.setMeta('watermarkReceipt', watermarkReceipt) : undefined,
      watermarks !== undefined ? db.setMeta('watermarks', watermarks) : undefined,
      input.trust ? db.setMeta('trust', input.trust) : undefined,
    ]);
    return { added: fresh.length, quarantined: quarantined.length, clamped, renumbered };
  });
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

export interface TakenResponse extends TakenIn {
  rejected: { id: OpId; reason: string }[];
  deferred: number;
  /** The base answered `reset` (or has another epoch): the cursor was cleared, pull again from zero. */
  stale: boolean;
  cursor: Cursor | null;
}

/**
 * Takes in one sync response, from the base or from a reply file: the pulled ops, the answers to the
 * pushed ones (matched by id to `pushed`), and the cursor, epoch and watermark, in one transaction.
 */
export async function takeResponse(
  db: RasidDb,
  response: SyncResponse,
  pushed: readonly OpId[],
  deps: {
    device: DeviceId;
    now: () => number;
    epoch: string | null;
    keepCursorAhead?: Cursor | null;
    lostOps?: boolean;
    cursorSent?: Cursor | null;
    reader?: Reader;
  },
): Promise<TakenResponse> {
  const sent = new Map<string, OpId>(pushed.map((id) => [id, id]));
  const rejected: { id: OpId; reason: string }[] = [];
  let deferred = 0;
  for (const r of response.results) {
    const id = sent.get(r.id);
    if (id === undefined) continue;
    if (r.status === 'rejected') rejected.push({ id, reason: r.reason });
    if (r.status === 'retry') deferred += 1;
  }
  const stale = response.reset === true || (deps.epoch !== null && response.epoch !== deps.epoch) || deps.lostOps === true;
  const { ops, toQuarantine, trust } = await readServed(response.ops, deps.reader);
  // A reset answer without ops names no position of ours: the next pull starts from zero. So does a
  // base that lost ops it had acknowledged: its cursor check (the op id held at the cursor's seq)
  // cannot tell when ops re-pushed after a restore took the very same seqs, with others before them.
  let cursor = stale && (response.ops.length === 0 || deps.lostOps) ? null : response.cursor;
  // An older reply file read after a newer sync must not move the cursor back (that would only re-pull).
  const ahead = deps.keepCursorAhead;
  if (!stale && ahead && (cursor === null || cursor.seq < ahead.seq)) cursor = ahead;
  const taken = await takeIn(
    db,
    {
      ops,
      toQuarantine,
      rejected,
      ...(trust && { trust }),
      covering: {
        cursor,
        epoch: response.epoch,
        watermark: response.watermark,
        watermarkReceipt: response.receipt ?? null,
        watermarks: response.watermarks,
        serverTime: response.serverTime,
        checkNumbering: !stale && deps.cursorSent != null,
      },
    },
    deps,
  );
  if (taken.renumbered && !stale && deps.cursorSent != null) return { ...taken, rejected, deferred, stale: true, cursor: null };
  return { ...taken, rejected, deferred, stale, cursor };
}

/**
 * Ops that waited in quarantine for a key (the deployment key imported on a desk, a roster naming
 * their author) are tried again once the reader can open more than when they last were. Those that
 * open now are taken in as if just pulled; the others stay, with their reason as it now stands.
 */
export async function reopenWaiting(db: RasidDb, reader: Reader, deps: { device: DeviceId; now: () => number }): Promise<number> {
  const extent = readerExtent(reader);
  if ((await db.getMeta('waitingTried')) === extent) return 0;
  const waiting = (await db.quarantine.toArray()).filter((r) => WAITING_REASONS.includes(r.reason));
  const arrived = waiting.map((r) => {
    try {
      return JSON.parse(r.raw) as unknown;
    } catch {
      return undefined;
    }
  });
  const { read, trust } = await readBatch(arrived, reader);
  const ops: IncomingOp[] = [];
  const toQuarantine: ToQuarantine[] = [];
  const released: string[] = [];
  waiting.forEach((row, i) => {
    const r = read[i]!;
    if (r.ok) {
      ops.push({ op: r.op, rawBody: r.rawBody, wire: r.wire, seq: row.seq, receivedAt: row.receivedAt });
      released.push(row.id);
    } else if (r.reason !== row.reason) {
      toQuarantine.push({ id: row.id, reason: r.reason, raw: arrived[i], seq: row.seq, receivedAt: row.receivedAt });
    }
  });
  if (ops.length > 0 || toQuarantine.length > 0) {
    await takeIn(db, { ops, toQuarantine, rejected: [], covering: {}, released, ...(trust && { trust }) }, deps);
  }
  await db.setMeta('waitingTried', extent);
  return ops.length;
}
