/**
 * Vouching on a device that pinned its deployment's root (domain/vouching.ts): it vouches for its
 * own ops from before the root, once; a coordinator's desk counts, per device, what is vouched for
 * and what no device vouches for, and countersigns a device's vouchings when the coordinator agrees.
 */
import type { DeviceId, OpId } from '../../domain/ids.ts';
import { QUARANTINE_REASONS } from '../../domain/quarantine.ts';
import { authorityOfSummary } from '../../domain/trusted-roster.ts';
import {
  chunked,
  needsVouching,
  proofHash,
  vouchingChanges,
  vouchingOf,
  vouchKey,
  VOUCHES_ID,
  type Vouching,
} from '../../domain/vouching.ts';
import { toWire } from '../../domain/op/outgoing.ts';
import { putStored } from '../store/at-rest-middleware.ts';
import type { OpRow, RasidDb } from '../store/db.ts';
import { readStored } from '../store/stored-rows.ts';
import { writeOp, type WriterContext } from '../store/write-op.ts';
import { wireOf } from './wire-of.ts';

const heldCache = new WeakMap<RasidDb, { ids: string; vouchings: Vouching[] }>();

/**
 * Every vouching this device holds, with its proof hash (none yet for an own one not sent: nothing
 * can countersign it before it travelled). Read again only when the set of vouchings changed.
 */
export async function heldVouchings(db: RasidDb): Promise<Vouching[]> {
  const ids = (await db.ops.where('reportId').equals(VOUCHES_ID).primaryKeys()).join(',');
  const cached = heldCache.get(db);
  if (cached?.ids === ids) return cached.vouchings;
  const rows = await db.ops.where('reportId').equals(VOUCHES_ID).toArray();
  const vouchings = await Promise.all(
    rows.filter((r) => !r.rejected).map(async (r) => vouchingOf(r, r.wire ? await proofHash({ ...r.wire }) : '')),
  );
  heldCache.set(db, { ids, vouchings });
  return vouchings;
}

/**
 * The proof hash of one own op as it travelled before the root: its sealed form when it has one
 * without an outer signature, its clear form when the base decided it before it had a sealed one
 * (`watermark`). One not sent yet needs none: it leaves sealed and signed inside and out; nor does
 * one that carries an outer signature.
 */
async function ownProofHash(row: OpRow, watermark: number): Promise<string | undefined> {
  if (row.rejected || row.reportId === VOUCHES_ID) return undefined;
  if (row.wire) return row.wire.osig === undefined ? proofHash({ ...row.wire }) : undefined;
  return row.deviceSeq <= watermark ? proofHash({ ...toWire(row, row.rawBody) }) : undefined;
}

/**
 * This device vouches for its own ops from before the root, in chunks that each fit an op; once
 * done, never again (an op written after the root travels with its outer signature). Returns the
 * number of vouchings written.
 */
export async function vouchForOwn(writer: WriterContext): Promise<number> {
  const { db, device } = writer;
  if (await db.getMeta('ownVouched')) return 0;
  const own = await db.ops.where('[device+deviceSeq]').between([device, 0], [device, Infinity]).toArray();
  const said = new Set(own.filter((r) => r.reportId === VOUCHES_ID).flatMap((r) => vouchingOf(r, '').vouched));
  const hashes = new Set<string>();
  const watermark = (await db.getMeta('watermark')) ?? 0;
  for (const row of own) {
    const h = await ownProofHash(row, watermark);
    if (h !== undefined && !said.has(h)) hashes.add(h);
  }
  const chunks = chunked([...hashes].sort());
  for (const chunk of chunks) {
    await writeOp(writer, VOUCHES_ID, (_state, hlc) => ({
      kind: 'deployment',
      body: { hlc, changes: vouchingChanges(chunk), supersedes: {} },
    }));
  }
  await db.setMeta('ownVouched', true);
  return chunks.length;
}

/** What a coordinator sees of one device's ops from before the root. */
export interface DeviceVouching {
  device: DeviceId;
  /** Ops the device vouched for, and how many of those a coordinator countersigned. */
  vouched: number;
  countersigned: number;
  /** Ops of the device this desk holds, or keeps in the quarantine, without proof that no vouching of its lists. */
  unvouched: number;
  /** The device's vouchings no coordinator countersigned yet (none of a coordinator's own). */
  awaiting: Vouching[];
}

/**
 * Ops read for the review per transaction. A desk holds every op of its deployment (150,000 at
 * 100,000 reports), each opened from its sealed row: read in one transaction, they kept a sync's
 * writes waiting for seconds after Settings opened, and the list's first rows waiting behind those.
 */
const REVIEW_PAGE = 1000;

/**
 * The review of ops from before the root, per device but this desk's own, on a desk that pinned
 * it; empty when there is nothing to review. Only the ops marked as needing vouching are read
 * (`needsVouching`, set as each is taken in); the first review on a desk that held ops before that
 * mark existed reads them all, once, and marks them. The ops are read `page` at a time; once `gone`
 * says the screen that asked has gone, no more are read (a desk of 100,000 reports holds about
 * 150,000).
 */
