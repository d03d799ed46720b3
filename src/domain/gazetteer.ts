/**
 * Places: the admin areas a report can be filed under, read from OCHA's COD-AB tabular gazetteer
 * that a coordinator imports. Nothing here knows any p-code; the file is the only source of them.
 *
 * An import keeps every good row and lists the bad ones with their line and a catalog key, so one
 * typo in a file of thousands of rows costs that row, not the whole import.
 */
import { z } from 'zod/mini';
import { parseCsv } from './csv.ts';
import { foldArabic } from './arabic-search.ts';
import type { Lang } from './lang.ts';
import type { AdminRef } from './report.ts';

export const PCODE_PATTERN = /^[A-Z]{2}[0-9A-Z]{1,14}$/;
export const pcodeSchema = z.string().check(z.regex(PCODE_PATTERN, { error: 'err.gazetteer.badPcode' }));

export const ADMIN_LEVELS = [1, 2, 3] as const;
export const adminLevelSchema = z.union([z.literal(1), z.literal(2), z.literal(3)]);
export type AdminLevel = z.infer<typeof adminLevelSchema>;

const placeName = z
  .string()
  .check(z.trim(), z.minLength(1, { error: 'err.gazetteer.missingName' }), z.maxLength(200, { error: 'err.gazetteer.nameTooLong' }));

export const adminUnitSchema = z.object({
  pcode: pcodeSchema,
  en: placeName,
  ar: placeName,
  level: adminLevelSchema,
  parent: z.optional(pcodeSchema),
});
export type AdminUnit = z.infer<typeof adminUnitSchema>;

export const gazetteerSchema = z.object({
  name: z.string().check(z.trim(), z.minLength(1, { error: 'err.gazetteer.noName' })),
  units: z.array(adminUnitSchema),
});
export type Gazetteer = z.infer<typeof gazetteerSchema>;

export type SkippedRow = { line: number; reason: string; column?: string };
export type GazetteerError = { key: string; line?: number; column?: string };
export type GazetteerImport = { ok: true; gazetteer: Gazetteer; skipped: SkippedRow[] } | { ok: false; error: GazetteerError };

type LevelColumns = { level: AdminLevel; pcode: number; en: number; ar: number; names: Record<'pcode' | 'en' | 'ar', string> };

/**
 * Header names are compared without case, `_` or spaces, so both the tabular spelling
 * (`admin1Pcode`, `admin1Name_en`) and the shapefile-attribute one (`ADM1_PCODE`, `ADM1_EN`) are read.
 */
const PCODE_HEADER = /^adm(?:in)?([123])pcode$/;
const NAME_HEADER = /^adm(?:in)?([123])(?:name)?(en|ar)$/;
const normaliseHeader = (h: string) => h.trim().toLowerCase().replace(/[\s_]/g, '');

function findColumns(header: string[]): { ok: true; levels: LevelColumns[] } | { ok: false; error: GazetteerError } {
  const found = new Map<string, { index: number; name: string }>();
  header.forEach((raw, index) => {
    const h = normaliseHeader(raw);
    const p = PCODE_HEADER.exec(h);
    const m = NAME_HEADER.exec(h);
    const key = p ? `${p[1]}pcode` : m ? `${m[1]}${m[2]}` : undefined;
    // The first of two same-named columns wins, as a spreadsheet lookup would.
    if (key && !found.has(key)) found.set(key, { index, name: raw.trim() });
  });

  const levels: LevelColumns[] = [];
  for (const level of ADMIN_LEVELS) {
    const pcode = found.get(`${level}pcode`);
    if (!pcode) {
      // A deeper level without this one would have no parent to hang from.
      const deeper = ADMIN_LEVELS.some((l) => l > level && found.has(`${l}pcode`));
      if (level === 1 || deeper) return { ok: false, error: { key: 'err.gazetteer.noColumns', column: `admin${level}Pcode` } };
      break;
    }
    const en = found.get(`${level}en`);
    const ar = found.get(`${level}ar`);
    if (!en) return { ok: false, error: { key: 'err.gazetteer.noColumns', column: `admin${level}Name_en` } };
    if (!ar) return { ok: false, error: { key: 'err.gazetteer.noColumns', column: `admin${level}Name_ar` } };
    levels.push({
      level,
      pcode: pcode.index,
      en: en.index,
      ar: ar.index,
      names: { pcode: pcode.name, en: en.name, ar: ar.name },
    });
  }
  return { ok: true, levels };
}

