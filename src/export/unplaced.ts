/**
 * Rows a partner cannot put on a map: in the file as the profile writes it, no admin area at any
 * level and no point. Counted before the file is written, so the coordinator hears of them (the
 * desk's export screen, the command-line export) while they can still set the areas.
 */
import { columnsFor, type Profile } from './profile.ts';
import { REPORT_COLUMNS, type ExportRecord, type ExportRow } from './record.ts';
import { redactForPartner } from './redact.ts';

/** The event's own admin areas and point: a displacement's origin and destination place other things. */
const PLACING = REPORT_COLUMNS.filter((c) => c.item === 'admin' || c.item === 'point').map((c) => c.name);

function unplaced(row: ExportRow): boolean {
  // A deleted report's row says it was deleted, and nothing else: no place is missing from it.
  if (row['deleted'] === true) return false;
  return PLACING.every((name) => row[name] === null || row[name] === undefined || row[name] === '');
}

export interface Placed {
  /** Rows the file will hold. */
  rows: number;
  /** Of them, rows with no admin area and no point. */
  unplaced: number;
}

export function countUnplaced(records: Iterable<ExportRecord>, profile: Profile): Placed {
  let rows = 0;
  let none = 0;
  if (profile.kind === 'internal') {
    for (const record of records) {
      rows++;
      if (unplaced(record)) none++;
    }
    return { rows, unplaced: none };
  }
  // Only the placing columns, redacted as the file redacts them: the whole row again would double
  // the work of a partner's export. Ids are not among them, so no pseudonym is needed.
  const placing = columnsFor(profile).filter((c) => PLACING.includes(c.name));
  for (const record of records) {
    const row = redactForPartner(record, profile, () => '', placing);
    if (!row) continue;
    rows++;
    if (unplaced(row)) none++;
  }
  return { rows, unplaced: none };
}
