/** Reading reports back for the screens, never trusting stored data to be well formed. */
import { viewOf, type ReportView } from '../../domain/merge.ts';
import { isReportType } from '../../domain/report-types.ts';
import type { ReportRow } from './db.ts';

export type ListItem = { ok: true; view: ReportView; unsynced: boolean } | { ok: false; id: string; unsynced: boolean };

/** A row this app version cannot read (an unknown type, a damaged record) becomes a visible entry, never a crash. */
export function readRow(row: ReportRow, watermark: number): ListItem {
  const unsynced = row.lastOwnSeq > watermark;
  try {
    if (!isReportType(row.type) || typeof row.state?.fields !== 'object') {
      return { ok: false, id: String(row.id), unsynced };
    }
    return { ok: true, view: viewOf(row.state), unsynced };
  } catch {
    return { ok: false, id: String(row.id), unsynced };
  }
}
