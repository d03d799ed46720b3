import { describe, expect, test } from 'vitest';
import {
  COORDINATOR_ONLY_FIELDS,
  FIELDS,
  REPORT_TYPES,
  SENSITIVITIES,
  TEXT_LIMITS,
  fieldErrors,
  fieldsOf,
  reportContentSchema,
  sensitivityOf,
  validateReport,
  type FieldName,
} from '../../src/domain/report.ts';

const TODAY = '2025-03-12';

const displacement = {
  type: 'displacement',
  eventDate: { precision: 'range', date: '2025-03-06', end: '2025-03-09' },
  placeName: 'حي القصور',
  admin: {
    adm1: { pcode: 'SY04', en: 'Lattakia', ar: 'اللاذقية' },
    adm2: { pcode: 'SY0401', en: 'Jablah', ar: 'جبلة' },
  },
  point: { lat: 35.3609, lon: 35.9256, accuracy: 25 },
  locationPrecision: 'approximate',
  narrative: 'نزحت عائلات من الحي باتجاه القرى الجبلية بعد إطلاق نار ليلي استمر ثلاثة أيام.',
  sourceKind: 'eyewitness',
  sourceDetail: 'أحد سكان الحي، تواصل معه الراصد هاتفياً',
  confidence: 'medium',
  households: 42,
  individuals: 190,
  origin: { name: 'حي القصور', admin: { adm2: { pcode: 'SY0401', ar: 'جبلة' } } },
  destination: { name: 'قرية عين الشرقية' },
  shelter: 'host_family',
  displacementCause: 'violence',
  ongoing: true,
};

const damage = {
  type: 'damage',
  eventDate: { precision: 'exact', date: '2025-03-08' },
  placeName: 'سوق بانياس القديم',
  admin: { adm2: { pcode: 'SY0502', ar: 'بانياس', en: 'Banyas' } },
  locationPrecision: 'exact',
  narrative: 'احترقت سبعة محلات في السوق، وشوهدت سيارات تنقل البضائع قبل الحريق.',
  sourceKind: 'victim',
  confidence: 'high',
  structureKind: 'shop',
  structures: 7,
  damageLevel: 'destroyed',
  damageCause: 'burning',
  looted: true,
};

const accessCut = {
  type: 'access_cut',
  eventDate: { precision: 'approximate', date: '2025-03-07' },
  admin: { adm1: { pcode: 'SY05', en: 'Tartous', ar: 'طرطوس' } },
  narrative: 'توقف الفرن الآلي عن العمل بعد انقطاع الطحين، والأهالي يقطعون مسافات طويلة للحصول على الخبز.',
  sourceKind: 'secondary',
  confidence: 'low',
  service: 'bread',
  serviceState: 'cut',
  period: { since: '2025-03-07', until: '2025-03-10' },
  households: 300,
  cutCause: 'shortage',
};

const VALID = { displacement, damage, access_cut: accessCut } as const;

/** The catalog keys a report's validation gives, by top-level field. */
function errorsOf(input: unknown, today = TODAY) {
  const r = validateReport(input, today);
  expect(r.success).toBe(false);
  return r.success ? {} : fieldErrors(r.error);
}

describe('a complete report is accepted', () => {
  test.each(REPORT_TYPES)('a realistic %s report from the coast validates as given', (type) => {
    const r = validateReport(VALID[type], TODAY);
    expect(r.success).toBe(true);
    expect(r.data).toEqual(VALID[type]);
  });

  test('counts left out are unknown and accepted', () => {
    const { households: _h, individuals: _i, ...withoutCounts } = displacement;
    expect(validateReport(withoutCounts, TODAY).success).toBe(true);
    const { structures: _s, ...noStructures } = damage;
    expect(validateReport(noStructures, TODAY).success).toBe(true);
  });

  test('zero households is a real count and accepted', () => {
    expect(validateReport({ ...displacement, households: 0 }, TODAY).success).toBe(true);
  });

  test('an event today is not in the future', () => {
    expect(validateReport({ ...damage, eventDate: { precision: 'exact', date: TODAY } }, TODAY).success).toBe(true);
  });

  test('a place given only by admin area is enough', () => {
    expect(validateReport(accessCut, TODAY).success).toBe(true);
  });

  test('a narrative of exactly the longest allowed length is accepted', () => {
    expect(validateReport({ ...damage, narrative: 'ب'.repeat(TEXT_LIMITS.narrative) }, TODAY).success).toBe(true);
  });
});

