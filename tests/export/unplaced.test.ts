/**
 * Rows a partner cannot place, counted in the file as each profile writes it: a report with no admin
 * area and no point is unplaced for everyone; one with only a point is placed only where the profile
 * shares points.
 */
import { expect, test } from 'vitest';
import { INTERNAL_PROFILE } from '../../src/export/profile.ts';
import { toExportRecord, type ExportRecord } from '../../src/export/record.ts';
import { countUnplaced } from '../../src/export/unplaced.ts';
import type { ReportView } from '../../src/domain/merge.ts';
import { MAPPING_PARTNER, RECORDS, VIEWS, WASH_PARTNER } from './fixtures.ts';

function withPlace(view: ReportView, id: string, keep: { point?: boolean }): ExportRecord {
  const { admin: _admin, point, ...values } = view.values;
  const record = toExportRecord({ ...view, id: id as ReportView['id'], values: { ...values, ...(keep.point && point ? { point } : {}) } });
  if (!record) throw new Error('the fixture view must make a record');
  return record;
}

const withPoint = VIEWS.find((v) => v.values.point !== undefined && !v.deleted)!;
const nowhere = withPlace(withPoint, '0b8f8a52-0000-7000-8000-00000000aa01', {});
const pointOnly = withPlace(withPoint, '0b8f8a52-0000-7000-8000-00000000aa02', { point: true });

test('a report with neither admin area nor point is counted in every profile', () => {
  for (const profile of [INTERNAL_PROFILE, WASH_PARTNER, MAPPING_PARTNER]) {
    const alone = countUnplaced(RECORDS, profile);
    const more = countUnplaced([...RECORDS, nowhere], profile);
    expect(more).toEqual({ rows: alone.rows + 1, unplaced: alone.unplaced + 1 });
  }
});

test('a report with only a point is placed where the profile shares points, and unplaced where it does not', () => {
  expect(countUnplaced([pointOnly], INTERNAL_PROFILE).unplaced).toBe(0);
  expect(countUnplaced([pointOnly], MAPPING_PARTNER).unplaced).toBe(0);
  expect(countUnplaced([pointOnly], WASH_PARTNER).unplaced).toBe(1);
});

test('a deleted report, whose row says only that, lacks no place', () => {
  const deleted = RECORDS.filter((r) => r['deleted'] === true);
  expect(deleted.length).toBeGreaterThan(0);
  expect(countUnplaced(deleted, INTERNAL_PROFILE)).toEqual({ rows: deleted.length, unplaced: 0 });
});
