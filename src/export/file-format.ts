/**
 * What the three file writers share: a file is a head, rows, and a tail, produced in pieces so a
 * worker can write 100,000 reports without one giant string and report progress as it goes.
 */
import type { AdminLevel } from '../domain/gazetteer.ts';
import type { Cell, Column, ExportRow } from './record.ts';
import type { SmallGroupChoice } from './small-groups.ts';

/**
 * What a file says about itself: the JSON header, and for small groups a member of the GeoJSON
 * collection too (RFC 7946 lets readers ignore it). A CSV has no place for any of it: its second row
 * is the HXL row.
 */
export interface ExportHeader {
  profile: string;
  /** ISO 8601, passed in: the writers never read the clock. */
  exportedAt: string;
  /** An aggregate's level, and how many of its cells were left out (never which). */
  aggregate?: { level: AdminLevel; suppressedCells: number };
  /**
   * A partner's file of reports whose small groups were reported by governorate or left out: which,
   * and how many groups (never which). A file that kept them as they are says nothing, as before.
   */
  smallGroups?: { choice: Exclude<SmallGroupChoice, 'keep'>; groups: number };
}

/** The header's small groups as a JSON member to put after another, or nothing. */
export function smallGroupsMember(header: ExportHeader): string {
  const s = header.smallGroups;
  return s ? `,"smallGroups":{"choice":${JSON.stringify(s.choice)},"groups":${s.groups}}` : '';
}

export interface FileFormat {
  /** The file's extension and media type, for the download. */
  extension: string;
  mediaType: string;
  head(columns: readonly Column[], header: ExportHeader): string;
  /** `first`: whether these are the file's first rows (a separator goes between, not before). */
  rows(rows: readonly ExportRow[], columns: readonly Column[], first: boolean): string;
  /** The same from rows given as their cells in the columns' order, where the format can take them so. */
  cellRows?(rows: readonly (readonly Cell[])[], columns: readonly Column[], first: boolean): string;
  tail(): string;
}

/** Rows per chunk: big enough that chunk overhead vanishes, small enough for smooth progress. */
export const ROWS_PER_CHUNK = 1000;

/** The file in pieces: the head, then up to `rowsPerChunk` rows per piece, then the tail. */
export function* chunksOf(
  format: FileFormat,
  rows: Iterable<ExportRow>,
  columns: readonly Column[],
  header: ExportHeader,
  rowsPerChunk = ROWS_PER_CHUNK,
): Generator<string> {
  yield format.head(columns, header);
  let batch: ExportRow[] = [];
  let first = true;
  for (const row of rows) {
    batch.push(row);
    if (batch.length >= rowsPerChunk) {
      yield format.rows(batch, columns, first);
      first = false;
      batch = [];
    }
  }
  if (batch.length) yield format.rows(batch, columns, first);
  yield format.tail();
}
