import { beforeAll, describe, expect, test } from 'vitest';
import { snapToGrid } from '../../src/export/coarsen.ts';
import { EXPORT_FORMATS, exportText, type ExportFormat } from '../../src/export/export-file.ts';
import { DEFAULT_PARTNER_FIELDS, INTERNAL_PROFILE, partnerProfile, type Profile } from '../../src/export/profile.ts';
import { importPseudonymKey, pseudonymOf } from '../../src/export/pseudonym.ts';
import { rowsFor } from '../../src/export/redact.ts';
import { EXPORTED_AT, IDS, MAPPING_PARTNER, RECORDS, VIEWS, WASH_KEY, WASH_PARTNER, sensitiveValues } from './fixtures.ts';

type Files = Record<ExportFormat, string>;
async function filesOf(profile: Profile): Promise<Files> {
  const out = {} as Files;
  for (const format of EXPORT_FORMATS) out[format] = (await exportText(RECORDS, { profile, format, exportedAt: EXPORTED_AT })).text;
  return out;
}

/** A value as each format writes it: raw, with CSV's doubled quotes, with JSON's escapes. */
const spellings = (value: string) => [value, value.replace(/"/g, '""'), JSON.stringify(value).slice(1, -1), value.slice(0, 16)];

/** Every point of the fixture set, written as the record holds it. */
const rawCoordinates = VIEWS.flatMap((v) => {
  const p = v.values.point;
  return p ? [String(p.lat), String(p.lon)] : [];
});

interface JsonExport {
  profile: string;
  exportedAt: string;
  records: Record<string, unknown>[];
}
const records = (files: Files) => (JSON.parse(files.json) as JsonExport).records;

let internal: Files;
let wash: Files;
let mapping: Files;
beforeAll(async () => {
  [internal, wash, mapping] = await Promise.all([filesOf(INTERNAL_PROFILE), filesOf(WASH_PARTNER), filesOf(MAPPING_PARTNER)]);
});

describe('a default partner export of the fixture set', () => {
  test.each(EXPORT_FORMATS)('in %s holds no narrative, source detail, place name, device, media or raw id', (format) => {
    const text = wash[format];
    const leaks = sensitiveValues().filter(({ value }) => spellings(value).some((s) => text.includes(s)));
    expect(leaks).toEqual([]);
  });

  test('the same search finds those values in the internal export, so it can find a leak', () => {
    for (const format of EXPORT_FORMATS) {
      const missing = sensitiveValues().filter(({ value }) => !spellings(value).some((s) => internal[format].includes(s)));
      expect(missing).toEqual([]);
    }
  });

  test.each(EXPORT_FORMATS)('in %s holds no coordinates and nothing below admin level 2', (format) => {
    const text = wash[format];
    for (const c of rawCoordinates) expect(text).not.toContain(c);
    for (const finer of ['SY060205', 'SY060203', 'SY100201', 'Beit Yashout', 'الروضة', '#adm3', 'adm3_']) expect(text).not.toContain(finer);
  });

  test('has no point geometry at all', () => {
    const features = (JSON.parse(wash.geojson) as { features: { geometry: unknown }[] }).features;
    expect(features.length).toBe(7);
    expect(features.every((f) => f.geometry === null)).toBe(true);
  });

  test('dates are ISO weeks', () => {
    expect(records(wash).map((r) => r.date)).toEqual(['2025-W10', '2025-W10', '2025-W10', '2025-W10', '2025-W10', '2025-W11', '2025-W10']);
  });

  test('a date given to the week is labelled as a week, never as exact; approximate dates and ranges keep their label', () => {
    expect(records(internal).map((r) => r.date_precision)).toContain('exact');
    const precisions = records(wash).map((r) => r.date_precision);
    expect(precisions).not.toContain('exact');
    expect(precisions).toEqual(expect.arrayContaining(['week', 'approximate', 'range']));
  });

  test('to the day, an exact date stays exact', async () => {
    const daily = partnerProfile({ name: 'daily', key: WASH_KEY, dates: 'day' });
    const rows = records(await filesOf(daily));
    expect(rows.map((r) => r.date_precision)).toContain('exact');
    expect(rows.map((r) => r.date_precision)).not.toContain('week');
  });

  test('leaves out the deleted report, which the internal export keeps, marked deleted', async () => {
    const deletedPseudonym = await pseudonymOf(await importPseudonymKey(WASH_KEY), IDS.qteilbiyyehDeleted);
    for (const format of EXPORT_FORMATS) expect(wash[format]).not.toContain(deletedPseudonym);
    expect(records(wash)).toHaveLength(7);
    const kept = records(internal).find((r) => r.id === IDS.qteilbiyyehDeleted);
    // The delete superseded what it saw; the coordinator's correction it did not see is still there.
    expect(kept).toMatchObject({ deleted: true, conflicts: 'deleted', device: 'phone-jableh-0002', idps_hh: 14, idps_ind: null });
  });

  test('leaves a field in conflict empty, where the internal export shows the first version', () => {
    const dalyehInternal = records(internal).find((r) => r.id === IDS.dalyehShops)!;
    expect(dalyehInternal).toMatchObject({ structures: 15, conflicts: 'structures' });
    const dalyehPartner = records(wash).find((r) => r.type === 'damage' && r.structure_kind === 'shop')!;
    expect(dalyehPartner).toMatchObject({ structures: null, damage_level: 'severe' });
  });
});

describe('a gridded partner export', () => {
  test('holds only cell centres: each point snaps to itself, and no original coordinate appears', () => {
    const rows = records(mapping).filter((r) => r.lat !== null);
    // Six points, less the deleted report's.
    expect(rows.length).toBe(5);
    for (const r of rows) {
      const p = { lat: r.lat as number, lon: r.lon as number };
      expect(snapToGrid(p, 5)).toEqual(p);
    }
    for (const format of EXPORT_FORMATS) for (const c of rawCoordinates) expect(mapping[format]).not.toContain(c);
  });

  test('still holds no narrative, source detail, device or GPS accuracy', () => {
    const hidden = sensitiveValues().filter((s) => !s.what.startsWith('place name'));
    for (const format of EXPORT_FORMATS) {
      expect(hidden.filter(({ value }) => spellings(value).some((s) => mapping[format].includes(s)))).toEqual([]);
      expect(mapping[format]).not.toContain('geo_accuracy_m');
    }
  });

  test('puts the two reports from one street of Ein Shaqaq on one point', () => {
    const damage = records(mapping).filter((r) => r.adm3_pcode === 'SY060203');
    expect(damage).toHaveLength(2);
    expect([damage[0]!.lat, damage[0]!.lon]).toEqual([damage[1]!.lat, damage[1]!.lon]);
  });
});

describe('pseudonyms in partner rows', () => {
  test('differ between partners for the same report', () => {
    const a = records(wash).map((r) => r.id);
    const b = records(mapping).map((r) => r.id);
    expect(a.filter((id) => b.includes(id))).toEqual([]);
  });

  test('a duplicate points at the pseudonym of the row it duplicates', async () => {
    const profile = partnerProfile({ name: 'dedup', key: WASH_KEY, fields: [...DEFAULT_PARTNER_FIELDS, 'duplicateOf'] });
    const { text } = await exportText(RECORDS, { profile, format: 'json', exportedAt: EXPORTED_AT });
    const rows = (JSON.parse(text) as JsonExport).records;
    const duplicate = rows.find((r) => r.verification === 'duplicate')!;
    const original = await pseudonymOf(await importPseudonymKey(WASH_KEY), IDS.einShaqaq);
    expect(duplicate.duplicate_of).toBe(original);
    expect(rows.some((r) => r.id === original)).toBe(true);
    expect(text).not.toContain(IDS.einShaqaq);
  });

  test('a partner export without pseudonyms is refused rather than written with raw ids', () => {
    expect(() => [...rowsFor(RECORDS, WASH_PARTNER)]).toThrow();
  });
});
