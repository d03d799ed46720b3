import { describe, expect, test } from 'vitest';
import {
  daysBetween,
  localDay,
  ongoingCuts,
  peopleDisplacedByArea,
  reportsPerDay,
  valueTicks,
  type AreaPeople,
} from '../../../src/app/desk/chart-data.ts';
import { areaLabel } from '../../../src/domain/gazetteer.ts';
import { deleteBody, mergeOps, viewOf, type ReportView } from '../../../src/domain/merge.ts';
import type { Op } from '../../../src/domain/op/op.ts';
import type { AdminRef, FieldValues } from '../../../src/domain/report.ts';
import type { ReportType } from '../../../src/domain/report-codes.ts';
import { deviceId, opId, reportId } from '../../ids.ts';

// Noon local time, so the local calendar day is the same in every time zone the tests run in.
const NOW = new Date(2026, 10, 24, 12, 0, 0);
const TODAY = '2026-11-24';

const JABLEH: AdminRef = { pcode: 'SY0602', en: 'Jableh', ar: 'جبلة' };
const BANIYAS: AdminRef = { pcode: 'SY0503', en: 'Baniyas', ar: 'بانياس' };
const QARDAHA: AdminRef = { pcode: 'SY0604', en: 'Qardaha', ar: 'القرداحة' };

let serial = 0;
function view(type: ReportType, values: Partial<FieldValues>, deleted = false): ReportView {
  serial += 1;
  return {
    id: reportId(`0b8f8a52-0000-7000-8000-${String(serial).padStart(12, '0')}`),
    type,
    values: { eventDate: { precision: 'exact', date: TODAY }, ...values },
    conflicts: [],
    deleted,
  };
}

const on = (date: string) => ({ eventDate: { precision: 'exact' as const, date } });

describe('reports per day by type', () => {
  test('counts each report on its event day, by type, over at most 30 days up to the latest report', () => {
    const views = [
      view('damage', on('2026-11-20')),
      view('damage', on('2026-11-20')),
      view('displacement', on('2026-11-20')),
      view('access_cut', { ...on('2026-11-22'), service: 'bread' }),
      view('damage', on('2026-10-01')),
      view('displacement', on('2026-10-24')),
    ];
    const series = reportsPerDay(views, NOW);
    expect(series.range).toEqual({ from: '2026-10-24', to: '2026-11-22' });
    expect(series.days).toHaveLength(30);
    expect(series.days.find((d) => d.date === '2026-11-20')).toEqual({
      date: '2026-11-20',
      counts: { displacement: 1, damage: 2, access_cut: 0 },
      total: 3,
    });
    expect(series.days.at(-1)).toEqual({ date: '2026-11-22', counts: { displacement: 0, damage: 0, access_cut: 1 }, total: 1 });
    expect(series.days[0]).toEqual({ date: '2026-10-24', counts: { displacement: 1, damage: 0, access_cut: 0 }, total: 1 });
    expect(series.total).toBe(5);
    expect(series.outside).toBe(1);
  });

  test('a date range counts on the day it started', () => {
    const series = reportsPerDay([view('displacement', { eventDate: { precision: 'range', date: '2026-11-02', end: '2026-11-09' } })], NOW);
    expect(series.range?.to).toBe('2026-11-02');
    expect(series.days.at(-1)?.counts.displacement).toBe(1);
  });

  test('deleted reports and reports of an unknown type are left out', () => {
    const unknown: ReportView = {
      id: reportId('0b8f8a52-0000-7000-8000-0000000000ff'),
      unknownType: 'curfew',
      values: on('2026-11-21'),
      conflicts: [],
      deleted: false,
    };
    const series = reportsPerDay([view('damage', on('2026-11-21')), view('damage', on('2026-11-22'), true), unknown], NOW);
    expect(series.range?.to).toBe('2026-11-21');
    expect(series.total).toBe(1);
    expect(series.days.reduce((n, d) => n + d.total, 0)).toBe(1);
  });

  test('a report dated after today does not move the window into the future', () => {
    const series = reportsPerDay(
      [view('damage', on('2026-11-19')), view('damage', on('2026-11-23')), view('damage', on('2027-01-05'))],
      NOW,
    );
    expect(series.range).toEqual({ from: '2026-11-19', to: '2026-11-23' });
    expect(series.outside).toBe(1);
  });

  test('days before the first report are not drawn, days between reports are', () => {
    const series = reportsPerDay([view('damage', on('2026-11-18')), view('displacement', on('2026-11-21'))], NOW);
    expect(series.days.map((d) => [d.date, d.total])).toEqual([
      ['2026-11-18', 1],
      ['2026-11-19', 0],
      ['2026-11-20', 0],
      ['2026-11-21', 1],
    ]);
  });

  test('a chosen range is shown whole, in order, even where it has no report', () => {
    const views = [view('damage', on('2026-11-10')), view('damage', on('2026-11-12'))];
    const series = reportsPerDay(views, NOW, { from: '2026-11-12', to: '2026-11-09' });
    expect(series.days.map((d) => d.date)).toEqual(['2026-11-09', '2026-11-10', '2026-11-11', '2026-11-12']);
    expect(series.days.map((d) => d.total)).toEqual([0, 1, 0, 1]);
  });

  test('a range with only a start runs to today, and a range longer than a year keeps its last year', () => {
    expect(reportsPerDay([], NOW, { from: '2026-11-20' }).range).toEqual({ from: '2026-11-20', to: TODAY });
    const long = reportsPerDay([], NOW, { from: '2020-01-01', to: TODAY });
    expect(long.days).toHaveLength(366);
    expect(long.range?.from).toBe('2025-11-24');
  });

  test('with no dated report there is no range and nothing to draw', () => {
    expect(reportsPerDay([view('damage', {}, true)], NOW)).toEqual({ days: [], total: 0, outside: 0 });
  });
});