describe('a bad report is refused with a catalog key at the field to fix', () => {
  test.each([
    ['a negative number of households', { ...displacement, households: -3 }, 'households', 'err.count.negative'],
    ['a fractional number of individuals', { ...displacement, individuals: 2.5 }, 'individuals', 'err.count.whole'],
    ['households typed as text', { ...displacement, households: 'اثنان' }, 'households', 'err.count.notNumber'],
    ['a structure count given as a string', { ...damage, structures: '7' }, 'structures', 'err.count.notNumber'],
    ['an impossible number of people', { ...accessCut, households: 1e12 }, 'households', 'err.count.tooLarge'],
    [
      'a date range ending before it starts',
      { ...displacement, eventDate: { precision: 'range', date: '2025-03-09', end: '2025-03-06' } },
      'eventDate',
      'err.date.endBeforeStart',
    ],
    [
      'a range without an end',
      { ...displacement, eventDate: { precision: 'range', date: '2025-03-06' } },
      'eventDate',
      'err.date.endMissing',
    ],
    ['an event tomorrow', { ...damage, eventDate: { precision: 'exact', date: '2025-03-13' } }, 'eventDate', 'err.date.future'],
    ['a date that does not exist', { ...damage, eventDate: { precision: 'exact', date: '2025-02-30' } }, 'eventDate', 'err.date.invalid'],
    [
      'a cut whose end comes before its start',
      { ...accessCut, period: { since: '2025-03-07', until: '2025-03-01' } },
      'period',
      'err.date.endBeforeStart',
    ],
    ['a cut that starts in the future', { ...accessCut, period: { since: '2025-04-01' } }, 'period', 'err.date.future'],
    ['a latitude above 90', { ...displacement, point: { lat: 95, lon: 35.9 } }, 'point', 'err.lat.range'],
    ['a latitude below -90', { ...displacement, point: { lat: -90.5, lon: 35.9 } }, 'point', 'err.lat.range'],
    ['a longitude above 180', { ...displacement, point: { lat: 35.3, lon: 185 } }, 'point', 'err.lon.range'],
    ['a longitude below -180', { ...displacement, point: { lat: 35.3, lon: -181 } }, 'point', 'err.lon.range'],
    ['a negative accuracy', { ...displacement, point: { lat: 35.3, lon: 35.9, accuracy: -1 } }, 'point', 'err.accuracy.range'],
    ['a narrative of a megabyte', { ...damage, narrative: 'ن'.repeat(1_000_000) }, 'narrative', 'err.text.tooLong'],
    ['a narrative of only spaces', { ...damage, narrative: '   \n ' }, 'narrative', 'err.text.blank'],
    ['a source detail that is a number', { ...damage, sourceDetail: 12 }, 'sourceDetail', 'err.text.invalid'],
    ['a shelter kind not on the list', { ...displacement, shelter: 'tent' }, 'shelter', 'err.choice.invalid'],
    ['an access cut with no service', (({ service: _s, ...rest }) => rest)(accessCut), 'service', 'err.choice.invalid'],
    ['an unknown report type', { ...damage, type: 'flood' }, 'type', 'err.type.unknown'],
    ['a malformed p-code', { ...damage, admin: { adm2: { pcode: 'banyas' } } }, 'admin', 'err.pcode.invalid'],
    ['an admin area with neither code nor name', { ...damage, admin: { adm1: {} } }, 'admin', 'err.admin.empty'],
  ])('%s', (_what, input, field, key) => {
    const errors = errorsOf(input);
    expect(errors[field]).toBe(key);
  });

  test('a report with no place at all is refused at the place name', () => {
    const { placeName: _p, admin: _a, ...noPlace } = damage;
    expect(errorsOf(noPlace)).toEqual({ placeName: 'err.place.missing' });
  });

  test('an empty admin block does not count as a place', () => {
    const { placeName: _p, ...rest } = damage;
    expect(errorsOf({ ...rest, admin: {} })).toEqual({ placeName: 'err.place.missing' });
  });

  test('a GPS point alone does not count as a place', () => {
    const { placeName: _p, admin: _a, ...rest } = damage;
    expect(errorsOf({ ...rest, point: { lat: 35.18, lon: 35.95 } })).toEqual({ placeName: 'err.place.missing' });
  });

  test('a field of another type is refused, not silently kept', () => {
    const r = validateReport({ ...damage, households: 12 }, TODAY);
    expect(r.success).toBe(false);
    if (r.success) return;
    expect(r.error.issues.some((i) => i.code === 'unrecognized_keys' && i.keys.includes('households'))).toBe(true);
    // shown as a catalog key, never as the schema library's English text
    expect(Object.values(fieldErrors(r.error)).every((k) => k?.startsWith('err.'))).toBe(true);
  });

  test('the event date is the one field every type requires', () => {
    const { eventDate: _d, ...noDate } = accessCut;
    expect(errorsOf(noDate).eventDate).toMatch(/^err\./);
  });

  test('an input that is not an object at all is refused with the type key', () => {
    expect(errorsOf(null)).toEqual({ form: 'err.type.unknown' });
    expect(errorsOf('displacement')).toEqual({ form: 'err.type.unknown' });
  });

  test('a future date is reported together with the other mistakes at once', () => {
    const errors = errorsOf({ ...displacement, households: -1, eventDate: { precision: 'exact', date: '2026-01-01' } });
    expect(errors).toEqual({ eventDate: 'err.date.future', households: 'err.count.negative' });
  });

  test('a range ending in the future is refused even when it started in the past', () => {
    expect(errorsOf({ ...displacement, eventDate: { precision: 'range', date: '2025-03-10', end: '2025-03-20' } })).toEqual({
      eventDate: 'err.date.future',
    });
  });

  test('whether a date is in the future depends on the day passed in', () => {
    const input = { ...damage, eventDate: { precision: 'exact', date: '2025-03-13' } };
    expect(validateReport(input, '2025-03-12').success).toBe(false);
    expect(validateReport(input, '2025-03-13').success).toBe(true);
  });

  test('fieldErrors keeps the first key per field and puts whole-form problems under form', () => {
    const r = reportContentSchema.safeParse({ ...displacement, households: -1, individuals: -2 });
    expect(r.success).toBe(false);
    if (r.success) return;
    expect(fieldErrors(r.error)).toEqual({ households: 'err.count.negative', individuals: 'err.count.negative' });
  });
});

