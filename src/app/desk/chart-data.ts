/**
 * The numbers behind the desk's charts, from merged report views: reports per day by type, people
 * displaced by admin area, and the access cuts still going on. Pure: the views and the moment to count
 * "now" from come in, series go out; the screen draws them and the tests check them.
 *
 * Deleted reports and reports of a type this app does not know are never counted. Unknown is not
 * zero: a displacement report without a count of individuals adds a report to its area, not a person.
 */
import type { AdminLookup } from '../../domain/gazetteer.ts';
import type { Lang } from '../../domain/lang.ts';
import type { ReportView } from '../../domain/merge.ts';
import { REPORT_TYPES, SERVICES, type ReportType } from '../../domain/report-codes.ts';
import type { AdminAreas, AdminRef, FieldValues } from '../../domain/report.ts';

export type Service = (typeof SERVICES)[number];

const DAY_MS = 86_400_000;

/**
 * The device's calendar date: event dates are typed as the monitor's own calendar shows them, so
 * "today" is local too, as the report form counts it.
 */
export function localDay(now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}

function dayNumber(iso: string): number {
  return Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
}

function isoOfDay(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from one ISO date to another; negative when `to` comes first. */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

const counted = (v: ReportView): v is ReportView & { type: ReportType } => !v.deleted && v.type !== undefined;

// ----- 1. reports per day by type -----

export interface DayRange {
  from: string;
  to: string;
}

export interface DayCounts {
  date: string;
  counts: Record<ReportType, number>;
  total: number;
}

export interface ReportsPerDay {
  /** The days shown, oldest first; undefined when no report has a date to count. */
  range?: DayRange;
  days: DayCounts[];
  /** Reports counted in the range. */
  total: number;
  /** Reports with an event date outside the range. */
  outside: number;
}

/** What the chart shows unless a range is chosen: at most 30 days, ending on the latest day with a report. */
export const DEFAULT_DAYS = 30;
/** A year of daily bars; a longer range chosen is cut to its last year. */
export const MAX_DAYS = 366;

const zeroCounts = (): Record<ReportType, number> => Object.fromEntries(REPORT_TYPES.map((t) => [t, 0])) as Record<ReportType, number>;

/**
 * Counted by the day the event happened (the start of a date range), since that is what a coordinator
 * looks for in a burst of reports. Without a chosen range: at most 30 days, from the first day with a
 * report to the latest event date (never later than today, so one report from a device with a wrong
 * clock cannot hide the rest).
 */
export function reportsPerDay(views: readonly ReportView[], now: Date, chosen?: Partial<DayRange>): ReportsPerDay {
  const dated = views.filter(counted).filter((v) => v.values.eventDate !== undefined);
  const today = localDay(now);
  const known = dated.map((v) => v.values.eventDate!.date).filter((d) => d <= today);
  const latest = known.reduce<string | undefined>((max, d) => (max === undefined || d > max ? d : max), undefined);
  let from = chosen?.from;
  let to = chosen?.to ?? (from !== undefined ? today : latest);
  if (to === undefined) return { days: [], total: 0, outside: dated.length };
  if (from === undefined) {
    const earliest = isoOfDay(dayNumber(to) - (DEFAULT_DAYS - 1));
    from = known.reduce((min, d) => (d >= earliest && d < min ? d : min), to);
  }
  if (from > to) [from, to] = [to, from];
  if (daysBetween(from, to) >= MAX_DAYS) from = isoOfDay(dayNumber(to) - (MAX_DAYS - 1));

  const first = dayNumber(from);
  const days: DayCounts[] = [];
  for (let n = first; n <= dayNumber(to); n++) days.push({ date: isoOfDay(n), counts: zeroCounts(), total: 0 });
  let total = 0;
  for (const v of dated) {
    const day = days[dayNumber(v.values.eventDate!.date) - first];
    if (!day) continue;
    day.counts[v.type]++;
    day.total++;
    total++;
  }
  return { range: { from, to }, days, total, outside: dated.length - total };
}

// ----- areas -----

export type AreaKey = string;

/** The admin area a report is counted under: its district, else whatever level it names. */
function areaRefOf(areas: AdminAreas | undefined): AdminRef | undefined {
  return areas?.adm2 ?? areas?.adm3 ?? areas?.adm1;
}

/** One key per area: its p-code, else its name, so the same area named twice is one bar. */
function areaKey(ref: AdminRef): AreaKey {
  if (ref.pcode !== undefined) return `pcode:${ref.pcode}`;
  return `name:${(ref.en ?? ref.ar ?? '').trim().toLocaleLowerCase('en')}`;
}

/** The names every report and the gazetteer know for an area, together. */
function withNames(ref: AdminRef, known: AdminRef | undefined, lookup: AdminLookup | undefined): AdminRef {
  const found = ref.pcode !== undefined ? lookup?.(ref.pcode) : undefined;
  return {
    ...(ref.pcode !== undefined ? { pcode: ref.pcode } : {}),
    ...pickName('en', ref, known, found),
    ...pickName('ar', ref, known, found),
  };
}

function pickName(lang: Lang, ...refs: (AdminRef | undefined)[]): Partial<AdminRef> {
  const name = refs.find((r) => r?.[lang] !== undefined)?.[lang];
  return name === undefined ? {} : { [lang]: name };
}

// ----- 2. people displaced by admin area -----

export interface PeopleCounts {
  individuals: number;
  households: number;
  reports: number;
  /** Reports that gave no count of individuals, or of households: unknown, so not in the sums. */
  withoutIndividuals: number;
  withoutHouseholds: number;
}

export type AreaPeople = PeopleCounts &
  ({ kind: 'area'; key: AreaKey; area: AdminRef } | { kind: 'other'; areas: number } | { kind: 'unknown' });

export interface PeopleByArea {
  /** The largest areas, most individuals first, then the rest summed as "other areas", then reports with no area. */
  rows: AreaPeople[];
  total: PeopleCounts;
}

export const TOP_AREAS = 15;

const noPeople = (): PeopleCounts => ({ individuals: 0, households: 0, reports: 0, withoutIndividuals: 0, withoutHouseholds: 0 });

function addPeople(into: PeopleCounts, v: Partial<FieldValues>): void {
  into.reports++;
  if (v.individuals === undefined) into.withoutIndividuals++;
  else into.individuals += v.individuals;
  if (v.households === undefined) into.withoutHouseholds++;
  else into.households += v.households;
}

function sumPeople(rows: readonly PeopleCounts[]): PeopleCounts {
  const sum = noPeople();
  for (const r of rows) {
    sum.individuals += r.individuals;
    sum.households += r.households;
    sum.reports += r.reports;
    sum.withoutIndividuals += r.withoutIndividuals;
    sum.withoutHouseholds += r.withoutHouseholds;
  }
  return sum;
}

const byPeople = (a: PeopleCounts & { key: string }, b: PeopleCounts & { key: string }) =>
  b.individuals - a.individuals || b.households - a.households || b.reports - a.reports || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * Displacement reports by the district people fled from (the origin's admin area), or the report's own
 * area when it names no origin area: a chart of where people are leaving.
 */
export function peopleDisplacedByArea(views: readonly ReportView[], opts: { top?: number; lookup?: AdminLookup } = {}): PeopleByArea {
  const top = opts.top ?? TOP_AREAS;
  const areas = new Map<AreaKey, PeopleCounts & { key: AreaKey; area: AdminRef }>();
  const unknown = noPeople();
  for (const v of views) {
    if (!counted(v) || v.type !== 'displacement') continue;
    const ref = areaRefOf(v.values.origin?.admin) ?? areaRefOf(v.values.admin);
    if (!ref) {
      addPeople(unknown, v.values);
      continue;
    }
    const key = areaKey(ref);
    const entry = areas.get(key) ?? { ...noPeople(), key, area: ref };
    entry.area = withNames(ref, entry.area, opts.lookup);
    addPeople(entry, v.values);
    areas.set(key, entry);
  }
  const sorted = [...areas.values()].sort(byPeople);
  const rows: AreaPeople[] = sorted.slice(0, top).map(({ key, area, ...people }) => ({ kind: 'area', key, area, ...people }));
  const rest = sorted.slice(top);
  if (rest.length > 0) rows.push({ kind: 'other', areas: rest.length, ...sumPeople(rest) });
  if (unknown.reports > 0) rows.push({ kind: 'unknown', ...unknown });
  return { rows, total: sumPeople([...sorted, unknown]) };
}

// ----- 3. access cuts ongoing now -----

export type CutPlace = { kind: 'area'; area: AdminRef } | { kind: 'place'; name: string } | { kind: 'unknown' };

export interface OngoingCut {
  service: Service;
  place: CutPlace;
  /** The earliest start any report of this service and place gives. */
  since: string;
  /** Whole days from `since` to today: 0 for a cut that started today. */
  days: number;
  /** `cut` when any report says so, else `partial`. */
  state: 'cut' | 'partial';
  reports: number;
}

/**
 * Ongoing now: its service is cut or partial, it has started, and its period has no end or ends after
 * today. A report without a period counts from its event date. Reports of one service in one area are
 * one cut, lasting since the earliest of them; the longest cuts come first.
 */
export function ongoingCuts(views: readonly ReportView[], now: Date, opts: { lookup?: AdminLookup } = {}): OngoingCut[] {
  const today = localDay(now);
  const cuts = new Map<string, OngoingCut>();
  for (const v of views) {
    if (!counted(v) || v.type !== 'access_cut') continue;
    const { service, serviceState, period, eventDate } = v.values;
    if (service === undefined || (serviceState !== 'cut' && serviceState !== 'partial')) continue;
    const since = period?.since ?? eventDate?.date;
    if (since === undefined || since > today) continue;
    if (period?.until !== undefined && period.until <= today) continue;
    const ref = areaRefOf(v.values.admin);
    const placeName = v.values.placeName?.trim();
    const [placeKey, place]: [string, CutPlace] = ref
      ? [areaKey(ref), { kind: 'area', area: ref }]
      : placeName
        ? [`place:${placeName.toLocaleLowerCase('en')}`, { kind: 'place', name: placeName }]
        : ['unknown', { kind: 'unknown' }];
    const key = `${service}\u0000${placeKey}`;
    const cut = cuts.get(key);
    if (!cut) {
      const named: CutPlace = place.kind === 'area' ? { kind: 'area', area: withNames(place.area, undefined, opts.lookup) } : place;
      cuts.set(key, { service, place: named, since, days: daysBetween(since, today), state: serviceState, reports: 1 });
      continue;
    }
    cut.reports++;
    if (since < cut.since) {
      cut.since = since;
      cut.days = daysBetween(since, today);
    }
    if (serviceState === 'cut') cut.state = 'cut';
    if (place.kind === 'area' && cut.place.kind === 'area')
      cut.place = { kind: 'area', area: withNames(place.area, cut.place.area, opts.lookup) };
  }
  const serviceOrder = (s: Service) => SERVICES.indexOf(s);
  return [...cuts.entries()]
    .sort(([ka, a], [kb, b]) => b.days - a.days || serviceOrder(a.service) - serviceOrder(b.service) || (ka < kb ? -1 : ka > kb ? 1 : 0))
    .map(([, cut]) => cut);
}

// ----- axes -----

/** Round steps for a value axis (1, 2 or 5 times a power of ten), whole numbers only: the charts count reports, people and days. */
export function valueTicks(max: number, wanted = 4): number[] {
  if (max <= 0) return [0, 1];
  const rough = max / wanted;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = Math.max(
    1,
    [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough)!,
  );
  const ticks: number[] = [];
  for (let v = 0; v < max + step; v += step) ticks.push(v);
  return ticks;
}
