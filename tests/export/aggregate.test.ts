import { describe, expect, test } from 'vitest';
import { AGGREGATE_LEVEL, MIN_REPORTS_PER_CELL, aggregateFile, aggregateOf } from '../../src/export/aggregate.ts';
import { partnerProfile } from '../../src/export/profile.ts';
import type { ExportRow } from '../../src/export/record.ts';
import { AGGREGATE_RECORDS } from './aggregate-fixtures.ts';
import { EXPORTED_AT, MAPPING_PARTNER, WASH_KEY, WASH_PARTNER } from './fixtures.ts';

const cells = (level: 1 | 2 | 3) => aggregateOf(AGGREGATE_RECORDS, level).rows;
const key = (r: ExportRow, level: number) => `${r[`adm${level}_pcode`] ?? r[`adm${level}_name_en`] ?? '-'} ${r.week} ${r.type}`;

describe('the aggregate export by admin-2 x week x type', () => {
  test('shows a cell of exactly 5 reports and the larger ones, with their counts', () => {
    expect(cells(2).map((r) => [key(r, 2), r.reports])).toEqual([
      ['SY0602 2025-W10 damage', 5],
      ['SY1002 2025-W10 access_cut', 6],
    ]);
  });

  test('no cell under 5 is shown, in any form', () => {
    for (const level of [1, 2, 3] as const) {
      for (const r of cells(level)) expect(r.reports as number).toBeGreaterThanOrEqual(MIN_REPORTS_PER_CELL);
    }
    // The cells of exactly 4: displaced from Jablah in W10; cut off in Banyas in W11; a name-only area.
    const shown = cells(2).map((r) => key(r, 2));
    expect(shown).not.toContain('SY0602 2025-W10 displacement');
    expect(shown).not.toContain('SY1002 2025-W11 access_cut');
  });

  test('has no totals: no row for an area, a week or a type as a whole', () => {
    for (const r of cells(2)) {
      expect(r.type).not.toBeNull();
      expect(r.week).not.toBeNull();
      expect(r.adm2_pcode).not.toBeNull();
    }
    expect(Object.keys(cells(2)[0]!)).toEqual(['adm2_pcode', 'adm2_name_en', 'adm2_name_ar', 'week', 'type', 'reports']);
  });

  test('deleted reports and reports marked as duplicates are not counted', () => {
    // Jablah W10 displacement has 4 live reports plus one deleted and one duplicate: still suppressed.
    expect(cells(2).some((r) => key(r, 2) === 'SY0602 2025-W10 displacement')).toBe(false);
    // Banyas W10 access cut has 6 live reports and one duplicate: 6, not 7.
    expect(cells(2).find((r) => key(r, 2) === 'SY1002 2025-W10 access_cut')!.reports).toBe(6);
  });

  test('at admin level 3 the same reports split into cells under 5, and all of them are suppressed', () => {
    expect(cells(3)).toEqual([]);
  });

  test('at admin level 1 cells merge, and the governorate names come along', () => {
    expect(cells(1).map((r) => [key(r, 1), r.reports, r.adm1_name_ar])).toEqual([
      ['SY06 2025-W10 damage', 5, 'اللاذقية'],
      ['SY10 2025-W10 access_cut', 6, 'طرطوس'],
    ]);
  });

  test('a cell of 5 drops out when one of its reports is deleted', () => {
    const first = AGGREGATE_RECORDS.findIndex((r) => r.type === 'damage' && r.adm2_pcode === 'SY0602');
    const fewer = AGGREGATE_RECORDS.map((r, i) => (i === first ? { ...r, deleted: true } : r));
    expect(aggregateOf(fewer, 2).rows.map((r) => key(r, 2))).toEqual(['SY1002 2025-W10 access_cut']);
  });
});

describe('what an aggregate file says of the cells it left out', () => {
  const json = (profile: typeof WASH_PARTNER) =>
    JSON.parse([...aggregateFile(AGGREGATE_RECORDS, { profile, format: 'json', exportedAt: EXPORTED_AT }).chunks].join('')) as {
      profile: string;
      level: number;
      suppressedCells: number;
      records: ExportRow[];
    };

  test('the JSON says how many cells were left out, and nothing of where', () => {
    const file = json(WASH_PARTNER);
    // Undated damage in Ein Shaqaq (1), displacement in Jablah W10 (4), cut off in Banyas W11 (4), named only (4).
    expect([file.profile, file.level, file.suppressedCells]).toEqual(['wash-partner', AGGREGATE_LEVEL, 4]);
    expect(file.records).toHaveLength(2);
    expect(Object.keys(file).sort()).toEqual(['columns', 'exportedAt', 'level', 'profile', 'records', 'suppressedCells']);
  });

  test('two profiles get the same cells at the one level, so subtracting one file from the other gives back nothing', () => {
    const wash = json(WASH_PARTNER).records;
    // A profile that shares sub-districts still gets its counts at the deployment's level.
    const mapping = json(MAPPING_PARTNER).records;
    expect(mapping).toEqual(wash);
    const counts = new Map(wash.map((r) => [key(r, AGGREGATE_LEVEL), r.reports as number]));
    const recovered = mapping.filter((r) => counts.get(key(r, AGGREGATE_LEVEL)) !== r.reports);
    expect(recovered).toEqual([]);
  });

  test('a profile that shares places only down to governorates gets no counts by district', () => {
    const coarse = partnerProfile({ name: 'governorates', key: WASH_KEY, place: { by: 'admin', level: 1 } });
    expect(() => aggregateFile(AGGREGATE_RECORDS, { profile: coarse, format: 'csv', exportedAt: EXPORTED_AT })).toThrow(
      'err.aggregate.finerThanProfile',
    );
  });
});
