import { describe, expect, test } from 'vitest';
import type { DeskReport } from '../../../src/app/desk/desk-reports.ts';
import { NO_FILTER, SearchCache, filterReports, indexDeskReports } from '../../../src/app/desk/filter.ts';
import { areaCounts, defaultLevel, legendSteps, placedReports, stepOf } from '../../../src/app/desk/map-data.ts';
import { areaPath, fitProjection } from '../../../src/app/desk/map-projection.ts';
import type { BoundaryArea, BoundaryLayer } from '../../../src/domain/boundaries.ts';
import type { Gazetteer } from '../../../src/domain/gazetteer.ts';
import type { ReportView } from '../../../src/domain/merge.ts';
import type { ReportType } from '../../../src/domain/report-codes.ts';
import { deviceId, reportId } from '../../ids.ts';

// Invented areas: the p-codes follow the pattern but name no real place.
const gazetteer: Gazetteer = {
  name: 'Invented',
  units: [
    { pcode: 'XA01', en: 'North', ar: 'الشمال', level: 1 },
    { pcode: 'XA0101', en: 'Hill', ar: 'التلة', level: 2, parent: 'XA01' },
    { pcode: 'XA0102', en: 'River', ar: 'النهر', level: 2, parent: 'XA01' },
    { pcode: 'XA010101', en: 'Spring', ar: 'النبع', level: 3, parent: 'XA0101' },
  ],
};

const square = (x: number, y: number): [number, number][][] => [
  [
    [x, y],
    [x + 1, y],
    [x + 1, y + 1],
    [x, y + 1],
    [x, y],
  ],
];
const area = (pcode: string, level: 1 | 2 | 3, x: number, en?: string): BoundaryArea => ({
  pcode,
  level,
  ...(en && { en }),
  polygons: [square(x, 0)],
});
const layer: BoundaryLayer = {
  name: 'invented',
  areas: [area('XA01', 1, 0, 'North'), area('XA0101', 2, 0, 'Hill'), area('XA0102', 2, 1, 'River'), area('XA0199', 2, 2, 'Empty')],
};

let seq = 0;
function report(values: ReportView['values'], type: ReportType = 'damage'): DeskReport {
  seq += 1;
  const id = reportId(`0b8f8a52-0000-7000-8000-${String(seq).padStart(12, '0')}`);
  const createdHlc = `2025-03-07T08:00:00.000Z-${seq.toString(16).padStart(4, '0')}-a1`;
  return {
    id,
    view: { id, type, values, conflicts: [], deleted: false, createdHlc, updatedHlc: createdHlc },
    device: deviceId('a1b2c3d4e5f60718'),
    unsynced: false,
  };
}

const HILL = { adm1: { pcode: 'XA01' }, adm2: { pcode: 'XA0101' } };
const RIVER_BY_NAME = { adm2: { ar: 'النهر' } };
const reports = [
  report({ admin: HILL, point: { lat: 0.5, lon: 0.5 } }),
  report({ admin: HILL }, 'displacement'),
  report({ admin: RIVER_BY_NAME }),
  report({ admin: { adm2: { pcode: 'XA0177' } } }),
  report({ placeName: 'no admin area', point: { lat: 0.2, lon: 2.5 } }),
  report({ admin: { adm3: { pcode: 'XA010101' } } }),
];
const index = indexDeskReports(reports, new SearchCache(), gazetteer);

describe('reports counted by the areas of the boundary layer', () => {
  test('each area of the level gets its reports, every report is counted once, and those the layer cannot place are said apart', () => {
    const counts = areaCounts(index, layer, 2);
    expect(counts.areas.map((a) => [a.area.pcode, a.count])).toEqual([
      ['XA0101', 3],
      ['XA0102', 1],
      ['XA0199', 0],
    ]);
    expect(counts.noArea).toBe(1);
    expect(counts.notInLayer).toBe(1);
    const total = counts.areas.reduce((n, a) => n + a.count, 0) + counts.noArea + counts.notInLayer;
    expect(total).toBe(reports.length);
  });

  test('the counts follow the filter the list uses', () => {
    const shown = filterReports(index, { ...NO_FILTER, type: 'displacement' });
    expect(areaCounts(shown, layer, 2).areas.map((a) => a.count)).toEqual([1, 0, 0]);
  });

  test('at a level the layer lacks, no area is drawn and every placed report is outside the layer', () => {
    const counts = areaCounts(index, layer, 3);
    expect(counts.areas).toEqual([]);
    expect(counts.notInLayer).toBe(1);
    expect(counts.noArea).toBe(5);
  });

  test('the map opens at the deepest level of the layer that has a report', () => {
    expect(defaultLevel(index, layer)).toBe(2);
    expect(defaultLevel([], layer)).toBe(2);
    expect(defaultLevel(index, { name: 'one', areas: [area('XA01', 1, 0)] })).toBe(1);
    expect(defaultLevel(index, { name: 'none', areas: [] })).toBeUndefined();
  });

  test('the reports with a point are the dots', () => {
    expect(placedReports(index).map((p) => p.point)).toEqual([
      { lat: 0.2, lon: 2.5 },
      { lat: 0.5, lon: 0.5 },
    ]);
  });
});

describe('the legend', () => {
  test('no reports, then up to four equal ranges reaching the largest count', () => {
    expect(legendSteps(0)).toEqual([{ from: 0, to: 0 }]);
    expect(legendSteps(3)).toEqual([
      { from: 0, to: 0 },
      { from: 1, to: 1 },
      { from: 2, to: 2 },
      { from: 3, to: 3 },
    ]);
    const steps = legendSteps(10);
    expect(steps).toEqual([
      { from: 0, to: 0 },
      { from: 1, to: 3 },
      { from: 4, to: 6 },
      { from: 7, to: 9 },
      { from: 10, to: 10 },
    ]);
    expect([0, 1, 3, 4, 10].map((n) => stepOf(steps, n))).toEqual([0, 1, 1, 2, 4]);
  });
});

describe('the projection', () => {
  test('fits the areas in the width asked, north up, keeping their shape at that latitude', () => {
    const areas = [area('XA01', 1, 0), area('XA02', 1, 1)];
    const p = fitProjection(areas, 400);
    const [x0, y0] = p.project(0, 1);
    const [x1, y1] = p.project(2, 0);
    expect(x0).toBeLessThan(x1);
    expect(y0).toBeLessThan(y1);
    expect(x1).toBeLessThanOrEqual(400);
    // Two degrees wide, one tall, near the equator: about twice as wide as tall.
    expect((x1 - x0) / (y1 - y0)).toBeCloseTo(2, 1);
    expect(areaPath(areas[0]!, p)).toMatch(/^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){4}Z$/);
  });
});
