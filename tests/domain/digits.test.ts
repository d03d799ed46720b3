import { describe, expect, test } from 'vitest';
import { MAX_COUNT, normalizeDigits, parseCount, parseDecimal } from '../../src/domain/digits.ts';

describe('normalizeDigits', () => {
  test('Eastern Arabic digits ٠ to ٩ read as 0 to 9', () => {
    expect(normalizeDigits('٠١٢٣٤٥٦٧٨٩')).toBe('0123456789');
  });

  test('Persian digits ۰ to ۹ read as 0 to 9', () => {
    expect(normalizeDigits('۰۱۲۳۴۵۶۷۸۹')).toBe('0123456789');
  });

  test('a number typed with Arabic, Persian and Latin digits mixed reads as one number', () => {
    expect(normalizeDigits('١۲3٤')).toBe('1234');
  });

  test('letters around the digits are left as typed', () => {
    expect(normalizeDigits('أسرة ١٢ في جبلة')).toBe('أسرة 12 في جبلة');
  });
});

describe('parseCount', () => {
  test('an empty box means unknown, not zero', () => {
    expect(parseCount('')).toEqual({ ok: true, value: undefined });
    expect(parseCount('   ')).toEqual({ ok: true, value: undefined });
  });

  test('zero typed as ٠ is a known zero', () => {
    expect(parseCount('٠')).toEqual({ ok: true, value: 0 });
  });

  test.each([
    ['٣٥', 35],
    ['۴۲', 42],
    ['35', 35],
    [' ١٢٠ ', 120],
    ['١۲٣', 123],
  ])('%s households is read as %i', (typed, value) => {
    expect(parseCount(typed)).toEqual({ ok: true, value });
  });

  test('the Arabic thousands separator ٬ is ignored, as is a Latin comma', () => {
    expect(parseCount('٣٬٥٠٠')).toEqual({ ok: true, value: 3500 });
    expect(parseCount('1,250,000')).toEqual({ ok: true, value: 1_250_000 });
  });

  test.each([
    ['-5', 'err.count.negative'],
    ['−٥', 'err.count.negative'],
    ['2.5', 'err.count.whole'],
    ['٢٫٥', 'err.count.whole'],
    ['خمسة', 'err.count.notNumber'],
    ['12a', 'err.count.notNumber'],
    ['1e3', 'err.count.notNumber'],
    ['-', 'err.count.notNumber'],
    ['100000001', 'err.count.tooLarge'],
    ['99999999999999999999', 'err.count.tooLarge'],
  ])('%s is refused with %s', (typed, error) => {
    expect(parseCount(typed)).toEqual({ ok: false, error });
  });

  test('the largest count accepted is the limit itself', () => {
    expect(parseCount(String(MAX_COUNT))).toEqual({ ok: true, value: MAX_COUNT });
    expect(parseCount(String(MAX_COUNT + 1))).toEqual({ ok: false, error: 'err.count.tooLarge' });
  });
});

describe('parseDecimal', () => {
  test('an empty box means not given', () => {
    expect(parseDecimal('')).toEqual({ ok: true, value: undefined });
  });

  test('the Arabic decimal separator ٫ works like a point', () => {
    expect(parseDecimal('٣٥٫١٢٥')).toEqual({ ok: true, value: 35.125 });
    expect(parseDecimal('۳۵٫۵')).toEqual({ ok: true, value: 35.5 });
    expect(parseDecimal('35.125')).toEqual({ ok: true, value: 35.125 });
  });

  test('a hyphen and the minus sign U+2212 both make a number negative', () => {
    expect(parseDecimal('-٣٣٫٥')).toEqual({ ok: true, value: -33.5 });
    expect(parseDecimal('−٣٣٫٥')).toEqual({ ok: true, value: -33.5 });
    expect(parseDecimal('−12')).toEqual({ ok: true, value: -12 });
  });

  test('a whole number is a decimal too', () => {
    expect(parseDecimal('٣٦')).toEqual({ ok: true, value: 36 });
  });

  test.each(['abc', '35.', '.5', '3.5.1', '--3', '35°', '1e3'])('%s is refused as not a number', (typed) => {
    expect(parseDecimal(typed)).toEqual({ ok: false, error: 'err.number.invalid' });
  });
});
