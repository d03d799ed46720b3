import { describe, expect, test } from 'vitest';
import { exportText } from '../../src/export/export-file.ts';
import { INTERNAL_PROFILE } from '../../src/export/profile.ts';
import { smallGroupsOf } from '../../src/export/small-groups.ts';
import { AGGREGATE_RECORDS } from './aggregate-fixtures.ts';
import { EXPORTED_AT, MAPPING_PARTNER } from './fixtures.ts';

/** The partner's rows as objects, from its JSON file. */
async function rows(smallGroups?: 'keep' | 'coarsen' | 'drop') {
  const { text } = await exportText(AGGREGATE_RECORDS, { profile: MAPPING_PARTNER, format: 'json', exportedAt: EXPORTED_AT, smallGroups });
  return (JSON.parse(text) as { records: Record<string, unknown>[] }).records;
}

describe('groups of fewer than 5 reports of one type, week and district in a partner file', () => {
  test('are counted before the file is written', () => {
    // Undated damage (1), displacement in Jablah W10 (4 and a duplicate), cuts in Banyas W11 (4), named only (4).
    expect(smallGroupsOf(AGGREGATE_RECORDS).groups).toBe(4);
    expect(smallGroupsOf(AGGREGATE_RECORDS).records.size).toBe(1 + 5 + 4 + 4);
  });

  test('are kept as they are unless the coordinator chooses otherwise', async () => {
    expect(await rows()).toEqual(await rows('keep'));
    // Every row that has a sub-district keeps it: all but the four named without p-codes.
    expect((await rows()).filter((r) => r.adm3_pcode !== null)).toHaveLength(26 - 4);
  });

  test('left out, only the groups of 5 or more remain', async () => {
    const kept = await rows('drop');
    expect(kept).toHaveLength(5 + 7);
    expect(kept.filter((r) => r.type === 'displacement')).toEqual([]);
    expect(kept.every((r) => r.adm2_pcode === 'SY0602' || r.adm2_pcode === 'SY1002')).toBe(true);
  });

  test('coarsened, their rows stay but say no more than the governorate', async () => {
    const all = await rows('coarsen');
    expect(all).toHaveLength((await rows('keep')).length);
    const coarse = all.filter((r) => r.adm2_pcode === null && r.adm2_name_en === null);
    expect(coarse).toHaveLength(1 + 5 + 4 + 4);
    for (const r of coarse) {
      expect([r.adm3_pcode, r.adm3_name_ar, r.loc_name, r.lat, r.lon]).toEqual([null, null, null, null, null]);
      expect(r.adm1_pcode ?? r.adm1_name_en).not.toBeNull();
    }
    // Groups of 5 or more keep their districts and sub-districts.
    expect(all.filter((r) => r.adm3_pcode !== null)).toHaveLength(5 + 7);
  });

  test.each(['coarsen', 'drop'] as const)('%s: the JSON and GeoJSON files say so, and how many groups, never which', async (choice) => {
    const run = { profile: MAPPING_PARTNER, exportedAt: EXPORTED_AT, smallGroups: choice };
    const json = JSON.parse((await exportText(AGGREGATE_RECORDS, { ...run, format: 'json' })).text) as Record<string, unknown>;
    const geojson = JSON.parse((await exportText(AGGREGATE_RECORDS, { ...run, format: 'geojson' })).text) as Record<string, unknown>;
    expect(json.smallGroups).toEqual({ choice, groups: 4 });
    expect(geojson.smallGroups).toEqual({ choice, groups: 4 });
    expect(geojson.type).toBe('FeatureCollection');
  });

  test('kept, or in the internal file, the files say nothing of them, as before the choice existed', async () => {
    for (const format of ['json', 'geojson'] as const) {
      const kept = await exportText(AGGREGATE_RECORDS, { profile: MAPPING_PARTNER, format, exportedAt: EXPORTED_AT, smallGroups: 'keep' });
      const unsaid = await exportText(AGGREGATE_RECORDS, { profile: MAPPING_PARTNER, format, exportedAt: EXPORTED_AT });
      expect(kept.text).toBe(unsaid.text);
      expect(kept.text).not.toContain('smallGroups');
      const internal = await exportText(AGGREGATE_RECORDS, {
        profile: INTERNAL_PROFILE,
        format,
        exportedAt: EXPORTED_AT,
        smallGroups: 'drop',
      });
      expect(internal.text).not.toContain('smallGroups');
      expect(internal.rows).toBe(AGGREGATE_RECORDS.length);
    }
  });
});
