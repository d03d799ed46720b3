/**
 * The reports this device holds changes of that the base has not yet decided, and whether the base
 * has the report at all: read from the outbox (own ops above the watermark) in one query, so a list
 * of thousands reads only what waits, never every report's ops.
 */
import type { DeviceId, ReportId } from '../../domain/ids.ts';
import type { OpRow, RasidDb } from './db.ts';

/** `new`: the report's create waits too, so the base has never had it; `changes`: it has, but not the latest own edits. */
export type Waiting = 'new' | 'changes';

/** What is read of each waiting op: both kept in clear on disk (at-rest.ts, CLEAR_PROPS). */
type ClearPart = Pick<OpRow, 'kind' | 'reportId'>;

export async function waitingReports(db: RasidDb, device: DeviceId, watermark: number): Promise<Map<ReportId, Waiting>> {
  const lower = [device, watermark];
  const upper = [device, Infinity];
  // The ops are read as they lie, not opened: the two properties needed are in clear, and opening
  // every waiting op's sealed body was a third of the list's work after an unlock (docs/decisions.md,
  // 077). The same range is read through Dexie as keys alone, which opens nothing, so a live query
  // over this still runs again when an op in it changes.
  const ops = await db.transaction('r', db.ops, async (tx) => {
    const [, stored] = await Promise.all([
      db.ops.where('[device+deviceSeq]').between(lower, upper, false, true).primaryKeys(),
      new Promise<ClearPart[]>((resolve, reject) => {
        const request = tx.idbtrans
          .objectStore('ops')
          .index('[device+deviceSeq]')
          .getAll(IDBKeyRange.bound(lower, upper, true, false));
        request.onsuccess = () => resolve(request.result as ClearPart[]);
        request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
      }),
    ]);
    return stored;
  });
  const waiting = new Map<ReportId, Waiting>();
  for (const op of ops) {
    // Deployment and desk ops name a setting, not a report.
    if (op.kind === 'create') waiting.set(op.reportId as ReportId, 'new');
    else if (op.kind === 'edit' && !waiting.has(op.reportId as ReportId)) waiting.set(op.reportId as ReportId, 'changes');
  }
  return waiting;
}
