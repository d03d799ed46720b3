import { describe, expect, test } from 'vitest';
import { duplicateCandidates, metresBetween, type DuplicateCandidate } from '../../src/domain/duplicates.ts';
import type { ReportView } from '../../src/domain/merge.ts';
import type { AdminAreas, FieldValues, ReportType } from '../../src/domain/report.ts';
import { seededRandom } from '../seeded-random.ts';
import { reportId } from '../ids.ts';

// Invented places and numbers around Jableh; p-codes as in the sample gazetteer.
const JABLEH = { pcode: 'SY0602', en: 'Jablah', ar: 'جبلة' };
const EIN_SHARQIYEH = { pcode: 'SY060201', en: 'Ein Elsharqiyeh', ar: 'عين الشرقية' };
const QTEILBIYYEH = { pcode: 'SY060202', en: 'Qteilbiyyeh', ar: 'القطيلبية' };
const BANIYAS = { pcode: 'SY1002', en: 'Banyas', ar: 'بانياس' };
const HERE = { lat: 35.36, lon: 35.93 };
/** Degrees of latitude for a distance northwards. */
const north = (metres: number) => ({ lat: HERE.lat + metres / 111_195, lon: HERE.lon });

let n = 0;
const nextId = () => reportId(`01957a3c-3000-7000-8000-${(++n).toString(16).padStart(12, '0')}`);

function report(values: Partial<FieldValues>, opts: { type?: ReportType; id?: string; deleted?: boolean } = {}): ReportView {
  return {
    id: opts.id === undefined ? nextId() : reportId(opts.id),
    type: opts.type ?? 'displacement',
    values,
    conflicts: [],
    deleted: opts.deleted ?? false,
  };
}
const on = (date: string, end?: string): FieldValues['eventDate'] =>
  end ? { precision: 'range', date, end } : { precision: 'exact', date };
const inSub = (adm3 = EIN_SHARQIYEH, adm2 = JABLEH): AdminAreas => ({ adm2, adm3 });

/** The report others are compared with: 40 families, 200 people, in Ein Elsharqiyeh on 8 March. */
const target = report({
  eventDate: on('2025-03-08'),
  admin: inSub(),
  point: HERE,
  households: 40,
  individuals: 200,
  placeName: 'عين الشرقية',
});

const ids = (cs: DuplicateCandidate[]) => cs.map((c) => c.id);
const isCandidate = (other: ReportView, of: ReportView = target) =>
  duplicateCandidates(of, [other], Infinity).some((c) => c.id === other.id);

