/**
 * The desk list's filters and search, as pure functions over the desk's reports: no DOM, no Dexie.
 *
 * Each report is indexed once per change of the data (`indexDeskReports`): its folded search text,
 * its area keys and its event dates. Typing a query then only runs substring tests over that index,
 * which keeps 100,000 reports responsive. Filters and the query live in the screen's state and never
 * in a URL or a stored index: they often name a place or a person.
 */
import { foldArabic } from '../../domain/arabic-search.ts';
import { normalizeDigits } from '../../domain/digits.ts';
import { areaLabel, type AdminLevel, type AdminUnit, type Gazetteer } from '../../domain/gazetteer.ts';
import type { Lang } from '../../domain/lang.ts';
import type { ReportView } from '../../domain/merge.ts';
import type { AdminAreas, AdminRef, FieldValues } from '../../domain/report.ts';
import { REPORT_TYPES, VERIFICATION_STATUSES, type ReportType } from '../../domain/report-codes.ts';
import type { DeskReport } from './desk-reports.ts';

export type VerificationStatus = FieldValues['verification'];

/** What the coordinator asked for. An empty string (or false) means "any". */
export interface DeskFilter {
  type: ReportType | '';
  /** Area keys (`ResolvedArea.key`) of the governorate and the district. */
  adm1: string;
  adm2: string;
  /** Event date bounds, ISO `YYYY-MM-DD`, both inclusive. */
  from: string;
  to: string;
  verification: VerificationStatus | '';
  /** A device id, `UNKNOWN_DEVICE` for reports whose create op has not arrived, or '' for any. */
  device: string;
  conflict: boolean;
  /** Only reports filed under no admin area: a partner's file gives them no place. */
  noArea: boolean;
  query: string;
}

export const NO_FILTER: DeskFilter = {
  type: '',
  adm1: '',
  adm2: '',
  from: '',
  to: '',
  verification: '',
  device: '',
  conflict: false,
  noArea: false,
  query: '',
};

/** Device ids are letters, digits, `_` and `-` (deviceIdSchema), so this can never be one. */
export const UNKNOWN_DEVICE = '?';

export function isNoFilter(f: DeskFilter): boolean {
  return (Object.keys(NO_FILTER) as (keyof DeskFilter)[]).every((k) => (k === 'query' ? f.query.trim() === '' : f[k] === NO_FILTER[k]));
}

// ----- search -----

// Each step runs only on text that needs it: folding 100,000 reports' narratives is the index's main cost.
const OTHER_DIGITS = /[\u0660-\u0669\u06f0-\u06f9\u066b\u066c\u2212]/;
const ACCENTED_LATIN = /[\u00c0-\u024f\u1e00-\u1eff]/;

function fold(text: string): string {
  const digits = OTHER_DIGITS.test(text) ? normalizeDigits(text) : text;
  const folded = foldArabic(digits.toLowerCase());
  return ACCENTED_LATIN.test(folded)
    ? folded
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .normalize('NFC')
    : folded;
}

/**
 * Both the query and the text go through this: lower case, Arabic folded (harakat, tatweel, hamza
 * forms, ة/ه, ى/ي), Eastern Arabic digits as Western ones, Latin accents dropped, every run of white
 * space one space.
 */
export function foldForSearch(text: string): string {
  return fold(text).replace(/\s+/g, ' ').trim();
}

/** The same fold over a report's whole search text in one pass, its line breaks (one field a line) kept. */
export function foldSearchText(text: string): string {
  const folded = fold(text).replace(/[^\S\n]+/g, ' ');
  // The replaces leave the text in pieces, which V8 joins at its first search: at 100,000 reports
  // that made the first letter typed 0.4 s slower than the next ones, and held every piece in the
  // heap meanwhile. Reading a character joins it now, while the index is made.
  folded.charCodeAt(0);
  return folded;
}

/** Every word of the query must appear somewhere in the report, in any order. */
export function searchTerms(query: string): string[] {
  const folded = foldForSearch(query);
  return folded === '' ? [] : [...new Set(folded.split(' '))];
}

function adminNames(areas: AdminAreas | undefined): (string | undefined)[] {
  if (!areas) return [];
  return [areas.adm1, areas.adm2, areas.adm3].flatMap((r) => [r?.ar, r?.en]);
}

