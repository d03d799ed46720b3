/**
 * The export worker's work once the records are in memory: count what the coordinator must hear of
 * first (rows with no place; a partner's small groups, whose choice it waits for), then write the
 * file in chunks, each made a Blob at once, and hand back the whole file. Apart from the worker, so
 * the benchmark times the same code from records to file.
 */
import { aggregateFile } from '../../export/aggregate.ts';
import { exportChunks, FILE_FORMATS, type ExportFormat } from '../../export/export-file.ts';
import type { ExportRecord } from '../../export/record.ts';
import { countSmallGroups, SMALL_GROUP_CHOICES, type SmallGroupChoice, type SmallGroupCount } from '../../export/small-groups.ts';
import { countUnplaced } from '../../export/unplaced.ts';
import type { ExportChoice, SmallGroupsOutcome } from './run-export.ts';

export interface WriteEvents {
  /** A file of reports: its rows with no admin area and no point, said before a row is written. */
  unplaced(count: number): void;
  /** A partner's file of reports: its small groups; resolves with what becomes of their rows ('keep' when none). */
  smallGroups(found: SmallGroupCount): Promise<SmallGroupChoice>;
  progress(rows: number, total: number): void;
}

export interface WrittenFile {
  blob: Blob;
  rows: number;
  suppressed?: number;
  smallGroups?: SmallGroupsOutcome;
  unplaced?: number;
  /** A partner's file with photos: the reports it holds, in its order, whose photos go beside it. */
  included?: string[];
}

export async function writeExportFile(
  records: readonly ExportRecord[],
  { format: chosen, profile, exportedAt }: ExportChoice & { exportedAt: string },
  on: WriteEvents,
): Promise<WrittenFile> {
  // Each chunk becomes a Blob at once: the browser keeps Blob bytes outside this worker's heap (on
  // disk when large), so 100,000 rows never sit in memory twice, as text and as the file.
  const parts: Blob[] = [];
  if (chosen === 'aggregate_csv' || chosen === 'aggregate_json') {
    const format = chosen === 'aggregate_csv' ? 'csv' : 'json';
    // Counting the cells is one pass over records already in memory: cheap beside writing them.
    const aggregate = aggregateFile(records, { profile, format, exportedAt });
    const rows = aggregate.rows.length;
    for (const text of aggregate.chunks) parts.push(new Blob([text]));
    on.progress(rows, rows);
    return { blob: new Blob(parts, { type: FILE_FORMATS[format].mediaType }), rows, suppressed: aggregate.suppressed };
  }
  const format: ExportFormat = chosen;
  // Said before a row is written: the coordinator may stop and set their areas first.
  const unplaced = countUnplaced(records, profile).unplaced;
  on.unplaced(unplaced);
  let smallGroups: SmallGroupsOutcome | undefined;
  if (profile.kind === 'partner') {
    const found = countSmallGroups(records);
    const choice = await on.smallGroups(found);
    // The choice may have crossed a thread boundary: only one the export core knows may reach it.
    if (!SMALL_GROUP_CHOICES.includes(choice)) throw new Error(`Unknown choice for small groups: ${String(choice)}`);
    smallGroups = { ...found, choice };
  }
  let included: string[] | undefined;
  const writing = {
    profile,
    format,
    exportedAt,
    ...(smallGroups && { smallGroups: smallGroups.choice }),
    ...(profile.kind === 'partner' && profile.photos && { included: (ids: readonly string[]) => void (included = [...ids]) }),
  };
  let rows = 0;
  for (const chunk of exportChunks(records, writing)) {
    parts.push(new Blob([chunk.text]));
    rows = chunk.rows;
    on.progress(chunk.rows, chunk.total);
  }
  return {
    blob: new Blob(parts, { type: FILE_FORMATS[format].mediaType }),
    rows,
    unplaced,
    ...(smallGroups && { smallGroups }),
    ...(included && { included }),
  };
}