export async function reviewVouching(
  db: RasidDb,
  self: DeviceId,
  { page = REVIEW_PAGE, gone }: { page?: number; gone?: AbortSignal } = {},
): Promise<DeviceVouching[]> {
  const trust = await db.getMeta('trust');
  if (!trust) return [];
  const isCoordinatorAt = authorityOfSummary(trust);
  const vouchings = await heldVouchings(db);
  const countersignedBy = new Set(vouchings.filter((v) => isCoordinatorAt(v.author, v.deviceSeq)).flatMap((v) => v.countersigned));
  const listed = new Set(vouchings.flatMap((v) => v.vouched.map((h) => vouchKey(v.author, h))));

  const review = new Map<DeviceId, DeviceVouching>();
  const of = (device: DeviceId) => {
    let row = review.get(device);
    if (!row) review.set(device, (row = { device, vouched: 0, countersigned: 0, unvouched: 0, awaiting: [] }));
    return row;
  };
  for (const v of vouchings) {
    if (v.vouched.length === 0 || v.author === self) continue;
    const row = of(v.author);
    row.vouched += v.vouched.length;
    if (isCoordinatorAt(v.author, v.deviceSeq) || countersignedBy.has(v.hash)) row.countersigned += v.vouched.length;
    else if (v.hash !== '' && !countersignedBy.has(v.hash)) row.awaiting.push(v);
  }
  const proofless = async (w: Record<string, unknown>) => {
    const device = w.device as DeviceId;
    if (device === self || !needsVouching(w) || listed.has(vouchKey(device, await proofHash(w)))) return;
    of(device).unvouched += 1;
  };
  const held: Record<string, unknown>[] = [];
  for await (const rows of opsToReview(db, self, page, gone)) {
    for (const row of rows) if (row.rejected === undefined && needsVouchingHere(row, self)) held.push({ ...wireOf(row) });
  }
  for (const w of held) await proofless(w);
  const quarantined = await db.quarantine.filter((q) => q.reason === QUARANTINE_REASONS.unproven).toArray();
  for (const q of quarantined) {
    const raw = parsed(q.raw);
    if (raw && typeof raw.device === 'string') await proofless(raw);
  }
  return [...review.values()].sort((a, b) => (a.device < b.device ? -1 : 1));
}

/**
 * Whether a row is another device's op that travelled with nothing a device that pinned the root
 * can check its author by: its sealed or signed form, or its own header when it came in clear. What
 * `needsVouching` marks, as it is taken in (take-in-steps.ts) or by the first review.
 */
export function needsVouchingHere(row: OpRow, self: DeviceId): boolean {
  return row.device !== self && needsVouching(row.wire ?? row);
}

/**
 * The op rows that may need vouching, a page at a time: those marked so, once every row is; before
 * that, every row, the unmarked ones that need it marked as they are found. A review stopped half
 * way marks what it found and leaves the rest to the next.
 */
async function* opsToReview(db: RasidDb, self: DeviceId, page: number, gone: AbortSignal | undefined): AsyncGenerator<OpRow[]> {
  if (await db.getMeta('vouchingMarked')) {
    const ids = await db.ops.where('needsVouching').equals(1).primaryKeys();
    for (let i = 0; i < ids.length; i += page) {
      gone?.throwIfAborted();
      yield (await db.ops.bulkGet(ids.slice(i, i + page))).filter((r): r is OpRow => r !== undefined);
    }
    return;
  }
  for (let last: OpId | undefined; ;) {
    gone?.throwIfAborted();
    const rows = await (last === undefined ? db.ops.orderBy(':id') : db.ops.where(':id').above(last)).limit(page).toArray();
    const unmarked = rows.filter((r) => r.needsVouching === undefined && needsVouchingHere(r, self)).map((r) => r.id);
    await markNeedsVouching(db, unmarked);
    yield rows;
    if (rows.length < page) break;
    last = rows.at(-1)!.id;
  }
  await db.setMeta('vouchingMarked', true);
}

/** The mark put on rows as they lie, their seals untouched. */
async function markNeedsVouching(db: RasidDb, ids: readonly OpId[]): Promise<void> {
  if (ids.length === 0) return;
  await db.transaction('rw', db.ops, async () => {
    const stored = await readStored<OpRow, 'id' | 'needsVouching'>(db, db.ops, ids);
    await putStored(
      db,
      db.ops,
      stored.filter((r) => r !== undefined).map((r) => ({ ...r, needsVouching: 1 as const })),
    );
  });
}

function parsed(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A coordinator countersigns a device's vouchings it has reviewed: the ops they list then count on every device. */
export async function countersign(writer: WriterContext, vouchings: readonly Vouching[]): Promise<number> {
  const chunks = chunked(vouchings.map((v) => v.hash).filter((h) => h !== ''));
  for (const chunk of chunks) {
    await writeOp(writer, VOUCHES_ID, (_state, hlc) => ({
      kind: 'deployment',
      body: { hlc, changes: vouchingChanges([], chunk), supersedes: {} },
    }));
  }
  return chunks.length;
}
