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
import { readClearParts } from '../store/clear-parts.ts';
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
 * When the base received each report's create op (ms), for the reports given: the export's
 * `receivedAt` and the list's orders by receipt. Read from the ops' clear part, never opening them.
 * `known` holds times read before (a create op's receipt never changes once the base has it): only
 * the rest are read, so the list reorders at once after the first time, and after each sync.
 */
export async function receivedTimes(
  db: RasidDb,
  reports: readonly DeskReport[],
  known: Map<OpId, number> = new Map(),
): Promise<Map<ReportId, number>> {
  const missing = reports.flatMap((r) => (r.createOp !== undefined && !known.has(r.createOp) ? [r.createOp] : []));
  const parts = await readClearParts(db, 'ops', missing);
  parts.forEach((part, i) => {
    if (typeof part?.receivedAt === 'number') known.set(missing[i]!, part.receivedAt);
  });
  const times = new Map<ReportId, number>();
  for (const r of reports) {
    const at = r.createOp === undefined ? undefined : known.get(r.createOp);
    if (at !== undefined) times.set(r.id, at);
  }
  return times;
}
