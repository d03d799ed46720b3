import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  describeFeature,
  layerLevels,
  MAX_BOUNDARY_BYTES,
  mergeLayers,
  parseBoundaries,
  type BoundaryImport,
} from '../../src/domain/boundaries.ts';
import { parseCodAbCsv } from '../../src/domain/gazetteer.ts';

const SAMPLE = readFileSync(new URL('../../public/boundaries/sample-boundaries-invented.geojson', import.meta.url), 'utf8');
const GAZETTEER = readFileSync(new URL('../../public/gazetteer/sample-gazetteer-syrian-coast.csv', import.meta.url), 'utf8');

function imported(result: BoundaryImport) {
  if (!result.ok) throw new Error(`import failed: ${JSON.stringify(result.error)}`);
  return result;
}

// Invented squares; the p-codes follow the pattern but name no real place.
const square = (x: number, y: number, size = 1) => [
  [
    [x, y],
    [x + size, y],
    [x + size, y + size],
    [x, y + size],
    [x, y],
  ],
];
const feature = (properties: Record<string, unknown> | null, geometry: unknown) => ({ type: 'Feature', properties, geometry });
const collection = (...features: unknown[]) => JSON.stringify({ type: 'FeatureCollection', features });

describe('reading a COD-AB GeoJSON layer', () => {
  test('each feature takes the deepest level whose p-code it carries, with the names of that level', () => {
    expect(describeFeature({ ADM1_PCODE: 'XA01', ADM1_EN: 'North', ADM2_PCODE: 'XA0101', ADM2_EN: 'Hill', ADM2_AR: 'التلة' })).toEqual({
      pcode: 'XA0101',
      level: 2,
      en: 'Hill',
      ar: 'التلة',
    });
    expect(describeFeature({ admin1Pcode: 'xa01', admin1Name_en: 'North' })).toEqual({ pcode: 'XA01', level: 1, en: 'North' });
    expect(describeFeature({ ADM1_EN: 'North' })).toBeUndefined();
    expect(describeFeature({ ADM1_PCODE: 'not a code' })).toBeUndefined();
  });

  test('polygons and multipolygons are read; features it cannot draw are counted as skipped', () => {
    const result = imported(
      parseBoundaries(
        collection(
          feature({ ADM1_PCODE: 'XA01', ADM1_EN: 'North', ADM1_AR: 'الشمال' }, { type: 'Polygon', coordinates: square(0, 0) }),
          feature({ ADM1_PCODE: 'XA02' }, { type: 'MultiPolygon', coordinates: [square(2, 0), square(4, 0)] }),
          feature({ ADM1_PCODE: 'XA03' }, { type: 'Point', coordinates: [1, 1] }),
          feature({ NAME: 'no p-code' }, { type: 'Polygon', coordinates: square(6, 0) }),
          feature(null, null),
          feature({ ADM1_PCODE: 'XA01' }, { type: 'Polygon', coordinates: square(8, 0) }),
          { type: 'Nonsense' },
        ),
        'invented.geojson',
      ),
    );
    expect(result.skipped).toBe(5);
    expect(result.layer.name).toBe('invented.geojson');
    expect(result.layer.areas.map((a) => [a.pcode, a.level, a.polygons.length])).toEqual([
      ['XA01', 1, 1],
      ['XA02', 1, 2],
    ]);
    expect(result.layer.areas[0]).toMatchObject({ en: 'North', ar: 'الشمال' });
  });

  test('a file that is not GeoJSON, or has no polygon with a p-code, is refused whole', () => {
    expect(parseBoundaries('admin1Pcode,admin1Name_en\nXA01,North', 'a.csv')).toEqual({
      ok: false,
      error: { key: 'err.boundaries.notGeoJson' },
    });
    expect(parseBoundaries(JSON.stringify({ type: 'Feature' }), 'a.json')).toEqual({
      ok: false,
      error: { key: 'err.boundaries.notGeoJson' },
    });
    expect(parseBoundaries(collection(feature({ NAME: 'x' }, { type: 'Polygon', coordinates: square(0, 0) })), 'b.geojson')).toEqual({
      ok: false,
      error: { key: 'err.boundaries.noAreas' },
    });
  });

  test('a file over the limit is refused before it is parsed', () => {
    expect(parseBoundaries('{', 'big.geojson', MAX_BOUNDARY_BYTES + 1)).toEqual({ ok: false, error: { key: 'err.boundaries.tooLarge' } });
  });

  test('a detailed outline is kept simplified to the scale of a screen', () => {
    // A 1° square whose sides wobble by a ten-thousandth of a degree at a thousand points each.
    const ring: number[][] = [];
    for (let side = 0; side < 4; side++)
      for (let i = 0; i < 1000; i++) {
        const t = i / 1000;
        const wobble = (i % 2) * 0.0001;
        const [x, y] = [
          [t, wobble],
          [1 - wobble, t],
          [1 - t, 1 - wobble],
          [wobble, 1 - t],
        ][side]!;
        ring.push([x!, y!]);
      }
    ring.push(ring[0]!);
    const result = imported(parseBoundaries(collection(feature({ ADM1_PCODE: 'XA01' }, { type: 'Polygon', coordinates: [ring] })), 'fine'));
    const kept = result.layer.areas[0]!.polygons[0]![0]!;
    expect(kept.length).toBeLessThan(10);
    expect(kept[0]).toEqual(kept[kept.length - 1]);
  });
});

describe('the invented sample layer', () => {
  const layer = imported(parseBoundaries(SAMPLE, 'sample')).layer;

  test('has every governorate, district and sub-district of the sample gazetteer, and nothing else', () => {
    const g = parseCodAbCsv(GAZETTEER, 'sample');
    if (!g.ok) throw new Error('sample gazetteer');
    const key = (u: { level: number; pcode: string }) => `${u.level}:${u.pcode}`;
    expect(layer.areas.map(key).sort()).toEqual(g.gazetteer.units.map(key).sort());
  });

  test('says what it holds by level', () => {
    expect(layerLevels(layer)).toEqual([
      { level: 1, count: 2 },
      { level: 2, count: 10 },
      { level: 3, count: 20 },
    ]);
  });
});

describe('importing a layer beside one already kept', () => {
  const one = (pcode: string, level: 1 | 2 | 3) => ({ pcode, level, polygons: [square(0, 0) as [number, number][][]] });
  test('the levels of the new file replace those levels, and the others stay', () => {
    const kept = { name: 'old', areas: [one('XA01', 1), one('XA0101', 2)] };
    const added = { name: 'new', areas: [one('XA0102', 2)] };
    expect(mergeLayers(kept, added)).toEqual({ name: 'new', areas: [one('XA01', 1), one('XA0102', 2)] });
    expect(mergeLayers(undefined, added)).toEqual(added);
  });
});
