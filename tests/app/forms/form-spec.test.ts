import { describe, expect, test } from 'vitest';
import { formInputs } from '../../../src/app/forms/form-spec.ts';

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