describe('people displaced by admin area', () => {
  const area = (rows: AreaPeople[], pcode: string) => rows.find((r) => r.kind === 'area' && r.area.pcode === pcode);

  test('sums individuals and households by the district people came from, else the report’s own district', () => {
    const views = [
      view('displacement', { individuals: 120, households: 25, origin: { admin: { adm2: JABLEH } }, admin: { adm2: BANIYAS } }),
      view('displacement', { individuals: 30, households: 6, origin: { name: 'بيت ياشوط', admin: { adm2: JABLEH } } }),
      view('displacement', { individuals: 44, households: 9, origin: { name: 'حي القصور' }, admin: { adm2: BANIYAS } }),
      view('damage', { structures: 400, admin: { adm2: QARDAHA } }),
    ];
    const { rows, total } = peopleDisplacedByArea(views);
    expect(rows.map((r) => (r.kind === 'area' ? [r.area.en, r.individuals, r.households, r.reports] : r.kind))).toEqual([
      ['Jableh', 150, 31, 2],
      ['Baniyas', 44, 9, 1],
    ]);
    expect(total).toMatchObject({ individuals: 194, households: 40, reports: 3 });
  });

  test('a deleted report adds nobody', () => {
    const { rows } = peopleDisplacedByArea([
      view('displacement', { individuals: 10, households: 2, admin: { adm2: JABLEH } }),
      view('displacement', { individuals: 500, households: 90, admin: { adm2: JABLEH } }, true),
    ]);
    expect(area(rows, 'SY0602')).toMatchObject({ individuals: 10, households: 2, reports: 1 });
  });

  test('an unknown count is no zero: the report is counted, its people are not invented', () => {
    const { rows } = peopleDisplacedByArea([
      view('displacement', { individuals: 70, admin: { adm2: JABLEH } }),
      view('displacement', { households: 4, admin: { adm2: JABLEH } }),
    ]);
    expect(area(rows, 'SY0602')).toMatchObject({ individuals: 70, households: 4, reports: 2, withoutIndividuals: 1, withoutHouseholds: 1 });
  });

  test('the 15 largest areas come first, most people first, and the rest are summed as other areas', () => {
    const views = Array.from({ length: 18 }, (_, i) =>
      view('displacement', {
        individuals: (i + 1) * 10,
        households: i + 1,
        admin: { adm2: { pcode: `SY99${String(i).padStart(2, '0')}`, en: `Area ${i}` } },
      }),
    );
    const { rows, total } = peopleDisplacedByArea(views);
    expect(rows).toHaveLength(16);
    expect(rows.slice(0, 15).map((r) => r.individuals)).toEqual([180, 170, 160, 150, 140, 130, 120, 110, 100, 90, 80, 70, 60, 50, 40]);
    expect(rows[15]).toEqual({
      kind: 'other',
      areas: 3,
      individuals: 60,
      households: 6,
      reports: 3,
      withoutIndividuals: 0,
      withoutHouseholds: 0,
    });
    expect(total.individuals).toBe(1710);
  });

  test('reports that name no area are counted apart, after the areas', () => {
    const { rows } = peopleDisplacedByArea([
      view('displacement', { individuals: 9, placeName: 'مزرعة' }),
      view('displacement', { individuals: 5, admin: { adm2: JABLEH } }),
    ]);
    expect(rows.map((r) => [r.kind, r.individuals])).toEqual([
      ['area', 5],
      ['unknown', 9],
    ]);
  });

  test('an area keeps its Arabic and English names, from any report or from the gazetteer', () => {
    const lookup = (pcode: string) => (pcode === 'SY0503' ? BANIYAS : undefined);
    const { rows } = peopleDisplacedByArea(
      [
        view('displacement', { individuals: 8, admin: { adm2: { pcode: 'SY0602', ar: 'جبلة' } } }),
        view('displacement', { individuals: 2, admin: { adm2: { pcode: 'SY0602', en: 'Jableh' } } }),
        view('displacement', { individuals: 1, admin: { adm2: { pcode: 'SY0503' } } }),
      ],
      { lookup },
    );
    const [jableh, baniyas] = rows.map((r) => (r.kind === 'area' ? r.area : undefined));
    expect(jableh).toEqual(JABLEH);
    expect(areaLabel(jableh!, 'ar')).toBe('جبلة');
    expect(areaLabel(jableh!, 'en')).toBe('Jableh');
    expect(areaLabel(baniyas!, 'en')).toBe('Baniyas');
    expect(areaLabel(baniyas!, 'ar')).toBe('بانياس');
    expect(rows[0]?.individuals).toBe(10);
  });

  test('an area named in one language only shows that name in either, and a bare p-code shows the p-code', () => {
    expect(areaLabel({ ar: 'عين الشرقية' }, 'en')).toBe('عين الشرقية');
    expect(areaLabel({ en: 'Ain al-Sharqiyah' }, 'ar')).toBe('Ain al-Sharqiyah');
    expect(areaLabel({ pcode: 'SY060200' }, 'ar')).toBe('SY060200');
  });
});

