import { describe, expect, test } from 'vitest';
import {
  DEFAULT_PARTNER_FIELDS,
  INTERNAL_PROFILE,
  columnsFor,
  partnerProfile,
  partnerProfileSchema,
  profileSchema,
  type PartnerProfile,
} from '../../src/export/profile.ts';
import { REPORT_COLUMNS, itemSensitivity } from '../../src/export/record.ts';
import { WASH_KEY } from './fixtures.ts';

const names = (p: Parameters<typeof columnsFor>[0]) => columnsFor(p).map((c) => c.name);
const issues = (input: unknown) => {
  const r = partnerProfileSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => i.message);
};
const base: PartnerProfile = partnerProfile({ name: 'shelter-partner', key: WASH_KEY });

describe('the default partner profile', () => {
  test('lists every public field and nothing more sensitive', () => {
    expect(DEFAULT_PARTNER_FIELDS.length).toBeGreaterThan(10);
    for (const f of DEFAULT_PARTNER_FIELDS) expect(itemSensitivity(f)).toBe('public');
    expect(DEFAULT_PARTNER_FIELDS).toEqual(
      expect.arrayContaining(['eventDate', 'admin', 'households', 'damageLevel', 'service', 'verification']),
    );
  });

  test('has no narrative, source, device, media, place name or point, and admin areas down to level 2 only', () => {
    const cols = names(base);
    for (const hidden of [
      'narrative',
      'source_kind',
      'source_detail',
      'confidence',
      'device',
      'media_sha256',
      'loc_name',
      'lat',
      'lon',
      'geo_accuracy_m',
      'adm3_pcode',
      'adm3_name_en',
      'conflicts',
      'deleted',
      'reported_at',
      'received_at',
    ]) {
      expect(cols).not.toContain(hidden);
    }
    expect(cols).toEqual(
      expect.arrayContaining(['id', 'type', 'date', 'adm1_pcode', 'adm2_pcode', 'adm2_name_ar', 'idps_hh', 'structures', 'verification']),
    );
    expect(base.dates).toBe('week');
    expect(base.place).toEqual({ by: 'admin', level: 2 });
  });
});

describe('what a partner profile may list', () => {
  test('a partner field is added only when the profile opts in', () => {
    expect(names(base)).not.toContain('narrative');
    expect(names(partnerProfile({ name: 'p', key: WASH_KEY, fields: [...DEFAULT_PARTNER_FIELDS, 'narrative'] }))).toContain('narrative');
  });

  test('an internal field is refused, even when listed on purpose', () => {
    expect(issues({ ...base, fields: [...base.fields, 'sourceDetail'] })).toContain('err.profile.internalField');
    expect(issues({ ...base, fields: [...base.fields, 'device'] })).toContain('err.profile.internalField');
  });

  test('a profile that skipped its schema still never gets internal columns', () => {
    const forged = { ...base, fields: [...base.fields, 'sourceDetail', 'device', 'conflicts', 'narrative'] } as PartnerProfile;
    const cols = names(forged);
    expect(cols).toContain('narrative');
    for (const c of ['source_detail', 'device', 'conflicts']) expect(cols).not.toContain(c);
  });

  test('a point needs a grid, and a grid needs the point: an exact point is never allowed', () => {
    expect(issues({ ...base, fields: [...base.fields, 'point'] })).toContain('err.profile.pointNeedsGrid');
    expect(issues({ ...base, place: { by: 'grid', km: 5, level: 2 } })).toContain('err.profile.gridNeedsPoint');
    expect(issues({ ...base, fields: [...base.fields, 'point'], place: { by: 'grid', km: 0.2, level: 2 } })).toContain(
      'err.profile.gridTooFine',
    );
    const gridded = partnerProfile({ name: 'p', key: WASH_KEY, fields: [...base.fields, 'point'], place: { by: 'grid', km: 5, level: 2 } });
    expect(names(gridded)).toEqual(expect.arrayContaining(['lat', 'lon']));
    expect(names(gridded)).not.toContain('geo_accuracy_m');
  });

  test('admin level 1 keeps only the governorate', () => {
    const cols = names(partnerProfile({ name: 'p', key: WASH_KEY, place: { by: 'admin', level: 1 } }));
    expect(cols).toContain('adm1_pcode');
    expect(cols.filter((c) => /adm[23]/.test(c))).toEqual([]);
  });

  test('a name may be written in any language, within a length, with no sign or control character, and not "internal"', () => {
    for (const name of ['shelter-cluster', 'Partner One', 'مجموعة المأوى', 'شريك_٢', 'الهلال الأحمر - جبلة', 'منظمة'.repeat(4)]) {
      expect(issues({ ...base, name })).toEqual([]);
    }
    for (const name of [
      '',
      ' مجموعة',
      'مجموعة ',
      'مجموعة  المأوى',
      'Shelter Cluster!',
      'a/b',
      'مجموعة\u0007المأوى',
      'مجموعة\nالمأوى',
      // Direction marks and isolates would make a name read as another.
      '\u202eshelter',
      'مجموعة\u200fالمأوى',
      // Decomposed: the composed spelling is the one name.
      'cafe\u0301',
    ]) {
      expect(issues({ ...base, name })).toEqual(['err.profile.name']);
    }
    // 40 bytes: 20 Arabic letters, 40 Latin ones.
    expect(issues({ ...base, name: 'منظمة'.repeat(4) + 'ا' })).toEqual(['err.profile.nameLong']);
    expect(issues({ ...base, name: 'a'.repeat(40) })).toEqual([]);
    expect(issues({ ...base, name: 'A'.repeat(41) })).toEqual(['err.profile.nameLong']);
    expect(issues({ ...base, name: 'internal' })).toContain('err.profile.nameTaken');
  });

  test('a key must be at least 32 bytes of base64url', () => {
    expect(issues({ ...base, key: 'c2hvcnQ' })).toContain('err.profile.key');
    expect(issues(base)).toEqual([]);
  });
});

describe('the internal profile', () => {
  test('has every column', () => {
    expect(columnsFor(INTERNAL_PROFILE)).toEqual(REPORT_COLUMNS);
  });

  test('both kinds parse with one schema', () => {
    expect(profileSchema.parse(INTERNAL_PROFILE)).toEqual(INTERNAL_PROFILE);
    expect(profileSchema.parse(base)).toEqual(base);
  });
});
