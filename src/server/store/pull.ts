/**
 * Serving ops after a cursor, in sequence order, filtered by what the caller may see: a
 * coordinator, every op but rejected ones; a monitor, the ops on reports whose create it wrote plus
 * every deployment op, never desk ops. Rejected ops are never served.
 *
 * A cursor is (seq, op id at that seq). If the store does not hold that op at that seq (it was
 * restored from an older backup, which keeps the old epoch), the answer is `reset`: pull from zero.
 * The epoch itself is checked by the caller.
 */
import { sql, type Kysely } from 'kysely';
import type { OpKind, WireHeader } from '../../domain/op/header.ts';
import type { Cursor } from '../../domain/op/sync.ts';
import type { ServedOp, WireOp } from '../../domain/op/wire.ts';
import type { Caller } from './rules.ts';
import type { Database, OpRow } from './schema.ts';

export interface PullInput {
  caller: Caller;
  /** null: from the start. */
  after: Cursor | null;
  limit: number;
}

export type PullResult = { reset?: undefined; ops: ServedOp[]; cursor: Cursor | null; more: boolean } | { reset: true };

const SERVED_COLUMNS = [
  'ops.seq',
  'ops.id',
  'ops.v',
  'ops.kind',
  'ops.report_id',
  'ops.device',
  'ops.device_seq',
  'ops.body',
  'ops.sig',
  'ops.osig',
  'ops.blobs',
  'ops.received_at',
] as const;

export async function pullOps(db: Kysely<Database>, { caller, after, limit }: PullInput): Promise<PullResult> {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('pull limit must be a positive integer');
  if (after) {
    const at = await db.selectFrom('ops').select('id').where('seq', '=', after.seq).where('status', '=', 'ok').executeTakeFirst();
    if (at?.id !== after.opId) return { reset: true };
  }
  const afterSeq = after?.seq ?? 0;
  // One statement, so one snapshot: writers commit in seq order, so a snapshot holds every op up to
  // some seq and none beyond; stopping at the last row returned can never step over an op.
  const query =
    caller.role === 'coordinator'
      ? db
          .selectFrom('ops')
          .select(SERVED_COLUMNS)
          .where('seq', '>', afterSeq)
          .where('status', '=', 'ok')
          .orderBy('seq')
          .limit(limit + 1)
      : db
          .selectFrom('ops')
          .innerJoin('report_owners', 'report_owners.report_id', 'ops.report_id')
          .select(SERVED_COLUMNS)
          .where('report_owners.device', '=', caller.device)
          .where('ops.seq', '>', afterSeq)
          .where('ops.status', '=', 'ok')
          .where('ops.kind', 'in', ['create', 'edit'])
          .unionAll(
            db
              .selectFrom('ops')
              .select(SERVED_COLUMNS)
              // A literal, not a parameter, so SQLite can use the partial index on deployment ops.
              .where(sql<boolean>`ops.kind = ${sql.lit('deployment')}`)
              .where('ops.seq', '>', afterSeq)
              .where('ops.status', '=', 'ok'),
          )
          .orderBy('seq')
          .limit(limit + 1);
  const rows = await query.execute();
  const more = rows.length > limit;
  const ops = rows.slice(0, limit).map(toServed);
  const last = ops.at(-1);
  return { ops, cursor: last ? { seq: last.seq, opId: last.op.id } : after, more };
}

type HeaderColumns = 'v' | 'id' | 'kind' | 'report_id' | 'device' | 'device_seq';

/** A stored op's header as it travels: the store took only headers that readWireHeader read. */
export function headerOfRow(r: Pick<OpRow, HeaderColumns>): WireHeader {
  return {
    v: Number(r.v),
    id: r.id,
    kind: r.kind as OpKind,
    reportId: r.report_id,
    device: r.device,
    deviceSeq: Number(r.device_seq),
  } as WireHeader;
}

/** A stored op as the base serves it. */
export function wireOfRow(r: Pick<OpRow, HeaderColumns | 'body' | 'sig' | 'osig' | 'blobs'>): WireOp {
  const op: WireOp = { ...headerOfRow(r), body: r.body };
  if (r.sig !== null) op.sig = r.sig;
  if (r.osig !== null) op.osig = r.osig;
  // Written by this store from a list it took (rules.ts, blobsText): served as taken.
  if (r.blobs !== null) op.blobs = JSON.parse(r.blobs) as WireOp['blobs'];
  return op;
}

function toServed(
  r: Pick<OpRow, 'seq' | 'id' | 'v' | 'kind' | 'report_id' | 'device' | 'device_seq' | 'body' | 'sig' | 'osig' | 'blobs' | 'received_at'>,
): ServedOp {
  return { seq: Number(r.seq), receivedAt: Number(r.received_at), op: wireOfRow(r) };
}