describe('candidate duplicates', () => {
  test('a report of the same type, sub-district and day with similar counts is suggested, with why', () => {
    const other = report({ eventDate: on('2025-03-09'), admin: inSub(), households: 42, individuals: 190 });
    expect(duplicateCandidates(target, [target, other])).toEqual([
      {
        id: other.id,
        place: { kind: 'adm3', pcode: 'SY060201' },
        days: 1,
        counts: [
          { field: 'households', mine: 40, theirs: 42 },
          { field: 'individuals', mine: 200, theirs: 190 },
        ],
        distance: expect.any(Number),
      },
    ]);
  });

  test('another type is never a candidate', () => {
    expect(isCandidate(report({ eventDate: on('2025-03-08'), admin: inSub() }, { type: 'damage' }))).toBe(false);
  });

  test.each([
    ['2025-03-05', undefined, true, 3],
    ['2025-03-11', undefined, true, 3],
    ['2025-03-04', undefined, false, undefined],
    ['2025-03-12', undefined, false, undefined],
    ['2025-03-01', '2025-03-08', true, 0],
    ['2025-02-20', '2025-03-05', true, 3],
    ['2025-02-20', '2025-03-04', false, undefined],
  ])('event date %s (to %s): candidate %s, %s days apart', (date, end, expected, days) => {
    const other = report({ eventDate: on(date, end), admin: inSub() });
    expect(isCandidate(other)).toBe(expected);
    if (expected) expect(duplicateCandidates(target, [other])[0]!.days).toBe(days);
  });

  test('ranges that overlap are close, however long they are', () => {
    const range = report({ eventDate: on('2025-03-01', '2025-03-20'), admin: inSub() });
    const other = report({ eventDate: on('2025-03-18', '2025-03-25'), admin: inSub() });
    expect(duplicateCandidates(range, [other])[0]).toMatchObject({ id: other.id, days: 0 });
  });

  test('another sub-district of the same district is not the same place, unless a sub-district is missing on either', () => {
    const neighbour = { eventDate: on('2025-03-08'), admin: inSub(QTEILBIYYEH) };
    expect(isCandidate(report(neighbour))).toBe(false);
    const districtOnly = report({ eventDate: on('2025-03-08'), admin: { adm2: JABLEH } });
    expect(duplicateCandidates(target, [districtOnly])[0]).toMatchObject({ place: { kind: 'adm2', pcode: 'SY0602' } });
    const targetWithoutSub = report({ eventDate: on('2025-03-08'), admin: { adm2: JABLEH } });
    expect(isCandidate(report(neighbour), targetWithoutSub)).toBe(true);
    expect(isCandidate(report({ eventDate: on('2025-03-08'), admin: { adm2: BANIYAS } }))).toBe(false);
  });

  test('points within about 2 km are the same place whatever the admin areas say; farther ones are not', () => {
    const near = report({ eventDate: on('2025-03-08'), admin: inSub(QTEILBIYYEH), point: north(1_900) });
    const far = report({ eventDate: on('2025-03-08'), admin: inSub(QTEILBIYYEH), point: north(2_300) });
    const [c] = duplicateCandidates(target, [near, far], Infinity);
    expect(c!.id).toBe(near.id);
    expect(c!.place.kind).toBe('point');
    expect(c!.place.kind === 'point' && Math.round(c!.place.metres)).toBe(1_900);
    expect(isCandidate(far)).toBe(false);
    // With no admin areas at all, points alone decide.
    expect(isCandidate(report({ eventDate: on('2025-03-08'), point: north(500) }))).toBe(true);
    expect(isCandidate(report({ eventDate: on('2025-03-08') }))).toBe(false);
  });

  test.each([
    [{ households: 50 }, true],
    [{ households: 54 }, false],
    [{ individuals: 160 }, true],
    [{ individuals: 150 }, true],
    [{ individuals: 149 }, false],
    [{ households: 40, individuals: 270 }, false],
    [{}, true],
  ])('counts %j: candidate %s (within 25%% of the larger one)', (counts, expected) => {
    expect(isCandidate(report({ eventDate: on('2025-03-08'), admin: inSub(), ...counts }))).toBe(expected);
  });

  test('small counts may differ by 2 even when that is more than 25%', () => {
    const few = report({ eventDate: on('2025-03-08'), admin: inSub(), households: 3 });
    expect(isCandidate(report({ eventDate: on('2025-03-08'), admin: inSub(), households: 5 }), few)).toBe(true);
    expect(isCandidate(report({ eventDate: on('2025-03-08'), admin: inSub(), households: 6 }), few)).toBe(false);
    // Unknown is not zero: a report with no count is not "far" from one with a count.
    expect(isCandidate(report({ eventDate: on('2025-03-08'), admin: inSub(), households: 0 }), few)).toBe(false);
  });

  test('deleted reports and reports already marked as duplicates are not suggested', () => {
    expect(isCandidate(report({ eventDate: on('2025-03-08'), admin: inSub() }, { deleted: true }))).toBe(false);
    const original = report({ eventDate: on('2025-03-08'), admin: inSub() });
    expect(isCandidate(report({ eventDate: on('2025-03-08'), admin: inSub(), verification: 'duplicate', duplicateOf: original.id }))).toBe(
      false,
    );
    expect(isCandidate(report({ eventDate: on('2025-03-08'), admin: inSub(), verification: 'verified' }))).toBe(true);
  });

  test('an access cut of one service is no duplicate of a cut of another', () => {
    const bread = report({ eventDate: on('2025-03-08'), admin: inSub(), service: 'bread' }, { type: 'access_cut' });
    expect(isCandidate(report({ eventDate: on('2025-03-08'), admin: inSub(), service: 'water' }, { type: 'access_cut' }), bread)).toBe(
      false,
    );
    expect(isCandidate(report({ eventDate: on('2025-03-09'), admin: inSub(), service: 'bread' }, { type: 'access_cut' }), bread)).toBe(
      true,
    );
  });

  test('a report with no event date has no candidates', () => {
    expect(duplicateCandidates(report({ admin: inSub() }), [report({ eventDate: on('2025-03-08'), admin: inSub() })])).toEqual([]);
  });

  test('the distance between two points is the great-circle one', () => {
    // Jableh to Baniyas: about 20 km along the coast.
    const apart = metresBetween({ lat: 35.3617, lon: 35.9256 }, { lat: 35.1822, lon: 35.9486 });
    expect(apart).toBeGreaterThan(19_500);
    expect(apart).toBeLessThan(20_500);
    expect(Math.round(metresBetween(HERE, north(1_000)))).toBe(1_000);
  });
});

