import { describe, expect, test } from 'vitest';
import { exportText } from '../../src/export/export-file.ts';
import { INTERNAL_PROFILE } from '../../src/export/profile.ts';
import { EXPORTED_AT, IDS, RECORDS, WASH_PARTNER } from './fixtures.ts';

describe('the JSON export', () => {
  test('has a header with the profile name and the export time, then the records', async () => {
    const { text, rows } = await exportText(RECORDS, { profile: WASH_PARTNER, format: 'json', exportedAt: EXPORTED_AT });
    const file = JSON.parse(text);
    expect(file.profile).toBe('wash-partner');
    expect(file.exportedAt).toBe(EXPORTED_AT);
    expect(file.records).toHaveLength(rows);
    expect(file.columns[0]).toEqual({ name: 'id', hxl: '#meta+id', kind: 'code' });
  });

  test('keeps numbers and booleans as JSON types, empty cells as null, and text as written', async () => {
    const { text } = await exportText(RECORDS, { profile: INTERNAL_PROFILE, format: 'json', exportedAt: EXPORTED_AT });
    const records: Record<string, unknown>[] = JSON.parse(text).records;
    expect(records.find((r) => r.id === IDS.beitYashout)).toMatchObject({ idps_hh: 35, ongoing: true, date_end: null });
    // JSON is not opened by spreadsheets, so no apostrophe is added to formula-like text.
    expect(records.find((r) => r.id === IDS.rawdaWater)!.narrative).toBe('-1+2 water tanks reached the quarter; the main pipe is cut.');
  });

  test('an export of no reports is still a valid file', async () => {
    const { text, rows } = await exportText([], { profile: WASH_PARTNER, format: 'json', exportedAt: EXPORTED_AT });
    expect(rows).toBe(0);
    expect(JSON.parse(text).records).toEqual([]);
  });
});
