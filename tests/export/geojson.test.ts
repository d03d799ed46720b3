import { describe, expect, test } from 'vitest';
import { exportText } from '../../src/export/export-file.ts';
import { columnsFor, INTERNAL_PROFILE, type Profile } from '../../src/export/profile.ts';
import { EXPORTED_AT, IDS, MAPPING_PARTNER, RECORDS } from './fixtures.ts';

interface Feature {
  type: string;
  geometry: { type: string; coordinates: [number, number] } | null;
  properties: Record<string, unknown>;
}
async function collection(profile: Profile = INTERNAL_PROFILE) {
  const { text } = await exportText(RECORDS, { profile, format: 'geojson', exportedAt: EXPORTED_AT });
  return JSON.parse(text) as { type: string; features: Feature[]; crs?: unknown };
}

describe('the GeoJSON export', () => {
  test('is a FeatureCollection of one Feature per report, with no crs member (RFC 7946)', async () => {
    const fc = await collection();
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.crs).toBeUndefined();
    expect(fc.features).toHaveLength(RECORDS.length);
    expect(fc.features.every((f) => f.type === 'Feature')).toBe(true);
  });

  test('puts longitude first', async () => {
    const beit = (await collection()).features.find((f) => f.properties.id === IDS.beitYashout)!;
    expect(beit.geometry).toEqual({ type: 'Point', coordinates: [36.08417, 35.36214] });
  });

  test('a report with no point has geometry null', async () => {
    const rawda = (await collection()).features.find((f) => f.properties.id === IDS.rawdaWater)!;
    expect(rawda.geometry).toBeNull();
  });

  test('properties are the CSV columns, by the same names and in the same order, empty as null', async () => {
    for (const profile of [INTERNAL_PROFILE, MAPPING_PARTNER]) {
      const fc = await collection(profile);
      for (const f of fc.features) expect(Object.keys(f.properties)).toEqual(columnsFor(profile).map((c) => c.name));
    }
    const rawda = (await collection()).features.find((f) => f.properties.id === IDS.rawdaWater)!;
    expect(rawda.properties.affected_ind).toBeNull();
  });

  test('a gridded partner gets the cell centre as geometry', async () => {
    const features = (await collection(MAPPING_PARTNER)).features.filter((f) => f.geometry);
    expect(features).toHaveLength(5);
    for (const f of features) expect(f.geometry!.coordinates).toEqual([f.properties.lon, f.properties.lat]);
  });
});