/** HDX files may carry a row of HXL hashtags under the header: it describes columns, it is not a place. */
const isHxlRow = (cells: string[]) =>
  cells.some((c) => c.trim().startsWith('#')) && cells.every((c) => c.trim() === '' || c.trim().startsWith('#'));

export function parseCodAbCsv(text: string, name: string): GazetteerImport {
  if (name.trim() === '') return { ok: false, error: { key: 'err.gazetteer.noName' } };
  const csv = parseCsv(text);
  if (!csv.ok) return { ok: false, error: { key: 'err.gazetteer.badCsv', line: csv.error.line } };
  const [headerRow, ...body] = csv.rows;
  if (!headerRow) return { ok: false, error: { key: 'err.gazetteer.empty' } };

  const columns = findColumns(headerRow.cells);
  if (!columns.ok) return { ok: false, error: { ...columns.error, line: headerRow.line } };

  const dataRows = body.filter((r) => !r.cells.every((c) => c.trim() === '') && !isHxlRow(r.cells));
  if (dataRows.length === 0) return { ok: false, error: { key: 'err.gazetteer.empty' } };

  const units = new Map<string, AdminUnit>();
  const skipped: SkippedRow[] = [];
  for (const row of dataRows) {
    const problem = importRow(row.cells, columns.levels, units);
    if (problem) skipped.push({ line: row.line, ...problem });
  }

  if (units.size === 0) {
    // Importing nothing would replace a working gazetteer with an empty one; point at the first bad row.
    const first = skipped[0];
    return { ok: false, error: { key: 'err.gazetteer.noValidRows', ...(first && { line: first.line, column: first.column }) } };
  }

  const sorted = [...units.values()].sort((a, b) => a.level - b.level || (a.pcode < b.pcode ? -1 : a.pcode > b.pcode ? 1 : 0));
  // Every unit already passed adminUnitSchema on its way in.
  return { ok: true, gazetteer: { name: name.trim(), units: sorted }, skipped };
}

/**
 * Adds the row's units level by level. On the first bad level it stops and says why; the levels
 * above it were good and stay, so a district is not lost because one of its sub-districts is mistyped.
 */
function importRow(cells: string[], levels: LevelColumns[], units: Map<string, AdminUnit>): { reason: string; column: string } | undefined {
  let parent: string | undefined;
  for (const [depth, cols] of levels.entries()) {
    const pcode = (cells[cols.pcode] ?? '').trim().toUpperCase();
    if (pcode === '') {
      // An adm2 row in an adm3 file is fine; a sub-district without its district is not.
      const deeperFilled = levels.slice(depth + 1).some((d) => (cells[d.pcode] ?? '').trim() !== '');
      if (depth === 0 || deeperFilled) return { reason: 'err.gazetteer.missingPcode', column: cols.names.pcode };
      return undefined;
    }

    const unit = adminUnitSchema.safeParse({
      pcode,
      en: cells[cols.en] ?? '',
      ar: cells[cols.ar] ?? '',
      level: cols.level,
      ...(parent === undefined ? {} : { parent }),
    });
    if (!unit.success) {
      const issue = unit.error.issues[0];
      const field = issue?.path[0];
      const column = field === 'en' || field === 'ar' ? cols.names[field] : cols.names.pcode;
      return { reason: issue?.message ?? 'err.gazetteer.invalid', column };
    }

    const earlier = units.get(pcode);
    if (earlier) {
      const conflict =
        earlier.level !== unit.data.level
          ? 'err.gazetteer.levelConflict'
          : earlier.parent !== unit.data.parent
            ? 'err.gazetteer.parentConflict'
            : earlier.en !== unit.data.en || earlier.ar !== unit.data.ar
              ? 'err.gazetteer.nameConflict'
              : undefined;
      if (conflict) return { reason: conflict, column: cols.names.pcode };
    } else {
      units.set(pcode, unit.data);
    }
    parent = pcode;
  }
  return undefined;
}

