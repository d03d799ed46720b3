import { describe, expect, test } from 'vitest';
import { changedFields, contentToForm, formToContent, localToday, type FormValues } from '../../../src/app/forms/form-values.ts';
import type { AdminLookup } from '../../../src/domain/gazetteer.ts';
import {
  COORDINATOR_ONLY_FIELDS,
  REPORT_TYPES,
  type AdminRef,
  type FieldValues,
  type ReportContent,
  type ReportType,
} from '../../../src/domain/report.ts';
import { reportId } from '../../ids.ts';

const TODAY = '2025-03-12';

const GAZETTEER: Record<string, AdminRef> = {
  SY04: { pcode: 'SY04', en: 'Lattakia', ar: 'اللاذقية' },
  SY0401: { pcode: 'SY0401', en: 'Jablah', ar: 'جبلة' },
  SY040100: { pcode: 'SY040100', en: 'Jablah', ar: 'جبلة' },
  SY05: { pcode: 'SY05', en: 'Tartous', ar: 'طرطوس' },
  SY0502: { pcode: 'SY0502', en: 'Banyas', ar: 'بانياس' },
};
const lookup: AdminLookup = (pcode) => GAZETTEER[pcode];
const noGazetteer: AdminLookup = () => undefined;

/** The form converted, with its content seen field by field (whatever its type). */
function convert(type: ReportType, raw: FormValues, extra: Partial<Parameters<typeof formToContent>[2]> = {}) {
  const r = formToContent(type, raw, { today: TODAY, lookup, ...extra });
  return { ...r, values: r.content as Partial<FieldValues> | undefined };
}

const baseForm: FormValues = { 'eventDate.date': '2025-03-07', placeName: 'حي الجبيبات' };

