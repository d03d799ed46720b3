/**
 * From export records to the rows a profile's file holds. The internal profile gets each record as it
 * is, deleted reports included (marked `deleted`), since the coordinator's own export is the archive.
 * A partner row keeps only the profile's columns, with ids replaced by pseudonyms, dates and points
 * coarsened, and:
 * - no deleted report: a deletion withdraws the report from everything shared, also when an edit the
 *   delete did not see is still pending a coordinator's choice;
 * - a field still in conflict emitted empty: a coordinator has not chosen, and the first version in
 *   display order is no more true than the others;
 * - an exact event date given to the week has the precision `week`, not `exact`.
 *
 * Pseudonyms are looked up, not computed, so this stays synchronous (WebCrypto is asynchronous).
 */
import { coarsenDate, snapToGrid, type LatLon } from './coarsen.ts';
import { columnsFor, type PartnerProfile, type Profile } from './profile.ts';
import type { Cell, ExportRecord, ExportRow, ReportColumn } from './record.ts';

export type PseudonymLookup = (reportId: string) => string;

export function isExported(record: ExportRecord, profile: Profile): boolean {
  return profile.kind === 'internal' || record.deleted !== true;
}

/** Report ids a partner file names: its own, and the one it duplicates. */
export function idsToPseudonymise(records: Iterable<ExportRecord>): string[] {
  const ids: string[] = [];
  for (const r of records) {
    if (typeof r.id === 'string') ids.push(r.id);
    if (typeof r.duplicate_of === 'string') ids.push(r.duplicate_of);
  }
  return ids;
}

export function redactForPartner(
  record: ExportRecord,
  profile: PartnerProfile,
  pseudonym: PseudonymLookup,
  columns: readonly ReportColumn[] = columnsFor(profile),
): ExportRow | undefined {
  const cells = partnerCells(record, profile, pseudonym, columns);
  if (!cells) return undefined;
  const row: Record<string, Cell> = {};
  columns.forEach((c, i) => (row[c.name] = cells[i]!));
  return row;
}

/**
 * A partner row as its cells, in the order of `columns`: what a CSV writes, without a row object
 * of named fields made and read back for each report (at 100,000 rows, most of the file's garbage).
 */
export function partnerCells(
  record: ExportRecord,
  profile: PartnerProfile,
  pseudonym: PseudonymLookup,
  columns: readonly ReportColumn[],
): Cell[] | undefined {
  if (!isExported(record, profile)) return undefined;
  // Most records have no conflict: no set is made for them.
  const conflicted = typeof record.conflicts === 'string' ? new Set(record.conflicts.split(' ')) : undefined;
  let cell: LatLon | null = null;
  if (profile.place.by === 'grid' && typeof record.lat === 'number' && typeof record.lon === 'number') {
    cell = snapToGrid({ lat: record.lat, lon: record.lon }, profile.place.km);
  }
  const cells = new Array<Cell>(columns.length);
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i]!;
    const value = record[c.name] ?? null;
    cells[i] = value === null || conflicted?.has(c.item) ? null : partnerValue(c, value, profile, pseudonym, cell);
  }
  return cells;
}

function partnerValue(
  c: ReportColumn,
  value: Exclude<Cell, null>,
  profile: PartnerProfile,
  pseudonym: PseudonymLookup,
  cell: LatLon | null,
): Cell {
  if (c.item === 'id' || c.item === 'duplicateOf') return pseudonym(String(value));
  if (c.kind === 'date' || c.kind === 'datetime') return typeof value === 'string' ? coarsenDate(value, profile.dates) : null;
  // A date given as its week is exact to the week at most: "exact" would claim the day.
  if (c.name === 'date_precision' && value === 'exact' && profile.dates !== 'day') return profile.dates;
  // Only the snapped centre leaves; any other part of a point (accuracy) would say where it was.
  if (c.item === 'point') return c.name === 'lat' ? (cell?.lat ?? null) : c.name === 'lon' ? (cell?.lon ?? null) : null;
  return value;
}

/** The rows of a profile's file, in the records' order. A partner profile needs its pseudonyms. */
export function* rowsFor(records: Iterable<ExportRecord>, profile: Profile, pseudonym?: PseudonymLookup): Generator<ExportRow> {
  if (profile.kind === 'internal') {
    yield* records;
    return;
  }
  // Falling back to the raw id would hand a partner the key to every other export.
  if (!pseudonym) throw new Error('A partner export needs pseudonyms for its ids');
  const columns = columnsFor(profile);
  for (const record of records) {
    const row = redactForPartner(record, profile, pseudonym, columns);
    if (row) yield row;
  }
}
