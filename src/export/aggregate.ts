/**
 * The aggregate export: how many reports per admin area (level chosen) x ISO week x type, for a
 * partner who needs the picture and not the records.
 *
 * Small counts identify people (four burned homes in one hamlet in one week), so every cell under
 * MIN_REPORTS_PER_CELL is left out entirely: no row, no "<5", and no totals of any kind, since a total
 * minus the cells shown would give back a suppressed one. What is counted: reports not deleted and not
 * marked as a duplicate (it would count one event twice), by the first day of the event date, under
 * the area of their admin p-code at that level (or its names, when the report has no p-code). Reports
 * with no area at that level, or no date, are counted in a cell with that part empty, suppressed alike.
 */
import type { AdminLevel } from '../domain/gazetteer.ts';
import { REPORT_TYPES } from '../domain/report-codes.ts';
import { isoWeekOf } from './coarsen.ts';
import { csvChunks } from './csv.ts';
import { jsonChunks } from './json.ts';
import type { Column, ExportRecord, ExportRow } from './record.ts';

export const MIN_REPORTS_PER_CELL = 5;

export function aggregateColumns(level: AdminLevel): Column[] {
  return [
    { name: `adm${level}_pcode`, hxl: `#adm${level}+code+v_pcode`, kind: 'code' },
    { name: `adm${level}_name_en`, hxl: `#adm${level}+name+i_en`, kind: 'text' },
    { name: `adm${level}_name_ar`, hxl: `#adm${level}+name+i_ar`, kind: 'text' },
    { name: 'week', hxl: '#date+occurred+week', kind: 'date' },
    { name: 'type', hxl: '#event+type', kind: 'code' },
    { name: 'reports', hxl: '#event+num', kind: 'number' },
  ];
}

const text = (v: unknown) => (typeof v === 'string' ? v : '');
const typeOrder = (t: string) => {
  const i = (REPORT_TYPES as readonly string[]).indexOf(t);
  return i === -1 ? REPORT_TYPES.length : i;
};

interface Cell {
  pcode: string;
  en: string;
  ar: string;
  week: string;
  type: string;
  reports: number;
}

/** Counted cells of at least MIN_REPORTS_PER_CELL reports, by area, week and type. */
export function aggregateRows(records: Iterable<ExportRecord>, level: AdminLevel): ExportRow[] {
  const cells = new Map<string, Cell>();
  for (const r of records) {
    if (r.deleted === true || r.verification === 'duplicate') continue;
    const pcode = text(r[`adm${level}_pcode`]);
    const en = text(r[`adm${level}_name_en`]);
    const ar = text(r[`adm${level}_name_ar`]);
    const week = typeof r.date === 'string' ? (isoWeekOf(r.date) ?? '') : '';
    const type = text(r.type);
    // One area by p-code whatever the names say; names alone only where there is no p-code.
    const area = pcode !== '' ? `p:${pcode}` : `n:${en}\u0000${ar}`;
    const key = `${area}\u0000${week}\u0000${type}`;
    const cell = cells.get(key);
    if (cell) cell.reports++;
    else cells.set(key, { pcode, en, ar, week, type, reports: 1 });
  }
  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...cells.values()]
    .filter((c) => c.reports >= MIN_REPORTS_PER_CELL)
    .sort(
      (a, b) =>
        compare(a.pcode, b.pcode) ||
        compare(a.en, b.en) ||
        compare(a.ar, b.ar) ||
        compare(a.week, b.week) ||
        typeOrder(a.type) - typeOrder(b.type),
    )
    .map((c) => ({
      [`adm${level}_pcode`]: c.pcode || null,
      [`adm${level}_name_en`]: c.en || null,
      [`adm${level}_name_ar`]: c.ar || null,
      week: c.week || null,
      type: c.type || null,
      reports: c.reports,
    }));
}

/** The aggregate as a CSV (with its HXL row) or JSON file, in pieces like every other export. */
export function aggregateChunks(
  records: Iterable<ExportRecord>,
  run: { level: AdminLevel; format: 'csv' | 'json'; exportedAt: string },
): Generator<string> {
  const columns = aggregateColumns(run.level);
  const rows = aggregateRows(records, run.level);
  if (run.format === 'csv') return csvChunks(rows, columns);
  return jsonChunks(rows, columns, { profile: `aggregate-adm${run.level}`, exportedAt: run.exportedAt });
}