/**
 * The free text of a report, unfolded: place name, admin names in both languages, narrative, source
 * details, origin and destination, one line each. Coded values are left out: the filters cover them.
 */
export function searchSource(view: ReportView): string {
  const v = view.values;
  return [
    v.placeName,
    ...adminNames(v.admin),
    v.narrative,
    v.sourceDetail,
    v.origin?.name,
    ...adminNames(v.origin?.admin),
    v.destination?.name,
    ...adminNames(v.destination?.admin),
  ]
    .filter((s): s is string => typeof s === 'string' && s !== '')
    .join('\n');
}

/**
 * Folded texts by report id, checked against the unfolded source: a re-read of the reports (every
 * sync) makes new view objects, yet only a report whose text changed is folded again. An edit that
 * only clears a field need not move `updatedHlc`, so the text itself is the key, not the clock.
 */
export class SearchCache {
  private readonly entries = new Map<string, { source: string; folded: string }>();
  /** Each report's index entry, by the desk report object: the desk keeps an unchanged report's object. */
  private indexedBy = new WeakMap<DeskReport, IndexedReport>();
  private indexedFor: Gazetteer | undefined;

  /** The fold is a parameter so a test can count how often it runs. */
  constructor(private readonly fold: (text: string) => string = foldSearchText) {}

  folded(view: ReportView): string {
    const source = searchSource(view);
    const hit = this.entries.get(view.id);
    if (hit && hit.source === source) return hit.folded;
    const folded = this.fold(source);
    this.entries.set(view.id, { source, folded });
    return folded;
  }

  /** The index entry of `report`, built again only for a new object or another gazetteer. */
  indexed(report: DeskReport, gazetteer: Gazetteer | undefined, build: () => IndexedReport): IndexedReport {
    if (gazetteer !== this.indexedFor) {
      this.indexedBy = new WeakMap();
      this.indexedFor = gazetteer;
    }
    let entry = this.indexedBy.get(report);
    if (!entry) {
      entry = build();
      this.indexedBy.set(report, entry);
    }
    return entry;
  }

  /** Drops reports no longer present, so the cache never outgrows the data. */
  keepOnly(ids: ReadonlySet<string>): void {
    for (const id of this.entries.keys()) if (!ids.has(id)) this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }
}

// ----- places -----

export interface ResolvedArea {
  key: string;
  pcode?: string;
  en?: string;
  ar?: string;
}

/** The gazetteer looked up by p-code and by folded name, built once per index, not once per report. */
export interface PlaceLookup {
  byPcode: ReadonlyMap<string, AdminUnit>;
  byName: ReadonlyMap<string, AdminUnit>;
}

export function placeLookup(g: Gazetteer | undefined): PlaceLookup {
  const byPcode = new Map<string, AdminUnit>();
  const byName = new Map<string, AdminUnit>();
  for (const u of g?.units ?? []) {
    byPcode.set(u.pcode, u);
    for (const name of [u.ar, u.en]) {
      const key = `${u.level}:${foldForSearch(name)}`;
      // Two units of one level and one name: the first (in p-code order) stands for both.
      if (!byName.has(key)) byName.set(key, u);
    }
  }
  return { byPcode, byName };
}

/**
 * One key per area, however a report names it: its p-code, else the p-code of the gazetteer unit of
 * that name, else the folded name itself, so "جبلة" and "جبله" typed by two monitors are one choice.
 */
export function resolveArea(ref: AdminRef | undefined, level: AdminLevel, places: PlaceLookup): ResolvedArea | undefined {
  if (!ref) return undefined;
  // Names are folded only for an area given without a p-code: most reports carry one.
  const names = ref.pcode ? [] : [ref.ar, ref.en].filter((n): n is string => n !== undefined).map(foldForSearch);
  const unit = ref.pcode
    ? places.byPcode.get(ref.pcode)
    : names.map((n) => places.byName.get(`${level}:${n}`)).find((u) => u !== undefined);
  const pcode = ref.pcode ?? unit?.pcode;
  const en = ref.en ?? unit?.en;
  const ar = ref.ar ?? unit?.ar;
  const key = pcode ?? `name:${names[0] ?? ''}`;
  return { key, ...(pcode && { pcode }), ...(en && { en }), ...(ar && { ar }) };
}

