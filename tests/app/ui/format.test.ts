/** Dates as the report list and the report view show them, in both languages. */
import { describe, expect, test } from 'vitest';
import { ar } from '../../../src/app/i18n/ar.ts';
import { en } from '../../../src/app/i18n/en.ts';
import { translator } from '../../../src/app/i18n/i18n.ts';
import { formatEventDate, formatPeriod, formatValue } from '../../../src/app/ui/format.ts';

const trAr = translator('ar', ar);
const trEn = translator('en', en);

describe('an event date in the list', () => {
  test('an exact date shows as the date alone', () => {
    expect(formatEventDate(trEn, { precision: 'exact', date: '2025-03-07' })).toBe('7 Mar 2025');
    expect(formatEventDate(trAr, { precision: 'exact', date: '2025-03-07' })).toBe(trAr.date('2025-03-07'));
  });

  test('an approximate date is marked as approximate', () => {
    expect(formatEventDate(trEn, { precision: 'approximate', date: '2025-03-07' })).toBe('about 7 Mar 2025');
    expect(formatEventDate(trAr, { precision: 'approximate', date: '2025-03-07' })).toBe(`${trAr.date('2025-03-07')} تقريبًا`);
  });

  test('a range shows both its ends', () => {
    const range = { precision: 'range', date: '2025-03-07', end: '2025-03-09' } as const;
    expect(formatEventDate(trEn, range)).toBe('7 Mar 2025 – 9 Mar 2025');
    expect(formatEventDate(trAr, range)).toBe(`من ${trAr.date('2025-03-07')} إلى ${trAr.date('2025-03-09')}`);
  });
});

describe('an access cut’s period', () => {
  test('shows both ends once the service came back', () => {
    const period = { since: '2025-03-01', until: '2025-03-04' };
    expect(formatPeriod(trEn, period)).toBe('1 Mar 2025 – 4 Mar 2025');
    expect(formatPeriod(trAr, period)).toBe(`من ${trAr.date('2025-03-01')} إلى ${trAr.date('2025-03-04')}`);
    expect(formatValue(trEn, 'period', period)).toBe('1 Mar 2025 – 4 Mar 2025');
  });

  test('says it is still going on when it has no end', () => {
    expect(formatPeriod(trEn, { since: '2025-03-01' })).toBe('since 1 Mar 2025');
    expect(formatPeriod(trAr, { since: '2025-03-01' })).toBe(`منذ ${trAr.date('2025-03-01')}`);
    expect(formatValue(trAr, 'period', { since: '2025-03-01' })).toBe(`منذ ${trAr.date('2025-03-01')}`);
  });

  test('writes its dates in Arabic-Indic digits in Arabic', () => {
    expect(formatPeriod(trAr, { since: '2025-03-01', until: '2025-03-04' })).not.toMatch(/[0-9]/);
  });
});