/** Units at `level` under `parentPcode`; with no parent given, every unit at that level. In p-code order. */
export function childrenOf(g: Gazetteer, parentPcode: string | undefined, level: AdminLevel): AdminUnit[] {
  return g.units.filter((u) => u.level === level && (parentPcode === undefined || u.parent === parentPcode));
}

export function findUnit(g: Gazetteer, pcode: string): AdminUnit | undefined {
  const wanted = pcode.trim().toUpperCase();
  return g.units.find((u) => u.pcode === wanted);
}

/** Names for a p-code a report carries without them, from the gazetteer the device holds. */
export type AdminLookup = (pcode: string) => AdminRef | undefined;

/** The gazetteer's units by p-code, as admin refs; built once, then each lookup is a map read. */
export function adminLookup(g: Gazetteer | undefined): AdminLookup {
  const refs = new Map((g?.units ?? []).map((u) => [u.pcode, { pcode: u.pcode, en: u.en, ar: u.ar }]));
  return (pcode) => refs.get(pcode.trim().toUpperCase());
}

/** An area's name in the interface language, else in the other one, else its p-code. */
export function areaLabel(area: { pcode?: string; en?: string; ar?: string }, lang: Lang): string {
  return (lang === 'ar' ? (area.ar ?? area.en) : (area.en ?? area.ar)) ?? area.pcode ?? '';
}

/** The unit and its ancestors, governorate first: what a form shows as the place of a report. */
export function pathOf(g: Gazetteer, pcode: string): AdminUnit[] {
  const path: AdminUnit[] = [];
  let unit = findUnit(g, pcode);
  // Bounded by the number of levels, so a cycle in a hand-edited stored gazetteer cannot hang the UI.
  while (unit && path.length < ADMIN_LEVELS.length) {
    path.unshift(unit);
    unit = unit.parent === undefined ? undefined : findUnit(g, unit.parent);
  }
  return path;
}

function foldForSearch(text: string, lang: Lang): string {
  const lower = text.normalize('NFC').toLowerCase();
  if (lang === 'ar') return foldArabic(lower).replace(/\s+/g, ' ').trim();
  // Transliterations differ in accents, hyphens, apostrophes and doubled letters
  // (Al-Haffa / Al Haffa, Ma'arrat / Maarrat, Lattakia / Latakia, Hammam / Hamam).
  return lower
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/['’‘`ʿʾ]/g, '')
    .replace(/[-\s]+/g, ' ')
    .replace(/([a-z])\1+/g, '$1')
    .trim();
}

/**
 * Units whose name in `lang` contains the query, ignoring case (and in Arabic, harakat, tatweel and
 * the letter variants foldArabic evens out). A query that is the start of a p-code also matches, for
 * coordinators who think in codes. Names that start with the query come first, then by level and p-code.
 */
export function searchUnits(g: Gazetteer, query: string, lang: Lang): AdminUnit[] {
  const q = foldForSearch(query, lang);
  if (q === '') return [];
  const code = query.trim().toUpperCase();
  const hits: { unit: AdminUnit; rank: number }[] = [];
  for (const unit of g.units) {
    const name = foldForSearch(unit[lang], lang);
    const at = name.indexOf(q);
    if (at === 0 || name.includes(` ${q}`)) hits.push({ unit, rank: 0 });
    else if (at > 0) hits.push({ unit, rank: 1 });
    else if (code.length >= 2 && unit.pcode.startsWith(code)) hits.push({ unit, rank: 2 });
  }
  // g.units is already in level, p-code order and sort is stable, so rank alone is enough.
  return hits.sort((a, b) => a.rank - b.rank).map((h) => h.unit);
}
