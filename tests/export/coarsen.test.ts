import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { coarsenDate, isoWeekOf, snapToGrid, type LatLon } from '../../src/export/coarsen.ts';

/** Great-circle distance in km. */
function distanceKm(a: LatLon, b: LatLon): number {
  const rad = Math.PI / 180;
  const h =
    Math.sin(((b.lat - a.lat) * rad) / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(((b.lon - a.lon) * rad) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

describe('dates by ISO week', () => {
  test.each([
    ['2025-03-08', '2025-W10'], // a Saturday
    ['2025-03-03', '2025-W10'], // its Monday
    ['2025-03-10', '2025-W11'],
    ['2024-12-30', '2025-W01'], // the week's year is the Thursday's
    ['2021-01-03', '2020-W53'],
    ['2026-12-31', '2026-W53'],
  ])('%s is in %s', (date, week) => {
    expect(isoWeekOf(date)).toBe(week);
  });

  test('a timestamp is coarsened to its UTC day or week', () => {
    expect(coarsenDate('2025-03-08T22:10:00.000Z', 'day')).toBe('2025-03-08');
    expect(coarsenDate('2025-03-09T22:10:00.000Z', 'week')).toBe('2025-W10');
    expect(coarsenDate('not a date', 'week')).toBeNull();
  });
});

describe('points on a grid', () => {
  const coast = fc.record({ lat: fc.double({ min: 34.5, max: 36.5, noNaN: true }), lon: fc.double({ min: 35.5, max: 36.5, noNaN: true }) });
  const km = fc.constantFrom(1, 2, 5, 10);

  test('a snapped point stays within half a cell diagonal of the original, and moves off an exact house', () => {
    fc.assert(
      fc.property(coast, km, (p, size) => {
        const c = snapToGrid(p, size);
        expect(distanceKm(p, c)).toBeLessThanOrEqual((size * Math.SQRT2) / 2 + 0.01);
      }),
    );
    expect(snapToGrid({ lat: 35.36214, lon: 36.08417 }, 5)).not.toEqual({ lat: 35.36214, lon: 36.08417 });
  });

  test('snapping a cell centre gives the same centre: nothing finer is left to recover', () => {
    fc.assert(
      fc.property(coast, km, (p, size) => {
        const c = snapToGrid(p, size);
        expect(snapToGrid(c, size)).toEqual(c);
      }),
    );
  });

  test('two houses a few hundred metres apart fall in one 5 km cell', () => {
    expect(snapToGrid({ lat: 35.40327, lon: 35.98561 }, 5)).toEqual(snapToGrid({ lat: 35.40291, lon: 35.98702 }, 5));
  });

  test('cells are about as wide as they are tall on the Syrian coast', () => {
    const a = snapToGrid({ lat: 35.4, lon: 35.9 }, 5);
    const east = snapToGrid({ lat: a.lat, lon: a.lon + 0.06 }, 5);
    const north = snapToGrid({ lat: a.lat + 0.05, lon: a.lon }, 5);
    expect(distanceKm(a, east)).toBeCloseTo(5, 0);
    expect(distanceKm(a, north)).toBeCloseTo(5, 0);
  });
});