describe('formToContent', () => {
  test('counts typed in Eastern Arabic digits are saved as numbers', () => {
    const r = convert('displacement', { ...baseForm, households: '٤٢', individuals: '١٩٠' });
    expect(r.errors).toEqual({});
    expect(r.content).toMatchObject({ households: 42, individuals: 190 });
  });

  test('coordinates typed with Arabic digits and the Arabic decimal separator are saved as numbers', () => {
    const r = convert('damage', { ...baseForm, 'point.lat': '٣٥٫٣٦٠٩', 'point.lon': '٣٥٫٩٢٥٦', 'point.accuracy': '٢٥' });
    expect(r.errors).toEqual({});
    expect(r.content?.point).toEqual({ lat: 35.3609, lon: 35.9256, accuracy: 25 });
  });

  test('an empty count box is left out of the report, not saved as zero', () => {
    const r = convert('displacement', { ...baseForm, households: '' });
    expect(r.errors).toEqual({});
    expect(r.content).not.toHaveProperty('households');
  });

  test('the date precision defaults to exact', () => {
    expect(convert('damage', baseForm).content?.eventDate).toEqual({ precision: 'exact', date: '2025-03-07' });
  });

  test('blank text boxes are left out of the report', () => {
    const r = convert('damage', { ...baseForm, narrative: '   ', sourceDetail: '' });
    expect(r.errors).toEqual({});
    expect(r.content).not.toHaveProperty('narrative');
    expect(r.content).not.toHaveProperty('sourceDetail');
  });

  test('yes and no become true and false', () => {
    expect(convert('damage', { ...baseForm, looted: 'yes' }).values?.looted).toBe(true);
    expect(convert('damage', { ...baseForm, looted: 'no' }).values?.looted).toBe(false);
    expect(convert('damage', { ...baseForm, looted: '' }).content).not.toHaveProperty('looted');
  });

  test.each<[string, ReportType, FormValues, Record<string, string>]>([
    ['a negative household count', 'displacement', { households: '-٣' }, { households: 'err.count.negative' }],
    ['a fractional structure count', 'damage', { structures: '٢٫٥' }, { structures: 'err.count.whole' }],
    ['words in a count box', 'displacement', { individuals: 'كثير' }, { individuals: 'err.count.notNumber' }],
    ['a latitude that is not a number', 'damage', { 'point.lat': 'شمال', 'point.lon': '35.9' }, { 'point.lat': 'err.number.invalid' }],
    ['a latitude out of range', 'damage', { 'point.lat': '٩٥', 'point.lon': '35.9' }, { 'point.lat': 'err.lat.range' }],
    ['a longitude out of range', 'damage', { 'point.lat': '35.3', 'point.lon': '-١٨١' }, { 'point.lon': 'err.lon.range' }],
    ['a latitude without a longitude', 'damage', { 'point.lat': '35.36' }, { 'point.lon': 'err.point.incomplete' }],
    ['a longitude without a latitude', 'damage', { 'point.lon': '35.92' }, { 'point.lat': 'err.point.incomplete' }],
    [
      'a negative accuracy',
      'damage',
      { 'point.lat': '35.3', 'point.lon': '35.9', 'point.accuracy': '-5' },
      { 'point.accuracy': 'err.accuracy.range' },
    ],
    [
      'a date range ending before it starts',
      'displacement',
      { 'eventDate.precision': 'range', 'eventDate.end': '2025-03-01' },
      { 'eventDate.end': 'err.date.endBeforeStart' },
    ],
    ['a date range with no end', 'displacement', { 'eventDate.precision': 'range' }, { 'eventDate.end': 'err.date.endMissing' }],
    ['an event date in the future', 'damage', { 'eventDate.date': '2025-03-13' }, { 'eventDate.date': 'err.date.future' }],
    ['no event date', 'damage', { 'eventDate.date': '' }, { 'eventDate.date': 'err.date.missing' }],
    [
      'a cut that ended before it began',
      'access_cut',
      { service: 'water', 'period.since': '2025-03-07', 'period.until': '2025-03-01' },
      { 'period.until': 'err.date.endBeforeStart' },
    ],
    [
      'a cut with an end but no start',
      'access_cut',
      { service: 'water', 'period.until': '2025-03-10' },
      { 'period.since': 'err.date.missing' },
    ],
    [
      'a cut starting in the future',
      'access_cut',
      { service: 'water', 'period.since': '2025-04-01' },
      { 'period.since': 'err.date.future' },
    ],
    ['an access cut with no service chosen', 'access_cut', {}, { service: 'err.choice.invalid' }],
    ['no place at all', 'damage', { placeName: '' }, { placeName: 'err.place.missing' }],
    ['an origin name far too long', 'displacement', { 'origin.name': 'ق'.repeat(201) }, { 'origin.name': 'err.text.tooLong' }],
  ])('%s is reported at its own input', (_what, type, typed, errors) => {
    const r = convert(type, { ...baseForm, ...typed });
    expect(r.content).toBeUndefined();
    expect(r.errors).toEqual(errors);
  });

  test('several mistakes are all reported at once, each at its input', () => {
    const r = convert('displacement', { ...baseForm, households: '-1', 'eventDate.date': '2026-01-01', 'point.lat': '٣٥' });
    expect(r.errors).toEqual({
      households: 'err.count.negative',
      'eventDate.date': 'err.date.future',
      'point.lon': 'err.point.incomplete',
    });
  });

  test('an empty form reports the date and the place at once', () => {
    expect(convert('damage', { structures: '-3' }).errors).toEqual({
      structures: 'err.count.negative',
      'eventDate.date': 'err.date.missing',
      placeName: 'err.place.missing',
    });
  });

  test('an end date left from a range is not saved once the date is no longer a range', () => {
    // the form hides the end input unless the precision is a range, but keeps what was typed in it
    const r = convert('damage', { ...baseForm, 'eventDate.precision': 'exact', 'eventDate.end': '2025-03-09' });
    expect(r.errors).toEqual({});
    expect(r.content?.eventDate).toEqual({ precision: 'exact', date: '2025-03-07' });
  });

  test('a hidden end date left from a range never blocks saving', () => {
    const r = convert('damage', { ...baseForm, 'eventDate.precision': 'approximate', 'eventDate.end': '2025-03-01' });
    expect(r.errors).toEqual({});
    expect(r.content?.eventDate).toEqual({ precision: 'approximate', date: '2025-03-07' });
  });

  test('admin p-codes become names from the gazetteer', () => {
    const r = convert('damage', { 'eventDate.date': '2025-03-07', 'admin.adm1': 'SY05', 'admin.adm2': 'SY0502' });
    expect(r.errors).toEqual({});
    expect(r.content?.admin).toEqual({ adm1: GAZETTEER.SY05, adm2: GAZETTEER.SY0502 });
  });

  test('origin and destination areas become names from the gazetteer too', () => {
    const r = convert('displacement', { ...baseForm, 'origin.adm1': 'SY04', 'origin.adm2': 'SY0401', 'destination.name': 'عين الشرقية' });
    expect(r.errors).toEqual({});
    expect(r.values?.origin).toEqual({ admin: { adm1: GAZETTEER.SY04, adm2: GAZETTEER.SY0401 } });
    expect(r.values?.destination).toEqual({ name: 'عين الشرقية' });
  });

  test('a p-code missing from this phone’s gazetteer keeps the names the report was saved with', () => {
    const previous: Partial<FieldValues> = { admin: { adm2: GAZETTEER.SY0502 } };
    const r = formToContent('damage', { ...baseForm, 'admin.adm2': 'SY0502' }, { today: TODAY, lookup: noGazetteer, previous });
    expect(r.content?.admin).toEqual({ adm2: GAZETTEER.SY0502 });
  });

  test('a p-code nobody knows is kept as a code alone', () => {
    const r = formToContent('damage', { ...baseForm, 'admin.adm1': 'SY09' }, { today: TODAY, lookup: noGazetteer });
    expect(r.content?.admin).toEqual({ adm1: { pcode: 'SY09' } });
  });
});