describe('access cuts ongoing now', () => {
  const cut = (values: Partial<FieldValues>, deleted = false) => view('access_cut', { admin: { adm2: JABLEH }, ...values }, deleted);

  test('a cut with no end, or an end after today, is ongoing; one restored by today is not', () => {
    const cuts = ongoingCuts(
      [
        cut({ service: 'bread', serviceState: 'cut', period: { since: '2026-11-21' } }),
        cut({ service: 'water', serviceState: 'partial', period: { since: '2026-11-22', until: '2026-11-26' } }),
        cut({ service: 'electricity', serviceState: 'cut', period: { since: '2026-11-20', until: TODAY } }),
        cut({ service: 'fuel', serviceState: 'restored', period: { since: '2026-11-20' } }),
        cut({ service: 'health', period: { since: '2026-11-20' } }),
      ],
      NOW,
    );
    expect(cuts.map((c) => [c.service, c.state, c.since, c.days])).toEqual([
      ['bread', 'cut', '2026-11-21', 3],
      ['water', 'partial', '2026-11-22', 2],
    ]);
  });

  test('deleted reports and cuts that start after today are left out', () => {
    const cuts = ongoingCuts(
      [
        cut({ service: 'bread', serviceState: 'cut', period: { since: '2026-11-01' } }, true),
        cut({ service: 'water', serviceState: 'cut', period: { since: '2026-11-25' } }),
      ],
      NOW,
    );
    expect(cuts).toEqual([]);
  });

  test('reports of one service in one area are one cut, lasting since the earliest start, longest first', () => {
    const cuts = ongoingCuts(
      [
        cut({ service: 'bread', serviceState: 'partial', period: { since: '2026-11-22' } }),
        cut({ service: 'bread', serviceState: 'cut', period: { since: '2026-11-21' } }),
        cut({ service: 'bread', serviceState: 'cut', period: { since: '2026-11-23' }, admin: { adm2: BANIYAS } }),
        cut({ service: 'electricity', serviceState: 'cut', period: { since: '2026-11-14' }, admin: { adm2: BANIYAS } }),
      ],
      NOW,
    );
    expect(cuts.map((c) => [c.service, c.place.kind === 'area' ? c.place.area.en : c.place.kind, c.days, c.reports, c.state])).toEqual([
      ['electricity', 'Baniyas', 10, 1, 'cut'],
      ['bread', 'Jableh', 3, 2, 'cut'],
      ['bread', 'Baniyas', 1, 1, 'cut'],
    ]);
  });

  test('a cut that started today has lasted 0 days; one without a period counts from its event date', () => {
    const cuts = ongoingCuts(
      [
        cut({ service: 'telecoms', serviceState: 'cut', period: { since: TODAY } }),
        cut({ service: 'water', serviceState: 'cut', ...on('2026-11-17') }),
      ],
      NOW,
    );
    expect(cuts.map((c) => [c.service, c.days])).toEqual([
      ['water', 7],
      ['telecoms', 0],
    ]);
  });

  test('a cut with no admin area is placed by its place name, else as a place not given', () => {
    const cuts = ongoingCuts(
      [
        view('access_cut', { service: 'water', serviceState: 'cut', placeName: 'بيت ياشوط', period: { since: '2026-11-20' } }),
        view('access_cut', { service: 'water', serviceState: 'cut', period: { since: '2026-11-19' } }),
      ],
      NOW,
    );
    expect(cuts.map((c) => c.place)).toEqual([{ kind: 'unknown' }, { kind: 'place', name: 'بيت ياشوط' }]);
  });
});

