/**
 * The one place ops are written. An op and the report's new merged state land in one strict
 * transaction: never a report without its op, nor an op without its report. A draft the op came
 * from is removed in the same transaction, so a crash leaves either the draft or the saved report.
 */
import { encodeHlc, nodeIdOf, tick, type Hlc } from '../../domain/hlc.ts';
import { uuidv7, type RandomBytes } from '../../domain/ids.ts';
import { applyOp, emptyState, noCoordinators, type Authority, type ReportState } from '../../domain/merge.ts';
import { OP_FORMAT_VERSION, opSchema, type Op, type OpBody, type OpKind } from '../../domain/op.ts';
import { RasidDb, type ReportRow } from './db.ts';

export interface WriterContext {
  db: RasidDb;
  device: string;
  now: () => number;
  random: RandomBytes;
  isCoordinator?: Authority;
}

export interface OpIntent {
  kind: OpKind;
  body: OpBody;
}

export class OpRejectedError extends Error {
  readonly code = 'err.op.invalid';
}

export function reportRow(state: ReportState, lastOwnSeq: number): ReportRow {
  return { id: state.id, type: state.type ?? state.unknownType ?? '', createdAt: state.created?.hlc ?? '', state, lastOwnSeq };
}

/** Two tabs of the app must never take the same deviceSeq: writers queue on one Web Lock. */
async function exclusively<T>(fn: () => Promise<T>): Promise<T> {
  const locks = globalThis.navigator?.locks;
  return locks ? locks.request('rasid-op-writer', fn) : fn();
}

export async function writeOp(
  ctx: WriterContext,
  reportId: string,
  intend: (state: ReportState, hlc: string) => OpIntent,
  options: { draftId?: string } = {},
): Promise<{ op: Op; state: ReportState }> {
  const { db, device } = ctx;
  const opId = uuidv7(ctx.now(), ctx.random);
  return exclusively(() =>
    db.transaction('rw', [db.reports, db.ops, db.meta, db.drafts], async () => {
      const row = await db.reports.get(reportId);
      const state = row?.state ?? emptyState(reportId);
      const clock = tick((await db.getMeta('hlc')) ?? ({ wall: 0, counter: 0, node: nodeIdOf(device) } satisfies Hlc), ctx.now());
      const last = await db.ops.where('[device+deviceSeq]').between([device, 0], [device, Infinity]).last();
      const { kind, body } = intend(state, encodeHlc(clock));
      const parsed = opSchema.safeParse({ v: OP_FORMAT_VERSION, id: opId, kind, reportId, device, deviceSeq: (last?.deviceSeq ?? 0) + 1, body });
      if (!parsed.success) throw new OpRejectedError(parsed.error.issues[0]?.message ?? 'invalid op');
      const op = parsed.data;
      const next = applyOp(state, op, ctx.isCoordinator ?? noCoordinators);
      await db.ops.add(op);
      await db.reports.put(reportRow(next, op.deviceSeq));
      await db.setMeta('hlc', clock);
      if (options.draftId) await db.drafts.delete(options.draftId);
      return { op, state: next };
    }),
  );
}
