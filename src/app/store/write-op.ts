/**
 * The one place this device's own ops are made (ops pulled or read from a sync file are taken in by
 * sync/take-in.ts). An op and the report's new merged state land in one strict
 * transaction: never a report without its op, nor an op without its report. A draft the op came
 * from is removed in the same transaction, so a crash leaves either the draft or the saved report.
 */
import { encodeHlc, nodeIdOf, tick } from '../../domain/hlc.ts';
import { isSettingId, newOpId, type DeviceId, type RandomBytes, type TargetId } from '../../domain/ids.ts';
import { applyOp, emptyState, noCoordinators, readsAuthority, type Authority, type MergedState } from '../../domain/merge.ts';
import { OP_FORMAT_VERSION, type OpKind } from '../../domain/op/header.ts';
import { opSchema, type Op, type OpBody } from '../../domain/op/op.ts';
import type { RasidDb, WriterState } from './db.ts';
import { currentAuthority, remergeForRoster, saveState } from './rows.ts';
import { rosterOf, ROSTER_ID } from '../../domain/roster.ts';
import { isOwnWord } from '../../domain/vouching.ts';

export { reportRow } from './rows.ts';

export interface WriterContext {
  db: RasidDb;
  device: DeviceId;
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

/** Before this device's first op here, or in a database from before the writer row existed. */
async function firstWriterState(db: RasidDb, device: DeviceId): Promise<WriterState> {
  const last = await db.ops.where('[device+deviceSeq]').between([device, 0], [device, Infinity]).last();
  return { device, clock: { wall: 0, counter: 0, node: nodeIdOf(device) }, deviceSeq: last?.deviceSeq ?? 0 };
}

export async function writeOp(
  ctx: WriterContext,
  reportId: TargetId,
  intend: (state: MergedState, hlc: string) => OpIntent,
  options: { draftId?: string; fresh?: boolean } = {},
): Promise<{ op: Op; state: MergedState }> {
  const { db, device } = ctx;
  const opId = newOpId(ctx.now(), ctx.random);
  // Two tabs must never take the same deviceSeq. The number is read and written inside one readwrite
  // transaction, which IndexedDB runs alone among those touching the same stores, so no lock is needed
  // while the op is built inside it (a Web Lock cost 0.5 ms a save here). Sealing adds no work before the
  // transaction opens: rows are sealed at rest inside it, synchronously (at-rest.ts), and the op's wire form
  // is sealed at its first push (sync/push.ts), so the number needs no lock (docs/decisions.md, 011, 035, 037).
  return db.transaction('rw', [db.reports, db.settings, db.ops, db.meta, db.drafts], async () => {
    // The writer state is one row rather than a search of the op log for the last own op, which cost a
    // cursor on every save. Reads, then writes, each issued together: IndexedDB keeps their order within the transaction,
    // and not waiting for one before sending the next saves a round trip to the storage process each.
    // Deployment and desk settings (the roster, the gazetteer) are kept in `settings`, reports in `reports`.
    // A report created here has an id drawn a moment ago from 74 random bits: there is no row to read.
    const [row, writer] = await Promise.all([
      options.fresh ? undefined : isSettingId(reportId) ? db.settings.get(reportId) : db.reports.get(reportId),
      db.getMeta('writer').then((w) => (w?.device === device ? w : firstWriterState(db, device))),
    ]);
    const state: MergedState = row?.state ?? emptyState(reportId);
    const clock = tick(writer.clock, ctx.now());
    const { kind, body } = intend(state, encodeHlc(clock));
    const parsed = opSchema.safeParse({ v: OP_FORMAT_VERSION, id: opId, kind, reportId, device, deviceSeq: writer.deviceSeq + 1, body });
    if (!parsed.success) throw new OpRejectedError(parsed.error.issues[0]?.message ?? 'invalid op');
    const op = parsed.data;
    // Who counts as coordinator (the roster this device holds, two more reads) is asked only when the
    // merge would ask it: most saves touch no coordinator-only field.
    const authority = ctx.isCoordinator ?? (readsAuthority(op) ? await currentAuthority(db) : noCoordinators);
    const next = applyOp(state, op, authority);
    if (reportId === ROSTER_ID) {
      // Who is a coordinator changed here: reports their ops touched are merged again in this transaction.
      await db.ops.add(op);
      await saveState(db, next, 0);
      // Once the root is pinned, standing follows from root statements alone, which arrive by sync.
      if (!(await db.getMeta('trust'))) await remergeForRoster(db, device, rosterOf(state), rosterOf(next));
    }
    await Promise.all([
      reportId === ROSTER_ID ? undefined : db.ops.add(op),
      // A vouching or a key renewal is kept as an op alone: what it says is read from the ops (domain/vouching.ts).
      reportId === ROSTER_ID || isOwnWord(reportId) ? undefined : saveState(db, next, op.deviceSeq),
      db.setMeta('writer', { device, clock, deviceSeq: op.deviceSeq }),
      options.draftId ? db.drafts.delete(options.draftId) : undefined,
    ]);
    return { op, state: next };
  });
}
