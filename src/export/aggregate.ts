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
 *
 * Counts at two levels subtract: a governorate's count minus its districts' shown counts gives back
 * the districts left out. So every aggregate of a deployment, under any profile, is counted at one
 * level, AGGREGATE_LEVEL (docs/decisions.md, 052), and a file says how many cells it left out, never
 * which.
 */
import type { AdminLevel } from '../domain/gazetteer.ts';
import { REPORT_TYPES } from '../domain/report-codes.ts';
import { isoWeekOf } from './coarsen.ts';
import { csvChunks } from './csv.ts';
import { jsonChunks } from './json.ts';
import type { Profile } from './profile.ts';
import type { Column, ExportRecord, ExportRow } from './record.ts';

export const MIN_REPORTS_PER_CELL = 5;

/** The one admin level every aggregate of a deployment is counted at: districts, as partners plan by. */
export const AGGREGATE_LEVEL: AdminLevel = 2;

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

export interface Aggregate {
  /** Cells of at least MIN_REPORTS_PER_CELL reports. */
  rows: ExportRow[];
  /** How many cells were left out for holding fewer. */
  suppressed: number;
}

/** Counted cells of at least MIN_REPORTS_PER_CELL reports, by area, week and type, and how many were left out. */
export function aggregateOf(records: Iterable<ExportRecord>, level: AdminLevel): Aggregate {
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
  const shown = [...cells.values()].filter((c) => c.reports >= MIN_REPORTS_PER_CELL);
  const rows = shown
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
  return { rows, suppressed: cells.size - shown.length };
}

/**
 * Why a profile gets no aggregate, as a catalog key: a partner who may see places only down to
 * governorates must not get districts back, counted.
 */
export function aggregateRefusal(profile: Profile): string | undefined {
  return profile.kind === 'partner' && profile.place.level < AGGREGATE_LEVEL ? 'err.aggregate.finerThanProfile' : undefined;
}

/**
 * A profile's aggregate as a CSV (with its HXL row) or JSON file, in pieces like every other export,
 * at the deployment's level. The JSON header says how many cells were left out; a CSV has no place
 * for it (its second row is the HXL row), so the desk and the command line say it. Throws the
 * catalog key of aggregateRefusal.
 */
export function aggregateFile(
  records: Iterable<ExportRecord>,
  run: { profile: Profile; format: 'csv' | 'json'; exportedAt: string },
): Aggregate & { chunks: Generator<string> } {
  const refusal = aggregateRefusal(run.profile);
  if (refusal) throw new Error(refusal);
  const level = AGGREGATE_LEVEL;
  const columns = aggregateColumns(level);
  const { rows, suppressed } = aggregateOf(records, level);
  const chunks =
    run.format === 'csv'
      ? csvChunks(rows, columns)
      : jsonChunks(rows, columns, {
          profile: run.profile.name,
          exportedAt: run.exportedAt,
          aggregate: { level, suppressedCells: suppressed },
        });
  return { rows, suppressed, chunks };
}