const SAVED: Record<ReportType, ReportContent> = {
  displacement: {
    type: 'displacement',
    eventDate: { precision: 'range', date: '2025-03-06', end: '2025-03-09' },
    placeName: 'حي القصور',
    admin: { adm1: GAZETTEER.SY04!, adm2: GAZETTEER.SY0401!, adm3: GAZETTEER.SY040100! },
    point: { lat: 35.3609, lon: 35.9256, accuracy: 12.5 },
    locationPrecision: 'approximate',
    narrative: 'نزحت عائلات من الحي بعد إطلاق نار ليلي.\nوصل بعضها إلى القرى الجبلية.',
    sourceKind: 'eyewitness',
    sourceDetail: 'أحد سكان الحي',
    confidence: 'medium',
    households: 0,
    individuals: 190,
    origin: { name: 'حي القصور', admin: { adm1: GAZETTEER.SY04!, adm2: GAZETTEER.SY0401! } },
    destination: { name: 'قرية عين الشرقية' },
    shelter: 'host_family',
    displacementCause: 'violence',
    ongoing: false,
  },
  damage: {
    type: 'damage',
    eventDate: { precision: 'exact', date: '2025-03-08' },
    placeName: 'سوق بانياس القديم',
    admin: { adm1: GAZETTEER.SY05!, adm2: GAZETTEER.SY0502! },
    point: { lat: -33.5, lon: -70.25 },
    locationPrecision: 'exact',
    narrative: 'احترقت سبعة محلات في السوق.',
    sourceKind: 'victim',
    confidence: 'high',
    structureKind: 'shop',
    structures: 7,
    damageLevel: 'destroyed',
    damageCause: 'burning',
    looted: true,
  },
  access_cut: {
    type: 'access_cut',
    eventDate: { precision: 'approximate', date: '2025-03-07' },
    admin: { adm1: GAZETTEER.SY05! },
    narrative: 'توقف الفرن الآلي عن العمل بعد انقطاع الطحين.',
    sourceKind: 'open_source',
    confidence: 'low',
    service: 'bread',
    serviceState: 'partial',
    period: { since: '2025-03-07', until: '2025-03-10' },
    households: 300,
    individuals: 1400,
    cutCause: 'shortage',
  },
};

describe('contentToForm', () => {
  test.each(REPORT_TYPES)('a saved %s report shown in the form and saved again is unchanged', (type) => {
    const raw = contentToForm(type, SAVED[type]);
    const again = convert(type, raw);
    expect(again.errors).toEqual({});
    expect(again.content).toEqual(SAVED[type]);
    expect(changedFields(type, SAVED[type], again.content!)).toEqual({});
  });

  test('the form shows p-codes for admin areas and yes/no for booleans', () => {
    const raw = contentToForm('displacement', SAVED.displacement);
    expect(raw).toMatchObject({
      'admin.adm1': 'SY04',
      'admin.adm2': 'SY0401',
      'origin.adm2': 'SY0401',
      'origin.name': 'حي القصور',
      ongoing: 'no',
      households: '0',
      'eventDate.precision': 'range',
      'eventDate.end': '2025-03-09',
      'point.accuracy': '12.5',
    });
  });

  test('fields the report does not have leave their inputs empty', () => {
    const raw = contentToForm('damage', { eventDate: { precision: 'exact', date: '2025-03-08' }, placeName: 'بانياس' });
    expect(raw).toEqual({ 'eventDate.precision': 'exact', 'eventDate.date': '2025-03-08', placeName: 'بانياس' });
  });
});

describe('changedFields', () => {
  test('only the fields the monitor changed are written', () => {
    const before = SAVED.damage;
    const after = convert('damage', { ...contentToForm('damage', before), structures: '٩', looted: 'no' }).content!;
    expect(changedFields('damage', before, after)).toEqual({ structures: 9, looted: false });
  });

  test('a field emptied in the form is written as cleared', () => {
    const before = SAVED.damage;
    const raw = { ...contentToForm('damage', before), narrative: '' };
    const changes = changedFields('damage', before, convert('damage', raw).content!);
    expect(Object.keys(changes)).toEqual(['narrative']);
    expect(changes.narrative).toBeUndefined();
  });

  test('values equal but written with keys in another order are not a change', () => {
    const before: Partial<FieldValues> = {
      ...SAVED.damage,
      eventDate: { date: '2025-03-08', precision: 'exact' },
    };
    expect(changedFields('damage', before, SAVED.damage)).toEqual({});
  });

  test('coordinator-only fields are never among the changes', () => {
    const before: Partial<FieldValues> = {
      ...SAVED.damage,
      verification: 'verified',
      duplicateOf: reportId('01957a3c-1f00-7000-8000-00000000cafe'),
    };
    const after = { ...SAVED.damage, structures: 8, verification: 'disputed' } as ReportContent;
    const changes = changedFields('damage', before, after);
    expect(changes).toEqual({ structures: 8 });
    for (const f of COORDINATOR_ONLY_FIELDS) expect(changes).not.toHaveProperty(f);
  });
});

describe('localToday', () => {
  test('is the phone’s local calendar date, zero-padded', () => {
    expect(localToday(new Date(2025, 0, 5, 8, 0))).toBe('2025-01-05');
  });

  test('late in the evening it is still today, whatever the time zone', () => {
    expect(localToday(new Date(2025, 2, 12, 23, 59, 59))).toBe('2025-03-12');
    expect(localToday(new Date(2025, 2, 13, 0, 0, 1))).toBe('2025-03-13');
  });
});