/** A report filed under a district or sub-district alone still belongs to the areas above it, when the gazetteer knows them. */
function parentArea(child: ResolvedArea | undefined, places: PlaceLookup): ResolvedArea | undefined {
  const parent = child?.pcode ? places.byPcode.get(child.pcode)?.parent : undefined;
  const unit = parent ? places.byPcode.get(parent) : undefined;
  return unit ? { key: unit.pcode, pcode: unit.pcode, en: unit.en, ar: unit.ar } : undefined;
}

// ----- the index -----

export interface IndexedReport {
  report: DeskReport;
  /** Folded search text, fields separated by line breaks. */
  text: string;
  adm1?: ResolvedArea;
  adm2?: ResolvedArea;
  /** The sub-district, as the map counts reports by it. */
  adm3?: ResolvedArea;
  /** First and last day of the event (the same day unless a range). */
  dateFrom?: string;
  dateTo?: string;
  verification: VerificationStatus;
  device: string;
  conflict: boolean;
  /** Filed under no admin area at any level. */
  noArea: boolean;
}

/** Filed under no admin area at any level: a partner's file can place it only by a point. */
export function hasNoAdminArea(admin: AdminAreas | undefined): boolean {
  return !admin?.adm1 && !admin?.adm2 && !admin?.adm3;
}

/**
 * A report that was deleted stays off the list, as on a phone's list, unless the delete crossed an
 * edit it did not see: that is a conflict for a coordinator to decide.
 */
export function isListed(view: ReportView): boolean {
  return !view.deleted || view.conflicts.length > 0;
}

