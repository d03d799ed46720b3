/**
 * Candidate duplicates of a report: other reports that may describe the same event, suggested to a
 * coordinator, who decides. A candidate has the same type, a place that is the same or next to it,
 * a close date and similar counts; an unknown count never rules a report out (unknown is not zero).
 *
 * One pass over every report with the cheapest tests first, so a desk of 100,000 reports is read in
 * one go; nothing is indexed ahead.
 */
import type { ReportId } from './ids.ts';
import type { ReportView } from './merge.ts';
import type { AdminAreas, FieldValues, Point } from './report.ts';

/** Points closer than this are the same place whatever their admin areas say. */
export const NEAR_METRES = 2_000;
/** Event dates (or ranges) at most this many days apart are close. */
export const CLOSE_DAYS = 3;
/** Counts within this share of the larger one, or within COUNT_SLACK, are similar. */
export const COUNT_SHARE = 0.25;
export const COUNT_SLACK = 2;
export const MAX_CANDIDATES = 5;

export const COMPARED_COUNTS = ['households', 'individuals'] as const;
export type ComparedCount = (typeof COMPARED_COUNTS)[number];

/** Why the place matches: the same sub-district, the same district (a sub-district missing on either), or points close together. */
export type PlaceMatch = { kind: 'adm3'; pcode: string } | { kind: 'adm2'; pcode: string } | { kind: 'point'; metres: number };

export interface DuplicateCandidate {
  id: ReportId;
  place: PlaceMatch;
  /** Days between the two event dates; 0 when they are the same day or their ranges overlap. */
  days: number;
  /** The counts known on both, as [this report's, the candidate's]. */
  counts: { field: ComparedCount; mine: number; theirs: number }[];
  /** Lower is closer: what the ranking sorts by. */
  distance: number;
}

const DAY_MS = 86_400_000;

function dayNumber(iso: string): number {
  return Math.floor(Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / DAY_MS);
}

/** An event date as a span of day numbers: one day, or a range from its start to its end. */
function span(date: FieldValues['eventDate'] | undefined): [number, number] | undefined {
  if (!date || typeof date.date !== 'string') return undefined;
  const start = dayNumber(date.date);
  const end = typeof date.end === 'string' ? dayNumber(date.end) : start;
  if (!Number.isFinite(start) || !Number.isFinite(end)) return undefined;
  return [start, Math.max(start, end)];
}

function daysApart(a: [number, number], b: [number, number]): number {
  return Math.max(0, a[0] - b[1], b[0] - a[1]);
}

/** Great-circle distance (haversine, mean Earth radius): good to metres at the scale of a district. */
export function metresBetween(a: Point, b: Point): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.min(1, Math.sqrt(h)));
}

function isPoint(p: unknown): p is Point {
  return typeof p === 'object' && p !== null && Number.isFinite((p as Point).lat) && Number.isFinite((p as Point).lon);
}

function placeMatch(a: AdminAreas | undefined, b: AdminAreas | undefined, pa: unknown, pb: unknown): PlaceMatch | undefined {
  const a3 = a?.adm3?.pcode;
  const b3 = b?.adm3?.pcode;
  let match: PlaceMatch | undefined;
  if (a3 && b3) {
    if (a3 === b3) match = { kind: 'adm3', pcode: a3 };
  } else {
    const a2 = a?.adm2?.pcode;
    if (a2 && a2 === b?.adm2?.pcode) match = { kind: 'adm2', pcode: a2 };
  }
  if (isPoint(pa) && isPoint(pb)) {
    const metres = metresBetween(pa, pb);
    // Two points say more than shared admin areas, which can span tens of kilometres.
    if (metres <= NEAR_METRES) return { kind: 'point', metres };
  }
  return match;
}

function similar(x: number, y: number): boolean {
  const diff = Math.abs(x - y);
  return diff <= COUNT_SLACK || diff <= COUNT_SHARE * Math.max(x, y);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** How far apart, for ranking: each criterion scaled so its limit counts 1. */
function distanceOf(c: Omit<DuplicateCandidate, 'distance'>): number {
  const place = c.place.kind === 'point' ? c.place.metres / NEAR_METRES : c.place.kind === 'adm3' ? 0.5 : 1;
  const counts = c.counts.reduce(
    (sum, k) => sum + Math.abs(k.mine - k.theirs) / Math.max(COUNT_SLACK, COUNT_SHARE * Math.max(k.mine, k.theirs)),
    0,
  );
  return place + c.days / CLOSE_DAYS + (c.counts.length ? counts / c.counts.length : 0.5);
}

/**
 * The closest candidate duplicates of `report` among `others`, at most `limit`, closest first.
 * Left out: the report itself, deleted reports, and reports already marked as a duplicate (their
 * original is the one to suggest). Access cuts must also be of the same service.
 */
export function duplicateCandidates(report: ReportView, others: Iterable<ReportView>, limit = MAX_CANDIDATES): DuplicateCandidate[] {
  const mine = report.values;
  const when = span(mine.eventDate);
  if (!report.type || !when) return [];
  const found: DuplicateCandidate[] = [];
  for (const other of others) {
    if (other.type !== report.type || other.id === report.id || other.deleted) continue;
    const theirs = other.values;
    if (theirs.verification === 'duplicate') continue;
    if (report.type === 'access_cut' && mine.service !== undefined && theirs.service !== undefined && mine.service !== theirs.service)
      continue;
    const otherWhen = span(theirs.eventDate);
    if (!otherWhen) continue;
    const days = daysApart(when, otherWhen);
    if (days > CLOSE_DAYS) continue;
    const place = placeMatch(mine.admin, theirs.admin, mine.point, theirs.point);
    if (!place) continue;
    const counts: DuplicateCandidate['counts'] = [];
    let countsAgree = true;
    for (const field of COMPARED_COUNTS) {
      const [x, y] = [mine[field], theirs[field]];
      if (!isCount(x) || !isCount(y)) continue;
      if (!similar(x, y)) {
        countsAgree = false;
        break;
      }
      counts.push({ field, mine: x, theirs: y });
    }
    if (!countsAgree) continue;
    const candidate = { id: other.id, place, days, counts };
    found.push({ ...candidate, distance: distanceOf(candidate) });
  }
  return found.sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, limit);
}
