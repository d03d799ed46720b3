/**
 * The export log on the desk: who exported what, when, with which profile, how many rows. Each export
 * is a desk setting of its own, written once and never changed, so the log only grows and entries
 * made on several coordinators' devices meet, once synced, without merging into one another.
 */
import { uuidv7 } from '../../domain/ids.ts';
import { settingBody } from '../../domain/merge.ts';
import {
  EXPORT_LOG_PREFIX,
  exportLogEntryFromState,
  exportLogEntrySchema,
  exportLogId,
  type ExportLogEntry,
} from '../../export/desk-settings.ts';
import type { RasidDb } from '../store/db.ts';
import { writeOp, type WriterContext } from '../store/write-op.ts';

export type LoggedExport = ExportLogEntry & { id: string };

/** Records an export made on this device; `by` is this device. Returns the entry's setting id. */
export async function logExport(writer: WriterContext, entry: Omit<ExportLogEntry, 'by'>): Promise<string> {
  const full = exportLogEntrySchema.parse({ ...entry, by: writer.device });
  const id = exportLogId(uuidv7(writer.now(), writer.random));
  await writeOp(writer, id, (state, hlc) => ({ kind: 'desk', body: settingBody(state, full, hlc) }));
  return id;
}

/**
 * Every entry this device holds, its own and those synced from other coordinators, newest first. An
 * entry this app cannot read is left out here; the op stays in the log of ops, where it came from.
 */
export async function listExports(db: RasidDb): Promise<LoggedExport[]> {
  const rows = await db.settings.where('id').startsWith(EXPORT_LOG_PREFIX).toArray();
  const entries: LoggedExport[] = [];
  for (const row of rows) {
    const entry = exportLogEntryFromState(row.state);
    if (entry) entries.push({ ...entry, id: row.id });
  }
  // Same instant on two devices: the id (time-ordered too) keeps the order the same everywhere.
  return entries.sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}
