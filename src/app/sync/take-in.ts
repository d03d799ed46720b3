/**
 * Reading what sync brought, before it is taken in: ops pulled from the base (with their seq and
 * received time), ops of a sync file, or ops that waited in the quarantine. Each is read and judged
 * here, outside any transaction (verify), and sorted into the readable and the quarantined
 * (classify); take-in-steps.ts then keeps the batch in one transaction. An op that cannot be read goes
 * to quarantine and the cursor still moves past it.
 */
import { signedContent } from '../../domain/op/signature.ts';
import type { DeviceId, OpId } from '../../domain/ids.ts';
import { readWireHeader } from '../../domain/op/header.ts';
import { MAX_BATCH, type Cursor, type OwnServed, type SyncResponse } from '../../domain/op/sync.ts';
import type { ServedOp, WireOp } from '../../domain/op/wire.ts';
import { entriesWritten, ROSTER_ID } from '../../domain/roster.ts';
import { readerExtent } from './op-keys.ts';
import { claimsDeploymentOp, fromWire, readArrived, readStatement, type ArrivedOp, type Reader } from '../../domain/op/read.ts';
import { QUARANTINE_REASONS, WAITING_REASONS } from '../../domain/quarantine.ts';
import {
  IGNORED_STATEMENT,
  refusedByRule,
  standingAt,
  summaryOf,
  type IgnoredReason,
  type TrustedRoster,
  type TrustSummary,
} from '../../domain/trusted-roster.ts';
import { statementOfRow, trustOver, type HeldStatement } from './trust.ts';
import type { RasidDb } from '../store/db.ts';
import { keysHeld } from '../store/stored-rows.ts';
import { needsVouching, proofHash, vouchedOps, vouchingOf, vouchKey, VOUCHES_ID } from '../../domain/vouching.ts';
import { takeIn, type IncomingOp, type TakenIn, type ToQuarantine } from './take-in-steps.ts';

/**
 * Opens ops with a reader, each as `readArrived` does and in the order given: here by default, or
 * partly in a worker (open-worker.ts) while the page's thread goes on with other work.
 */
export type Opener = (arrived: readonly unknown[], reader: Reader | undefined) => Promise<ArrivedOp[]>;

export const openHere: Opener = (arrived, reader) => Promise.all(arrived.map((w) => readArrived(w, reader)));

/** Ops read from a batch, in the order given, and, on a device that pinned its root, the trusted roster they leave. */
export interface ReadBatch {
  read: ArrivedOp[];
  trust?: TrustSummary;
}

const isDeploymentOp = (w: unknown) => {
  const read = readWireHeader(w);
  return read.ok && read.header.kind === 'deployment';
};

const isRosterOp = (w: unknown) => {
  const read = readWireHeader(w);
  return read.ok && read.header.kind === 'deployment' && read.header.reportId === ROSTER_ID;
};

/**
 * Reads ops that arrived, in the order given. Deployment ops are read first: a roster op in the
 * same batch may name the keys of the devices whose ops follow it. Runs before the transaction.
 */
export async function readBatch(arrived: readonly unknown[], reader: Reader | undefined, open: Opener = openHere): Promise<ReadBatch> {
  if (reader?.rooted) return readRooted(arrived, reader, reader.rooted, open);
  const results = new Array<ArrivedOp>(arrived.length);
  for (let i = 0; i < arrived.length; i++) {
    if (!isDeploymentOp(arrived[i])) continue;
    const read = await readArrived(arrived[i], reader);
    results[i] = read;
    if (read.ok && read.op.reportId === ROSTER_ID && reader) {
      for (const entry of entriesWritten(read.op.body.changes)) await reader.directory.add(entry);
    }
  }
  for (const [i, read] of await openTheRest(arrived, isDeploymentOp, reader, open)) results[i] = read;
  return { read: results };
}

