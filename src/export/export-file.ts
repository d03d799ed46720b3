/**
 * One export, start to end: records in, file text out in chunks, with the number of rows written so
 * far, so a worker can post progress and build a Blob while the UI stays responsive. A partner's
 * pseudonyms are computed first, since they give its file its row order.
 *
 * `exportText` is the same export as one string, for tests, the command line and benchmarks.
 */
import { CSV } from './csv.ts';
import { ROWS_PER_CHUNK, type ExportHeader, type FileFormat } from './file-format.ts';
import { GEOJSON } from './geojson.ts';
import { JSON_FILE } from './json.ts';
import { columnsFor, type Profile } from './profile.ts';
import { pseudonymsOf } from './pseudonym.ts';
import type { Cell, ExportRecord } from './record.ts';
import { idsToPseudonymise, isExported, partnerCells, rowsFor, type PseudonymLookup } from './redact.ts';
import { smallGroupsOf, withSmallGroups, type SmallGroupChoice } from './small-groups.ts';

export const EXPORT_FORMATS = ['csv', 'geojson', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const FILE_FORMATS: Record<ExportFormat, FileFormat> = { csv: CSV, geojson: GEOJSON, json: JSON_FILE };

export interface ExportRun {
  profile: Profile;
  format: ExportFormat;
  /** ISO 8601; written into the JSON header and the audit log, passed in like any time. */
  exportedAt: string;
  rowsPerChunk?: number;
  /** For a partner: what becomes of the rows of groups of fewer than 5 reports; kept when not said. */
  smallGroups?: SmallGroupChoice;
  /** Told once, before the first row, which reports the file holds (by their real ids), in its order. */
  included?(reportIds: readonly string[]): void;
}

export interface ExportChunk {
  text: string;
  /** Rows written so far, and how many the file will have: the progress bar. */
  rows: number;
  total: number;
}

export function* exportChunks(records: readonly ExportRecord[], run: ExportRun): Generator<ExportChunk> {
  const { profile, format: name, exportedAt } = run;
  const format = FILE_FORMATS[name];
  const columns = columnsFor(profile);
  let included = records.filter((r) => isExported(r, profile));
  const header: ExportHeader = { profile: profile.name, exportedAt };
  const choice = run.smallGroups ?? 'keep';
  if (profile.kind === 'partner' && choice !== 'keep') {
    const small = smallGroupsOf(included);
    included = withSmallGroups(included, choice, small);
    header.smallGroups = { choice, groups: small.groups };
  }
  const total = included.length;
  const step = run.rowsPerChunk ?? ROWS_PER_CHUNK;
  let pseudonym: PseudonymLookup | undefined;
  if (profile.kind === 'partner') {
    const known = pseudonymsOf(profile.key, idsToPseudonymise(included));
    pseudonym = (id) => known.get(id)!;
    included = inPseudonymOrder(included, pseudonym);
  }
  run.included?.(included.map((r) => String(r.id)));

  yield { text: format.head(columns, header), rows: 0, total };
  for (let start = 0; start < total; start += step) {
    const batch = included.slice(start, start + step);
    const first = start === 0;
    let text: string;
    if (format.cellRows && profile.kind === 'partner' && pseudonym) {
      const cells: Cell[][] = [];
      for (const record of batch) {
        const row = partnerCells(record, profile, pseudonym, columns);
        if (row) cells.push(row);
      }
      text = format.cellRows(cells, columns, first);
    } else text = format.rows([...rowsFor(batch, profile, pseudonym)], columns, first);
    yield { text, rows: start + batch.length, total };
  }
  yield { text: format.tail(), rows: total, total };
}

/**
 * A partner's rows sorted by that partner's own pseudonyms. In the order the reports were made, the
 * n-th row of two partners' files would be the same report, which joins their pseudonyms as surely as
 * a shared id; each partner's key shuffles its file differently, and the same key keeps its order.
 */
function inPseudonymOrder(records: readonly ExportRecord[], pseudonym: PseudonymLookup): ExportRecord[] {
  const n = records.length;
  const names = records.map((r) => (typeof r.id === 'string' ? pseudonym(r.id) : ''));
  // Each record sorts by one number, the first 24 bits of its pseudonym and then its place, in a
  // typed array, which sorts natively: at 100,000 rows several times faster than sorting strings.
  // Records whose first 24 bits tie (a few hundred at 100,000) are put in order by their whole
  // pseudonym after; equal pseudonyms keep the records' order, as a stable sort by key would.
  const order = new Float64Array(n);
  for (let i = 0; i < n; i++) order[i] = prefixOf(names[i]!) * n + i;
  order.sort();
  const at = Array.from(order, (o) => o % n);
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && Math.floor(order[end]! / n) === Math.floor(order[start]! / n)) end++;
    if (end - start > 1) {
      const tied = at.slice(start, end).sort((a, b) => (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : a - b));
      at.splice(start, tied.length, ...tied);
    }
    start = end;
  }
  return at.map((i) => records[i]!);
}

/**
 * The first six hex digits of a pseudonym as a number, one more than its value, so that a record with
 * none (no id) comes first; under 2^25, so that times a file's row count it stays an exact double.
 */
function prefixOf(name: string): number {
  if (name === '') return 0;
  const value = Number.parseInt(name.slice(0, PREFIX_DIGITS).padEnd(PREFIX_DIGITS, '0'), 16);
  return Number.isNaN(value) ? 0 : value + 1;
}
const PREFIX_DIGITS = 6;

/**
 * The whole file as one string, and its row count for the export log. A promise still, as when
 * pseudonyms came from WebCrypto: its callers need not change if a writer waits on something again.
 */
export function exportText(records: readonly ExportRecord[], run: ExportRun): Promise<{ text: string; rows: number }> {
  const parts: string[] = [];
  let rows = 0;
  for (const chunk of exportChunks(records, run)) {
    parts.push(chunk.text);
    rows = chunk.rows;
  }
  return Promise.resolve({ text: parts.join(''), rows });
}
