import { describe, expect, test } from 'vitest';
import { copiedForm } from '../../../src/app/forms/copy.ts';
import { REPORT_TYPES, type FieldValues } from '../../../src/domain/report.ts';
import { reportId } from '../../ids.ts';

const saved: Partial<FieldValues> = {
  eventDate: { precision: 'exact', date: '2025-03-07' },
  placeName: 'بيت ياشوط',
  admin: { adm2: { pcode: 'SY0401', en: 'Jablah', ar: 'جبلة' } },
  narrative: 'أُحرقت البيوت بعد نهبها.',
  sourceKind: 'eyewitness',
  structureKind: 'home',
  structures: 7,
  damageLevel: 'destroyed',
  looted: true,
  service: 'water',
  verification: 'verified',
  duplicateOf: reportId('0195741c-7e00-7000-8000-000000000001'),
};

describe('copiedForm', () => {
  test('a copied damage report keeps its event, place and narrative as the form shows them', () => {
    expect(copiedForm('damage', saved)).toEqual({
      'eventDate.precision': 'exact',
      'eventDate.date': '2025-03-07',
      placeName: 'بيت ياشوط',
      'admin.adm2': 'SY0401',
      narrative: 'أُحرقت البيوت بعد نهبها.',
      sourceKind: 'eyewitness',
      structureKind: 'home',
      structures: '7',
      damageLevel: 'destroyed',
      looted: 'yes',
    });
  });

  test('no type copies a verification nor what the report duplicates', () => {
    for (const type of REPORT_TYPES) {
      const copy = copiedForm(type, saved);
      expect(copy).not.toHaveProperty('verification');
      expect(copy).not.toHaveProperty('duplicateOf');
      expect(copy['eventDate.date']).toBe('2025-03-07');
    }
    expect(copiedForm('access_cut', saved).service).toBe('water');
  });
});