/** Newest first by creation (HLC strings sort by time); the id breaks ties so the order is stable. */
export function newestFirst(a: DeskReport, b: DeskReport): number {
  const ha = a.view.createdHlc ?? '';
  const hb = b.view.createdHlc ?? '';
  if (ha !== hb) return ha < hb ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function eventDays(d: FieldValues['eventDate'] | undefined): { dateFrom?: string; dateTo?: string } {
  if (!d) return {};
  return { dateFrom: d.date, dateTo: d.end ?? d.date };
}

function verificationOf(view: ReportView): VerificationStatus {
  const v = view.values.verification;
  return v && (VERIFICATION_STATUSES as readonly string[]).includes(v) ? v : 'unverified';
}

export function indexDeskReports(reports: readonly DeskReport[], cache: SearchCache, gazetteer?: Gazetteer): IndexedReport[] {
  const places = placeLookup(gazetteer);
  const listed = reports.filter((r) => isListed(r.view)).sort(newestFirst);
  cache.keepOnly(new Set(listed.map((r) => r.id)));
  return listed.map((report) => cache.indexed(report, gazetteer, () => indexOne(report, cache, places)));
}

function indexOne(report: DeskReport, cache: SearchCache, places: ReturnType<typeof placeLookup>): IndexedReport {
  const { view } = report;
  const admin = view.values.admin;
  const adm2 = resolveArea(admin?.adm2, 2, places) ?? parentArea(resolveArea(admin?.adm3, 3, places), places);
  const adm1 = resolveArea(admin?.adm1, 1, places) ?? parentArea(adm2, places);
  const adm3 = resolveArea(admin?.adm3, 3, places);
  return {
    report,
    text: cache.folded(view),
    ...(adm1 && { adm1 }),
    ...(adm2 && { adm2 }),
    ...(adm3 && { adm3 }),
    ...eventDays(view.values.eventDate),
    verification: verificationOf(view),
    device: report.device || UNKNOWN_DEVICE,
    conflict: view.conflicts.length > 0,
    noArea: hasNoAdminArea(admin),
  };
}

// ----- filtering -----

/** The predicate for one filter; the query is folded once here, not once per report. */
export function matcher(f: DeskFilter): (r: IndexedReport) => boolean {
  const terms = searchTerms(f.query);
  return (r) =>
    (f.type === '' || r.report.view.type === f.type) &&
    (f.adm1 === '' || r.adm1?.key === f.adm1) &&
    (f.adm2 === '' || r.adm2?.key === f.adm2) &&
    // A range of days matches when it overlaps the asked range; a report with no date cannot.
    (f.from === '' || (r.dateTo !== undefined && r.dateTo >= f.from)) &&
    (f.to === '' || (r.dateFrom !== undefined && r.dateFrom <= f.to)) &&
    (f.verification === '' || r.verification === f.verification) &&
    (f.device === '' || r.device === f.device) &&
    (!f.conflict || r.conflict) &&
    (!f.noArea || r.noArea) &&
    terms.every((t) => r.text.includes(t));
}

export function filterReports(index: readonly IndexedReport[], f: DeskFilter): readonly IndexedReport[] {
  return isNoFilter(f) ? index : index.filter(matcher(f));
}

// ----- order -----

/**
 * The orders the list offers. `written` is the order the list opens in: newest first by when the
 * report was written (its create op's clock), which needs nothing read beyond the reports.
 */
export const SORTS = ['written', 'receivedNewest', 'receivedOldest', 'eventNewest', 'eventOldest', 'type', 'place'] as const;
export type DeskSort = (typeof SORTS)[number];

/** Each report's place in the order the base received their create ops, for the orders by it; absent until the base has it. */
export type ReceiptRanks = ReadonlyMap<string, number>;

/** A place as the list shows it: the name typed, else the area's name in the interface language. */
export function placeShown(r: IndexedReport, lang: Lang): string {
  const v = r.report.view.values;
  return v.placeName ?? (r.adm2 && areaLabel(r.adm2, lang)) ?? (r.adm1 && areaLabel(r.adm1, lang)) ?? '';
}

/**
 * The shown reports in the order asked for; within equal keys, newest written first, as the list
 * opens. Reports with no key (no event date, no place, not yet at the base) come last, whatever the
 * direction: a missing date is not the oldest or the newest one.
 *
 * `index` is the whole list `shown` was filtered from. The whole list is put in each order once and
 * kept while the list is unchanged, so that a filter changed under an order, or a return to an order
 * met before, only picks the shown reports out of it: sorting 100,000 reports again takes tens of ms
 * on a laptop, picking them a few.
 */
export function sortReports(
  shown: readonly IndexedReport[],
  sort: DeskSort,
  lang: Lang,
  received?: ReceiptRanks,
  index: readonly IndexedReport[] = shown,
): readonly IndexedReport[] {
  if (sort === 'written') return shown;
  // A few shown of many sort faster alone than picked from the whole.
  if (shown !== index && shown.length * PICK_FROM_WHOLE < index.length) return sortedBy(shown, sort, lang, received);
  const whole = wholeOrder(index, sort, lang, received);
  if (shown === index) return whole;
  const kept = new Set(shown);
  return whole.filter((r) => kept.has(r));
}

/** Below one in this many of the whole list shown, the shown are sorted alone. */
const PICK_FROM_WHOLE = 8;

type KeptOrder = { sort: DeskSort; lang: Lang; received: ReceiptRanks | undefined; sorted: readonly IndexedReport[] };
/** Each list's orders, as long as the list lives; a new reading of the reports is a new list. */
const keptOrders = new WeakMap<readonly IndexedReport[], KeptOrder[]>();

function wholeOrder(
  index: readonly IndexedReport[],
  sort: DeskSort,
  lang: Lang,
  received: ReceiptRanks | undefined,
): readonly IndexedReport[] {
  const kept = keptOrders.get(index) ?? [];
  const found = kept.find((k) => k.sort === sort && k.lang === lang && k.received === received);
  if (found) return found.sorted;
  const sorted = sortedBy(index, sort, lang, received);
  keptOrders.set(index, [...kept, { sort, lang, received, sorted }]);
  return sorted;
}

/**
 * A comparator called over every pair a sort of 100,000 reports makes takes hundreds of ms, the
 * collator's most. So each report sorts by one number, its key's rank and then its position in the
 * list as it opens (which breaks every tie), in a typed array, which sorts natively. Numeric keys
 * (the place in the order the base received the reports, the type's place in the form) are their
 * own rank; text keys repeat (a few hundred days, places), and their distinct values are ranked
 * once. Reports with no key rank last.
 */
function sortedBy(shown: readonly IndexedReport[], sort: DeskSort, lang: Lang, received: ReceiptRanks | undefined): IndexedReport[] {
  const n = shown.length;
  const keys =
    sort === 'receivedNewest' || sort === 'receivedOldest' || sort === 'type'
      ? numericKeys(shown, sort, received)
      : textKeys(shown, sort, lang);
  const descending = sort === 'receivedNewest' || sort === 'eventNewest';
  const last = keys.ranks;
  const order = new Float64Array(n);
  for (let at = 0; at < n; at++) {
    const rank = keys.of[at]!;
    order[at] = (rank === UNRANKED ? last : descending ? last - 1 - rank : rank) * n + at;
  }
  order.sort();
  const sorted = new Array<IndexedReport>(n);
  for (let i = 0; i < n; i++) sorted[i] = shown[order[i]! % n]!;
  return sorted;
}

const UNRANKED = -1;
/** Each report's rank (UNRANKED when it has no key), and how many ranks there are. */
type Ranked = { of: Float64Array; ranks: number };

function numericKeys(shown: readonly IndexedReport[], sort: DeskSort, received: ReceiptRanks | undefined): Ranked {
  const of = new Float64Array(shown.length);
  let ranks = 0;
  shown.forEach((r, at) => {
    const type = r.report.view.type;
    // In the order the form offers the types, the same in both languages.
    const key = sort === 'type' ? (type ? REPORT_TYPES.indexOf(type) : undefined) : received?.get(r.report.id);
    of[at] = key === undefined || key < 0 ? UNRANKED : key;
    if (key !== undefined && key >= ranks) ranks = key + 1;
  });
  return { of, ranks };
}

function textKeys(shown: readonly IndexedReport[], sort: DeskSort, lang: Lang): Ranked {
  const keyOf = (r: IndexedReport): string | undefined =>
    sort === 'eventNewest' ? r.dateTo : sort === 'eventOldest' ? r.dateFrom : placeShown(r, lang) || undefined;
  const keys = shown.map(keyOf);
  const collator = sort === 'place' ? new Intl.Collator(lang) : undefined;
  const compare = collator ? collator.compare : (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const distinct = [...new Set(keys.filter((k) => k !== undefined))].sort(compare);
  // Keys the collator holds equal share a rank.
  const rankOf = new Map<string, number>();
  distinct.forEach((k, i) => rankOf.set(k, i > 0 && compare(distinct[i - 1]!, k) === 0 ? rankOf.get(distinct[i - 1]!)! : i));
  const of = new Float64Array(shown.length);
  keys.forEach((k, at) => (of[at] = k === undefined ? UNRANKED : rankOf.get(k)!));
  return { of, ranks: distinct.length };
}

// ----- choices for the filters -----

export interface Choice {
  value: string;
  count: number;
}

export interface AreaChoice extends Choice {
  area: ResolvedArea;
}

/**
 * The areas that reports on this device are filed under, with how many at each. Districts are those
 * of the chosen governorate (all of them when none is chosen). Sorted by name in the UI language.
 */
export function areaChoices(index: readonly IndexedReport[], level: 1 | 2, lang: Lang, adm1 = ''): AreaChoice[] {
  const choices = new Map<string, AreaChoice>();
  for (const r of index) {
    const area = level === 1 ? r.adm1 : r.adm2;
    if (!area || (level === 2 && adm1 !== '' && r.adm1?.key !== adm1)) continue;
    const c = choices.get(area.key);
    if (c) c.count++;
    else choices.set(area.key, { value: area.key, count: 1, area });
  }
  const collator = new Intl.Collator(lang);
  return [...choices.values()].sort((a, b) => collator.compare(areaLabel(a.area, lang), areaLabel(b.area, lang)));
}

/** Devices that created reports here, most reports first. */
export function deviceChoices(index: readonly IndexedReport[]): Choice[] {
  const counts = new Map<string, number>();
  for (const r of index) counts.set(r.device, (counts.get(r.device) ?? 0) + 1);
  return [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
}

// ----- dates typed by a person -----

export type ParsedDate = { ok: true; value: string } | { ok: false; error: 'desk.filter.dateInvalid' };

/**
 * A date bound as a coordinator types it: year-month-day with `-`, `/` or `.`, in Western, Eastern
 * Arabic or Persian digits, month and day with or without a leading zero. Empty means no bound.
 */
export function parseDateBound(text: string): ParsedDate {
  const t = normalizeDigits(text).trim();
  if (t === '') return { ok: true, value: '' };
  const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(t);
  if (!m) return { ok: false, error: 'desk.filter.dateInvalid' };
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d)
    return { ok: false, error: 'desk.filter.dateInvalid' };
  return { ok: true, value: `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}` };
}
