/**
 * JSON for scripts and pipelines: a small header (profile, export time, an aggregate's level and
 * how many cells it left out, what became of a partner file's small groups, the columns with their
 * HXL hashtags and kinds) and `records`, one object per row with the CSV's column names. Empty cells
 * are `null`, numbers and booleans keep their JSON types.
 */
import { chunksOf, ROWS_PER_CHUNK, smallGroupsMember, type ExportHeader, type FileFormat } from './file-format.ts';
import type { Column, ExportRow } from './record.ts';

export function jsonRecord(row: ExportRow, columns: readonly Column[]): string {
  return `{${columns.map((c) => `${JSON.stringify(c.name)}:${JSON.stringify(row[c.name] ?? null)}`).join(',')}}`;
}

export const JSON_FILE: FileFormat = {
  extension: 'json',
  mediaType: 'application/json',
  head: (columns, header) => {
    const described = columns.map((c) => JSON.stringify({ name: c.name, hxl: c.hxl, kind: c.kind })).join(',');
    const aggregate = header.aggregate ? `,"level":${header.aggregate.level},"suppressedCells":${header.aggregate.suppressedCells}` : '';
    return `{"profile":${JSON.stringify(header.profile)},"exportedAt":${JSON.stringify(header.exportedAt)}${aggregate}${smallGroupsMember(header)},"columns":[${described}],"records":[`;
  },
  rows: (rows, columns, first) => (first ? '\n' : ',\n') + rows.map((r) => jsonRecord(r, columns)).join(',\n'),
  tail: () => '\n]}\n',
};

export function jsonChunks(
  rows: Iterable<ExportRow>,
  columns: readonly Column[],
  header: ExportHeader,
  rowsPerChunk = ROWS_PER_CHUNK,
): Generator<string> {
  return chunksOf(JSON_FILE, rows, columns, header, rowsPerChunk);
}
