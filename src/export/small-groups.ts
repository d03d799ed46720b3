/**
 * Small groups in a partner's file of reports: fewer than MIN_REPORTS_PER_CELL reports of one type
 * in one ISO week and one district. Such rows single people out as a small aggregate cell would
 * (the four burned homes of one hamlet that week), but a file of reports cannot leave out a count:
 * it can only keep the rows, report them by governorate instead, or leave them out. The coordinator
 * sees how many groups there are before the file is written and chooses (docs/decisions.md, 053).
 */
import { MIN_REPORTS_PER_CELL } from './aggregate.ts';
import { isoWeekOf } from './coarsen.ts';
import { REPORT_COLUMNS, type Cell, type ExportRecord } from './record.ts';

export const SMALL_GROUP_CHOICES = ['keep', 'coarsen', 'drop'] as const;
export type SmallGroupChoice = (typeof SMALL_GROUP_CHOICES)[number];

const text = (v: unknown) => (typeof v === 'string' ? v : '');

/** The (type, week, district) a report falls in; a district by p-code, else by its names, as aggregates count. */
function groupOf(r: ExportRecord): string {
  const pcode = text(r.adm2_pcode);
  const area = pcode !== '' ? `p:${pcode}` : `n:${text(r.adm2_name_en)}\u0000${text(r.adm2_name_ar)}`;
  const week = typeof r.date === 'string' ? (isoWeekOf(r.date) ?? '') : '';
  return `${text(r.type)}\u0000${week}\u0000${area}`;
}

export interface SmallGroups {
  /** How many groups hold fewer than MIN_REPORTS_PER_CELL reports. */
  groups: number;
  /** The records in them. */
  records: Set<ExportRecord>;
}

/** The small groups among the records a partner file would hold (deleted reports never are). */
export function smallGroupsOf(records: Iterable<ExportRecord>): SmallGroups {
  const byGroup = new Map<string, ExportRecord[]>();
  for (const r of records) {
    if (r.deleted === true) continue;
    const key = groupOf(r);
    const list = byGroup.get(key);
    if (list) list.push(r);
    else byGroup.set(key, [r]);
  }
  // A duplicate repeats an event already counted, as in the aggregate; its row goes with its group.
  const small = [...byGroup.values()].filter((list) => list.filter((r) => r.verification !== 'duplicate').length < MIN_REPORTS_PER_CELL);
  return { groups: small.length, records: new Set(small.flat()) };
}

/** How many small groups, and how many rows they hold: what the coordinator is told before choosing. */
export interface SmallGroupCount {
  groups: number;
  rows: number;
}

export function countSmallGroups(records: Iterable<ExportRecord>): SmallGroupCount {
  const small = smallGroupsOf(records);
  return { groups: small.groups, rows: small.records.size };
}

/** Columns that place a report more finely than its governorate: districts and below, place names, points. */
const FINER_THAN_ADMIN_1 = REPORT_COLUMNS.filter(
  (c) => (c.adminLevel !== undefined && c.adminLevel > 1) || c.item === 'point' || c.name.endsWith('loc_name'),
).map((c) => c.name);

function atAdmin1(record: ExportRecord): ExportRecord {
  const out: Record<string, Cell> = { ...record };
  for (const name of FINER_THAN_ADMIN_1) out[name] = null;
  return out;
}

/**
 * The records with the small groups' reports kept, reported by governorate, or left out. `small` is
 * the count already made of these same records, when the caller has one.
 */
export function withSmallGroups(
  records: readonly ExportRecord[],
  choice: SmallGroupChoice,
  small: SmallGroups = smallGroupsOf(records),
): ExportRecord[] {
  if (choice === 'keep') return [...records];
  if (choice === 'drop') return records.filter((r) => !small.records.has(r));
  return records.map((r) => (small.records.has(r) ? atAdmin1(r) : r));
}