describe('views as the merge makes them', () => {
  const REPORT = reportId('0b8f8a52-3f5c-7d8e-9a51-7c1f2a3b4c5d');
  const op = (id: string, kind: Op['kind'], body: Op['body'], seq: number): Op => ({
    v: 1,
    id: opId(id),
    kind,
    reportId: REPORT,
    device: deviceId('phone-jableh-01'),
    deviceSeq: seq,
    body,
  });

  test('a report deleted after it was created is in no chart', () => {
    const create = op(
      '11111111-1111-7111-8111-111111111111',
      'create',
      {
        hlc: '2026-11-22T08:00:00.000Z-0000-phone-jableh-01',
        changes: {
          type: 'access_cut',
          eventDate: { precision: 'exact', date: '2026-11-22' },
          admin: { adm2: JABLEH },
          service: 'bread',
          serviceState: 'cut',
          period: { since: '2026-11-22' },
          individuals: 300,
        },
        supersedes: {},
      },
      1,
    );
    const live = viewOf(mergeOps(REPORT, [create]));
    expect(ongoingCuts([live], NOW)).toHaveLength(1);
    expect(reportsPerDay([live], NOW).total).toBe(1);

    const del = op(
      '22222222-2222-7222-8222-222222222222',
      'edit',
      deleteBody(mergeOps(REPORT, [create]), '2026-11-23T08:00:00.000Z-0000-phone-jableh-01'),
      2,
    );
    const deleted = viewOf(mergeOps(REPORT, [create, del]));
    expect(deleted.deleted).toBe(true);
    expect(ongoingCuts([deleted], NOW)).toEqual([]);
    expect(reportsPerDay([deleted], NOW).total).toBe(0);
  });
});

describe('axes', () => {
  test('value ticks are round steps from zero to at least the largest value', () => {
    expect(valueTicks(3)).toEqual([0, 1, 2, 3]);
    expect(valueTicks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(valueTicks(10)).toEqual([0, 5, 10]);
    expect(valueTicks(1234)).toEqual([0, 500, 1000, 1500]);
    expect(valueTicks(0)).toEqual([0, 1]);
  });
});

describe('days', () => {
  test('today is the local calendar day, and days between dates are whole days across month ends', () => {
    expect(localDay(NOW)).toBe(TODAY);
    expect(daysBetween('2026-10-30', '2026-11-02')).toBe(3);
    expect(daysBetween('2026-11-02', '2026-10-30')).toBe(-3);
  });
});
