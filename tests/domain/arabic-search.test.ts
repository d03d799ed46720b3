import { describe, expect, test } from 'vitest';
import { foldArabic } from '../../src/domain/arabic-search.ts';

const sameWhenFolded = (typed: string, stored: string) => foldArabic(typed) === foldArabic(stored);

describe('foldArabic', () => {
  test('taa marbuta typed as haa matches: جبله finds جبلة', () => {
    expect(sameWhenFolded('جبله', 'جبلة')).toBe(true);
  });

  test('a single lam after the article matches the written double lam: الاذقيه finds اللاذقية', () => {
    expect(sameWhenFolded('الاذقيه', 'اللاذقية')).toBe(true);
  });

  test('harakat, shadda and superscript alef are ignored', () => {
    expect(sameWhenFolded('بَانِيَاس', 'بانياس')).toBe(true);
    expect(sameWhenFolded('الحَفَّة', 'الحفة')).toBe(true);
    expect(sameWhenFolded('هٰذا', 'هذا')).toBe(true);
  });

  test('tatweel is ignored', () => {
    expect(sameWhenFolded('طرطـــوس', 'طرطوس')).toBe(true);
  });

  test('the alef forms أ إ آ ا are one letter for search', () => {
    const forms = ['أريحا', 'إريحا', 'آريحا', 'اريحا'].map(foldArabic);
    expect(new Set(forms).size).toBe(1);
  });

  test('alef maqsura and yaa are one letter for search', () => {
    expect(sameWhenFolded('مشتى الحلو', 'مشتي الحلو')).toBe(true);
  });

  test('yaa and kaf from a Persian keyboard match the Arabic letters', () => {
    expect(sameWhenFolded('کسب', 'كسب')).toBe(true);
    expect(sameWhenFolded('دالیة', 'دالية')).toBe(true);
  });

  test('a decomposed hamza on alef folds like the composed letter', () => {
    expect(foldArabic('\u0627\u0654ريحا')).toBe(foldArabic('أريحا'));
  });

  test('different words stay different', () => {
    expect(sameWhenFolded('جبلة', 'جبل')).toBe(false);
    expect(sameWhenFolded('بانياس', 'صافيتا')).toBe(false);
  });

  test('Latin letters and digits are left as typed', () => {
    expect(foldArabic('Jablah 2000 جبلة')).toBe(`Jablah 2000 ${foldArabic('جبلة')}`);
  });
});
