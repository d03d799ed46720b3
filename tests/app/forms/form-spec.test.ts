import { describe, expect, test } from 'vitest';
import { formInputs, requiredInputs } from '../../../src/app/forms/form-spec.ts';
import { formToContent, type FormValues } from '../../../src/app/forms/form-values.ts';
import { REPORT_TYPES, type ReportType } from '../../../src/domain/report.ts';

const TODAY = '2025-03-12';
const lookup = (pcode: string) => (pcode === 'SY04' ? { pcode, en: 'Lattakia', ar: 'اللاذقية' } : undefined);

/** A valid value for each input a form may require. */
const VALID: FormValues = {
  'eventDate.date': '2025-03-07',
  'eventDate.end': '2025-03-09',
  placeName: 'حي الجبيبات',
  service: 'water',
  'period.since': '2025-03-01',
};

const errorsOf = (type: ReportType, values: FormValues) => formToContent(type, values, { today: TODAY, lookup }).errors;

/** Each required input given a valid value, and nothing else. */
function onlyRequired(type: ReportType, typed: FormValues): FormValues {
  const values = { ...typed };
  for (const key of requiredInputs(type, typed)) values[key] = VALID[key]!;
  return values;
}

describe('requiredInputs', () => {
  const cases: [string, FormValues][] = [
    ['an empty form', {}],
    ['a date range', { 'eventDate.precision': 'range' }],
    ['a place given by its governorate', { 'admin.adm1': 'SY04' }],
    ['a cut said to have ended', { 'period.until': '2025-03-10' }],
  ];
  for (const type of REPORT_TYPES) {
    for (const [what, typed] of cases) {
      test(`${type}, ${what}: the required inputs are all a report needs, and each is needed`, () => {
        const values = onlyRequired(type, typed);
        expect(errorsOf(type, values)).toEqual({});
        for (const key of requiredInputs(type, typed)) {
          const { [key]: _, ...without } = values;
          expect(Object.keys(errorsOf(type, without)), key).toEqual([key]);
        }
      });
    }
  }

  test('every required input is one the form shows', () => {
    for (const type of REPORT_TYPES) {
      const all = new Set(formInputs(type));
      const required = requiredInputs(type, { 'eventDate.precision': 'range', 'period.until': '2025-03-10' });
      for (const key of required) expect(all.has(key), `${type} ${key}`).toBe(true);
    }
  });
});

describe('formInputs', () => {
  test('the inputs of a damage form, in the order the form shows them', () => {
    expect(formInputs('damage')).toEqual([
      'structureKind',
      'structures',
      'damageLevel',
      'damageCause',
      'looted',
      'eventDate.precision',
      'eventDate.date',
      'eventDate.end',
      'placeName',
      'admin.adm1',
      'admin.adm2',
      'admin.adm3',
      'point.lat',
      'point.lon',
      'point.accuracy',
      'locationPrecision',
      'sourceKind',
      'sourceDetail',
      'confidence',
      'narrative',
    ]);
  });
});
