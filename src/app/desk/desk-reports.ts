/**
 * What every desk screen reads: each report on this coordinator's device as a merged view, with
 * the facts the desk shows beside it (the device that created it, whether it has a conflict).
 * Held live for the screens (live-desk-reports.ts), which hand them to an export as they hold them.
 *
 * A report this app cannot read (an unknown type, a damaged row) is kept apart in `unreadable`:
 * it is counted and listed, never silently dropped.
 */
import type { DeviceId, OpId, ReportId } from '../../domain/ids.ts';
import type { ReportView } from '../../domain/merge.ts';
import type { RasidDb, ReportRow } from '../store/db.ts';
import { readClearParts, readIndexKeyPages } from '../store/clear-parts.ts';
import { nextTask } from '../next-task.ts';
import { readRow } from '../store/read-row.ts';

export interface DeskReport {
  id: ReportId;
  view: ReportView;
  /** The device that wrote the create op; '' until it has arrived. */
  device: DeviceId | '';
  /** Id of the create op, to find when the base received it. */
  createOp?: OpId;
  /** Not yet acknowledged by the base (this device's own edits above its watermark). */
  unsynced: boolean;
}

export interface DeskReports {
  reports: DeskReport[];
  unreadable: string[];
  /** When the reports were read (ms): "now" for screens that count what is going on at the moment. */
  readAt: number;
  /** False while the first read goes on: what is there is the newest part of the reports. */
  complete: boolean;
}

/** One row as the desk holds it, or undefined when it does not read (read-row.ts). */
export function deskReportOf(row: ReportRow, watermark: number): DeskReport | undefined {
  const item = readRow(row, watermark);
  if (!item.ok) return undefined;
  return {
    id: row.id,
    view: item.view,
    device: row.state.created?.device ?? '',
    createOp: row.state.created?.op,
    unsynced: item.unsynced,
  };
}

/**
 * Each report's place in the order the base received their create ops, for the list's orders by
 * receipt: the ops' `seq`, the base's own count of what it took in, as the index on it holds them.
 * Only the index's keys are read, no op: at 100,000 reports, reading each create op's receipt
 * time as below held the first such order back by seconds. A report the base has not yet received
 * has no place.
 */
export async function receiptRanks(db: RasidDb, reports: readonly DeskReport[]): Promise<Map<ReportId, number>> {
  const rank = new Map<IDBValidKey, number>();
  await readIndexKeyPages(db, 'ops', 'seq', RANKS_A_TASK, (ids) => {
    for (const id of ids) rank.set(id, rank.size);
  });
  const ranks = new Map<ReportId, number>();
  for (let from = 0; from < reports.length; from += RANKS_A_TASK) {
    if (from > 0) await nextTask();
    for (const r of reports.slice(from, from + RANKS_A_TASK)) {
      const at = r.createOp === undefined ? undefined : rank.get(r.createOp);
      if (at !== undefined) ranks.set(r.id, at);
    }
  }
  return ranks;
}

/** About 10 ms of work on a desk's page: the ranks are read in the background, between a coordinator's clicks. */
const RANKS_A_TASK = 10_000;

/**
 * When the base received each report's create op (ms), for the reports given: the export's
 * `receivedAt`. Read from the ops' clear part, never opening them.
 */
export async function receivedTimes(db: RasidDb, reports: readonly DeskReport[]): Promise<Map<ReportId, number>> {
  const creates = reports.flatMap((r) => (r.createOp !== undefined ? [{ id: r.id, op: r.createOp }] : []));
  const parts = await readClearParts(
    db,
    'ops',
    creates.map((c) => c.op),
  );
  const times = new Map<ReportId, number>();
  parts.forEach((part, i) => {
    if (typeof part?.receivedAt === 'number') times.set(creates[i]!.id, part.receivedAt);
  });
  return times;
}