describe('fields and who may see them', () => {
  test('every field carries one of the three sensitivities', () => {
    for (const name of Object.keys(FIELDS) as FieldName[]) {
      expect(SENSITIVITIES).toContain(sensitivityOf(name));
    }
  });

  test('the narrative and source details are never public', () => {
    expect(sensitivityOf('narrative')).not.toBe('public');
    expect(sensitivityOf('sourceDetail')).not.toBe('public');
    expect(sensitivityOf('sourceDetail')).toBe('internal');
  });

  test('the exact GPS point is not public', () => {
    expect(sensitivityOf('point')).not.toBe('public');
  });

  test('verification status and duplicate-of are the coordinator-only fields', () => {
    expect([...COORDINATOR_ONLY_FIELDS].sort()).toEqual(['duplicateOf', 'verification']);
  });

  test('each type has the common fields and its own, and no field of another type', () => {
    expect(fieldsOf('damage')).toContain('structures');
    expect(fieldsOf('damage')).not.toContain('households');
    expect(fieldsOf('displacement')).toContain('shelter');
    expect(fieldsOf('displacement')).not.toContain('service');
    expect(fieldsOf('access_cut')).toEqual(expect.arrayContaining(['service', 'period', 'households', 'individuals']));
    for (const type of REPORT_TYPES) {
      expect(fieldsOf(type)).toEqual(expect.arrayContaining(['eventDate', 'placeName', 'narrative', 'verification']));
      expect(new Set(fieldsOf(type)).size).toBe(fieldsOf(type).length);
    }
  });

  test('every field a type lists is a known field, and the schema accepts exactly those', () => {
    for (const type of REPORT_TYPES) {
      for (const f of fieldsOf(type)) expect(FIELDS).toHaveProperty(f);
      const others = (Object.keys(FIELDS) as FieldName[]).filter((f) => !fieldsOf(type).includes(f));
      for (const f of others) {
        const r = reportContentSchema.safeParse({ ...VALID[type], [f]: VALID.displacement[f as keyof typeof displacement] ?? 1 });
        expect(r.success, `${type} must refuse ${f}`).toBe(false);
      }
    }
  });
});
