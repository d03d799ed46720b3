/**
 * CSV for spreadsheets and HDX: RFC 4180 with every cell quoted and CRLF line ends, UTF-8 with a BOM
 * so Excel shows Arabic, a header row, then DATA.md's HXL hashtag row, then the data.
 *
 * Formula injection: a text cell that begins with `=`, `+`, `-`, `@`, tab, CR or LF would run as a
 * formula in a spreadsheet (`=HYPERLINK(...)` sends data away), so it gets a leading apostrophe. A
 * number column holds only numbers the export wrote itself, so a leading minus there stays a number.
 */
import { chunksOf, ROWS_PER_CHUNK, type ExportHeader, type FileFormat } from './file-format.ts';
import type { Cell, CellKind, Column, ExportRow } from './record.ts';

const BOM = '\uFEFF';
const CRLF = '\r\n';
/** Char codes of `=`, `+`, `-`, `@`, tab, CR and LF: a text cell starting with one is neutralised. */
const FORMULA_START = new Set([0x3d, 0x2b, 0x2d, 0x40, 0x09, 0x0d, 0x0a]);

// Most cells hold no quote: the test is cheaper than a replace that finds nothing.
const quote = (text: string) => `"${text.includes('"') ? text.replace(/"/g, '""') : text}"`;

/** Empty stays empty: an unknown count is not zero. */
export function csvCell(value: Cell | undefined, kind: CellKind): string {
  if (value === null || value === undefined) return '""';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return '""';
    // Only a real number in a number column skips neutralising; a number anywhere else is text.
    if (kind === 'number') return quote(String(value));
  }
  const text = String(value);
  return quote(FORMULA_START.has(text.charCodeAt(0)) ? `'${text}` : text);
}

export function csvLine(cells: readonly string[]): string {
  return cells.join(',') + CRLF;
}

export const CSV: FileFormat = {
  extension: 'csv',
  mediaType: 'text/csv;charset=utf-8',
  head: (columns) => BOM + csvLine(columns.map((c) => csvCell(c.name, 'text'))) + csvLine(columns.map((c) => csvCell(c.hxl, 'text'))),
  rows: (rows, columns) => csvLines(rows.length, (r, i) => rows[r]![columns[i]!.name], columns),
  cellRows: (rows, columns) => csvLines(rows.length, (r, i) => rows[r]![i], columns),
  tail: () => '',
};

/**
 * `count` rows, `cell(r, i)` the cell of row r in column i. One string grown cell by cell, with no
 * array of cell texts per row to join: at 100,000 rows those arrays cost more than the cells.
 */
function csvLines(count: number, cell: (row: number, column: number) => Cell | undefined, columns: readonly Column[]): string {
  let text = '';
  for (let r = 0; r < count; r++) {
    for (let i = 0; i < columns.length; i++) text += (i === 0 ? '' : ',') + csvCell(cell(r, i), columns[i]!.kind);
    text += CRLF;
  }
  return text;
}

/** A CSV file in pieces: the head (BOM, header row, hashtag row), then rows, `rowsPerChunk` at a time. */
export function csvChunks(rows: Iterable<ExportRow>, columns: readonly Column[], rowsPerChunk = ROWS_PER_CHUNK): Generator<string> {
  // CSV has no place for a profile name or an export time.
  const header: ExportHeader = { profile: '', exportedAt: '' };
  return chunksOf(CSV, rows, columns, header, rowsPerChunk);
}
