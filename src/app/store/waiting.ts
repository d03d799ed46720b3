/**
 * The reports this device holds changes of that the base has not yet decided, and whether the base
 * has the report at all: read from the outbox (own ops above the watermark) in one query, so a list
 * of thousands reads only what waits, never every report's ops.
 */
import type { DeviceId, ReportId } from '../../domain/ids.ts';
import { storedInRange } from './stored-rows.ts';
import type { OpRow, RasidDb } from './db.ts';

/** `new`: the report's create waits too, so the base has never had it; `changes`: it has, but not the latest own edits. */
export type Waiting = 'new' | 'changes';

export async function waitingReports(db: RasidDb, device: DeviceId, watermark: number): Promise<Map<ReportId, Waiting>> {
  // The ops are read as they lie, not opened: the two properties needed are in clear, and opening
  // every waiting op's sealed body was a third of the list's work after an unlock (docs/decisions.md, 077).
  const ops = await storedInRange<OpRow, 'kind' | 'reportId'>(db, db.ops, '[device+deviceSeq]', [device, watermark], [device, Infinity]);
  const waiting = new Map<ReportId, Waiting>();
  for (const op of ops) {
    // Deployment and desk ops name a setting, not a report.
    if (op.kind === 'create') waiting.set(op.reportId as ReportId, 'new');
    else if (op.kind === 'edit' && !waiting.has(op.reportId as ReportId)) waiting.set(op.reportId as ReportId, 'changes');
  }
  return waiting;
}