/** The ops not read apart before them (`readApart`), opened together by `open`, each with its place in `arrived`. */
async function openTheRest(
  arrived: readonly unknown[],
  readApart: (w: unknown) => boolean,
  reader: Reader | undefined,
  open: Opener,
): Promise<[number, ArrivedOp][]> {
  const rest = arrived.flatMap((w, i) => (readApart(w) ? [] : [i]));
  const opened = await open(
    rest.map((i) => arrived[i]),
    reader,
  );
  return rest.map((i, k) => [i, opened[k]!]);
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
async function readRooted(
  arrived: readonly unknown[],
  reader: Reader,
  rooted: NonNullable<Reader['rooted']>,
  open: Opener,
): Promise<ReadBatch> {
  const results = new Array<ArrivedOp>(arrived.length);
  const incoming: HeldStatement[] = [];
  // The rule judges one statement per op id. A copy of one it judges already (held, or earlier in
  // this batch) counts only when it is that very op: an altered copy is quarantined, not let in on
  // the other's standing.
  const byId = new Map(rooted.held.map((s) => [s.opId, s]));
  arrived.forEach((w, i) => {
    if (!isRosterOp(w)) return;
    const read = readStatement(w);
    results[i] = read;
    if (!read.ok) return;
    const statement = statementOfRow({ ...read.op, ...(read.wire && { wire: read.wire }) });
    const first = byId.get(statement.opId);
    if (!first) {
      byId.set(statement.opId, statement);
      incoming.push(statement);
    } else if (!sameSigned(first.wire, statement.wire)) {
      results[i] = { ok: false, id: read.op.id, reason: QUARANTINE_REASONS.badSignature };
    }
  });
  const statements = [...rooted.held, ...incoming];
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
  for (const [i, read] of await openTheRest(arrived, isRosterOp, judged, open)) {
    results[i] = read.ok ? standing(read, trusted, rooted.self) : read;
  }
  await proveByVouching(arrived, results, trusted, rooted);
  return { read: results, trust: summaryOf(trusted) };
}

/**
 * Step 6 of the rule: an op from before the root (in clear, or without its outer signature) counts
 * only when vouched for, by a vouching of its own author that a coordinator countersigned. The
 * vouchings held and those of this batch count. A roster op in clear, vouched for, is kept as an op
 * and never read as a statement: nothing in clear is one.
 */
async function proveByVouching(
  arrived: readonly unknown[],
  results: ArrivedOp[],
  trusted: TrustedRoster,
  rooted: NonNullable<Reader['rooted']>,
): Promise<void> {
  const inBatch = await Promise.all(
    results.map(async (r) => (r?.ok && r.op.reportId === VOUCHES_ID && r.wire ? vouchingOf(r.op, await proofHash({ ...r.wire })) : [])),
  );
  const isCoordinatorAt = (device: DeviceId, deviceSeq: number) => standingAt(trusted, device, deviceSeq)?.role === 'coordinator';
  const vouched = vouchedOps([...rooted.vouchings, ...inBatch.flat()], isCoordinatorAt);
  await Promise.all(
    arrived.map(async (input, i) => {
      const r = results[i];
      const w = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
      // A roster statement read already counts by its own signature, which the rule checked.
      if (!r || !needsVouching(w) || (r.ok ? isRosterOp(input) : r.reason !== QUARANTINE_REASONS.unproven)) return;
      if (!vouched.has(vouchKey(String(w.device), await proofHash(w)))) {
        const id = r.ok ? r.op.id : r.id;
        results[i] = { ok: false, ...(id !== undefined && { id }), reason: QUARANTINE_REASONS.unproven };
      } else if (!r.ok) {
        const read = fromWire(input);
        results[i] = read.ok
          ? standing({ ok: true, op: read.op, ...(read.rawBody !== undefined && { rawBody: read.rawBody }) }, trusted, rooted.self)
          : read;
      }
    }),
  );
}

/** Whether two copies of a signed op are the same op: everything its signature covers, and the signature. */
function sameSigned(a: WireOp | undefined, b: WireOp | undefined): boolean {
  return !!a && !!b && signedContent(a, a.body, a.sig) === signedContent(b, b.body, b.sig);
}

/** An op that opened and verified, as the trust rule's step 5 judges its author's standing at it. */
function standing(read: Extract<ArrivedOp, { ok: true }>, trusted: TrustedRoster, self: DeviceId): ArrivedOp {
  const { op } = read;
  if (op.device === self) return read;
  const reason = refusedByRule(trusted, op);
  return reason === undefined ? read : { ok: false, id: op.id, reason };
}

/** Served ops, read: the readable and the quarantined, and the trusted roster they leave. */
export interface ServedRead {
  ops: IncomingOp[];
  toQuarantine: ToQuarantine[];
  trust?: TrustSummary;
}

/** Splits served ops into the readable and the quarantined. */
export async function readServed(served: readonly ServedOp[], reader?: Reader, open: Opener = openHere): Promise<ServedRead> {
  const ops: IncomingOp[] = [];
  const toQuarantine: ToQuarantine[] = [];
  const { read, trust } = await readBatch(
    served.map((s) => s.op),
    reader,
    open,
  );
  served.forEach((s, i) => {
    const r = read[i]!;
    if (r.ok) ops.push({ op: r.op, rawBody: r.rawBody, wire: r.wire, seq: s.seq, receivedAt: s.receivedAt });
    else toQuarantine.push({ id: r.id, reason: r.reason, raw: s.op, seq: s.seq, receivedAt: s.receivedAt });
  });
  return { ops, toQuarantine, ...(trust && { trust }) };
}

/** What a reader reads by: its keys, and its roster or (once the root is pinned) its statements and vouchings. */
function readsBy(reader: Reader): string {
  return `${reader.rooted ? `rooted ${reader.rooted.held.length}` : 'roster'}|${readerExtent(reader)}`;
}

/** A page's ops read before its turn came, and what they were read by. */
export interface ReadAhead {
  by: string;
  read: Promise<ServedRead>;
}

/**
 * Reads the next page while the one before it is taken in (engine.ts asks for it ahead), when taking
 * that one in cannot change how the next reads: neither holds a deployment op (a roster op names
 * keys and standing, and is added to the reader as it is read; a vouching proves ops), and the next
 * names no own op in brief (which part of it is read is known only at its turn, heldPart).
 */
export function readAhead(before: SyncResponse, next: SyncResponse, reader: Reader, open: Opener = openHere): ReadAhead | undefined {
  // By what each op claims, unread: one that merely claims to be a deployment op stops it too.
  if (next.own?.length || [...before.ops, ...next.ops].some((s) => claimsDeploymentOp(s.op))) return undefined;
  const read = readServed(next.ops, reader, open);
  // One not used is dropped unheard; one used fails where it is awaited.
  read.catch(() => undefined);
  return { by: readsBy(reader), read };
}

/** The page read ahead, if the reader of its turn reads as the one it was read with (no key arrived meanwhile). */
export function readAheadFor(ahead: ReadAhead | undefined, reader: Reader | undefined): Promise<ServedRead> | undefined {
  return ahead && reader && readsBy(reader) === ahead.by ? ahead.read : undefined;
}

export interface TakenResponse extends TakenIn {
  rejected: { id: OpId; reason: string }[];
  deferred: number;
  /** The base answered `reset` (or has another epoch): the cursor was cleared, pull again from zero. */
  stale: boolean;
  cursor: Cursor | null;
  /** An own op served in brief is not held here: the page was taken up to it, and is pulled again whole from there. */
  wantWhole: boolean;
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
    /** The response's ops read already (readAhead). */
    read?: Promise<ServedRead>;
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
  const page = await heldPart(db, response, deps.cursorSent ?? null);
  const { ops, toQuarantine, trust } = await (deps.read && page.ops === response.ops ? deps.read : readServed(page.ops, deps.reader));
  // A reset answer without ops names no position of ours: the next pull starts from zero. So does a
  // base that lost ops it had acknowledged: its cursor check (the op id held at the cursor's seq)
  // cannot tell when ops re-pushed after a restore took the very same seqs, with others before them.
  let cursor = stale && ((response.ops.length === 0 && !response.own?.length) || deps.lostOps) ? null : page.cursor;
  // An older reply file read after a newer sync must not move the cursor back (that would only re-pull).
  const ahead = deps.keepCursorAhead;
  if (!stale && ahead && (cursor === null || cursor.seq < ahead.seq)) cursor = ahead;
  const taken = await takeIn(
    db,
    {
      ops,
      own: page.own,
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
  const wantWhole = page.cut;
  if (taken.renumbered && !stale && deps.cursorSent != null) return { ...taken, rejected, deferred, stale: true, cursor: null, wantWhole };
  return { ...taken, rejected, deferred, stale, cursor, wantWhole };
}

/**
 * The part of a page this device can take in. Its own ops served in brief carry no content: they
 * count only for ops it holds, which then take the base's seq and time. One it does not hold (its
 * store lost it, or another hand signed in its name) ends the part before it, and the page is pulled
 * again whole from there, so that the op is read and judged like any other.
 */
async function heldPart(
  db: RasidDb,
  response: SyncResponse,
  cursorSent: Cursor | null,
): Promise<{ ops: readonly ServedOp[]; own: readonly OwnServed[]; cursor: Cursor | null; cut: boolean }> {
  const own = response.own ?? [];
  if (own.length === 0) return { ops: response.ops, own, cursor: response.cursor, cut: false };
  const held = await keysHeld<string>(
    db,
    db.ops,
    own.map((o) => o.id),
  );
  const missing = own.find((o) => !held.has(o.id));
  if (!missing) return { ops: response.ops, own, cursor: response.cursor, cut: false };
  const ops = response.ops.filter((s) => s.seq < missing.seq);
  const before = own.filter((o) => o.seq < missing.seq);
  const lastOp = ops.at(-1);
  const lastOwn = before.at(-1);
  const last =
    lastOp && (!lastOwn || lastOp.seq > lastOwn.seq)
      ? { seq: lastOp.seq, opId: lastOp.op.id }
      : lastOwn && { seq: lastOwn.seq, opId: lastOwn.id };
  return { ops, own: before, cursor: last ?? cursorSent, cut: true };
}

/**
 * Ops that waited in quarantine for a key (the deployment key imported on a desk, a roster naming
 * their author) are tried again once the reader can open more than when they last were. Those that
 * open now are taken in as if just pulled; the others stay, with their reason as it now stands.
 *
 * A new desk can hold a whole deployment's ops waiting for its key file: they are taken in a pull's
 * worth at a time, deployment ops first (a roster op may name the authors of the rest), then as the
 * base numbered them, each part in its own transaction with a reader as the parts before it left it
 * (`readerNow`), so the desk's list fills as they open instead of after the last.
 */
export async function reopenWaiting(
  db: RasidDb,
  reader: Reader,
  deps: { device: DeviceId; now: () => number },
  readerNow: () => Promise<Reader> = () => Promise.resolve(reader),
): Promise<number> {
  // `waitingAdded` is read before the quarantine: an op parked after it changes it, and is tried next time.
  const marker = `${readerExtent(reader)}#${(await db.getMeta('waitingAdded')) ?? ''}`;
  if ((await db.getMeta('waitingTried')) === marker) return 0;
  const rows = (await db.quarantine.toArray()).filter((r) => WAITING_REASONS.includes(r.reason));
  const parsed = rows.map((row) => {
    try {
      return { row, raw: JSON.parse(row.raw) as unknown };
    } catch {
      return { row, raw: undefined };
    }
  });
  const ordered = [
    ...parsed.filter((p) => isDeploymentOp(p.raw)),
    ...parsed.filter((p) => !isDeploymentOp(p.raw)).sort((a, b) => (a.row.seq ?? Infinity) - (b.row.seq ?? Infinity)),
  ];
  let opened = 0;
  for (let at = 0; at < ordered.length; at += MAX_BATCH) {
    const part = ordered.slice(at, at + MAX_BATCH);
    const { read, trust } = await readBatch(
      part.map((p) => p.raw),
      at === 0 ? reader : await readerNow(),
    );
    const ops: IncomingOp[] = [];
    const toQuarantine: ToQuarantine[] = [];
    const released: string[] = [];
    part.forEach(({ row, raw }, i) => {
      const r = read[i]!;
      if (r.ok) {
        ops.push({ op: r.op, rawBody: r.rawBody, wire: r.wire, seq: row.seq, receivedAt: row.receivedAt });
        released.push(row.id);
      } else if (r.reason !== row.reason) {
        toQuarantine.push({ id: row.id, reason: r.reason, raw, seq: row.seq, receivedAt: row.receivedAt });
      }
    });
    if (ops.length > 0 || toQuarantine.length > 0) {
      await takeIn(db, { ops, toQuarantine, rejected: [], covering: {}, released, ...(trust && { trust }) }, deps);
    }
    opened += ops.length;
  }
  await db.setMeta('waitingTried', marker);
  return opened;
}