/** Seven reports that are candidates, and how close each is. */
function planted(): { closestFirst: ReportView[] } {
  const a = report({ eventDate: on('2025-03-08'), admin: inSub(), point: north(100), households: 40, individuals: 200 });
  const b = report({ eventDate: on('2025-03-08'), admin: inSub(), households: 40 });
  const f = report({ eventDate: on('2025-03-05', '2025-03-10'), admin: inSub(), individuals: 180 });
  const c = report({ eventDate: on('2025-03-09'), admin: inSub(), households: 42 });
  const d = report({ eventDate: on('2025-03-10'), admin: { adm2: JABLEH } });
  const e = report({ eventDate: on('2025-03-11'), admin: inSub(QTEILBIYYEH), point: north(1_500), individuals: 230 });
  const g = report({ eventDate: on('2025-03-05'), admin: inSub(), households: 50 });
  return { closestFirst: [a, b, f, c, d, e, g] };
}

/** A report like the target in every way but one, chosen at random: each one of them is no candidate. */
function nearMiss(rnd: () => number): ReportView {
  const pick = Math.floor(rnd() * 8);
  const day = 8 + Math.floor(rnd() * 7) - 3;
  const base: Partial<FieldValues> = {
    eventDate: on(`2025-03-${String(day).padStart(2, '0')}`),
    admin: inSub(),
    households: 36 + Math.floor(rnd() * 9),
  };
  switch (pick) {
    case 0:
      return report(base, { type: rnd() < 0.5 ? 'damage' : 'access_cut' });
    case 1: {
      const away = 4 + Math.floor(rnd() * 400);
      const date = new Date(Date.UTC(2025, 2, 8) + (rnd() < 0.5 ? -away : away) * 86_400_000).toISOString().slice(0, 10);
      return report({ ...base, eventDate: on(date) });
    }
    case 2:
      return report({ ...base, admin: inSub(QTEILBIYYEH) });
    case 3:
      return report({ ...base, admin: inSub(QTEILBIYYEH), point: north(2_100 + rnd() * 30_000) });
    case 4:
      return report({ ...base, households: rnd() < 0.5 ? Math.floor(rnd() * 29) : 54 + Math.floor(rnd() * 500) });
    case 5:
      return report({ ...base, individuals: rnd() < 0.5 ? Math.floor(rnd() * 149) : 267 + Math.floor(rnd() * 2000) });
    case 6:
      return report(base, { deleted: true });
    default:
      return report({ ...base, verification: 'duplicate', duplicateOf: target.id });
  }
}

describe('candidate duplicates among 100,000 reports', () => {
  const rnd = seededRandom(20250308);
  const { closestFirst } = planted();
  const all: ReportView[] = [];
  for (let i = 0; i < 100_000 - closestFirst.length; i++) all.push(nearMiss(rnd));
  // The candidates sit anywhere in the list, not in the order of their closeness.
  for (const [i, r] of [...closestFirst].reverse().entries()) all.splice(Math.floor((i + 1) * (all.length / 9)), 0, r);

  test('the five closest candidates come first, closest first', () => {
    expect(all).toHaveLength(100_000);
    expect(ids(duplicateCandidates(target, all))).toEqual(ids(duplicateCandidates(target, closestFirst)));
    expect(ids(duplicateCandidates(target, all))).toEqual(closestFirst.slice(0, 5).map((r) => r.id));
  });

  test('no near miss is a candidate: without a limit, exactly the planted reports are found', () => {
    expect(ids(duplicateCandidates(target, all, Infinity))).toEqual(closestFirst.map((r) => r.id));
  });
});
