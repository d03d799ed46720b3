import { describe, expect, test } from 'vitest';
import { WORDS_AR } from '../../../src/app/keys/word-lists/words.ar.ts';
import { WORDS_EN } from '../../../src/app/keys/word-lists/words.en.ts';

/** 2048 words: each drawn at random adds 11 bits to a generated passphrase. */
const SIZE = 2048;

/** Words that appear more than once under `key`, each reported once. */
function repeated(words: readonly string[], key: (word: string) => string): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const word of words) {
    const k = key(word);
    if (seen.has(k)) twice.add(k);
    seen.add(k);
  }
  return [...twice];
}

/** How phones type one word several ways: أ إ آ for ا, ة for ه, ى for ي. */
function foldArabic(word: string): string {
  return word.replace(/[أإآ]/g, 'ا').replace(/ة/g, 'ه').replace(/ى/g, 'ي');
}

describe('English word list', () => {
  test('holds exactly 2048 words, none twice', () => {
    expect(WORDS_EN).toHaveLength(SIZE);
    expect(repeated(WORDS_EN, (w) => w)).toEqual([]);
  });

  test('each word is 3 to 8 lowercase letters a to z', () => {
    expect(WORDS_EN.filter((w) => !/^[a-z]{3,8}$/.test(w))).toEqual([]);
  });

  test('each word is NFC', () => {
    expect(WORDS_EN.filter((w) => w !== w.normalize('NFC'))).toEqual([]);
  });

  test('is frozen', () => {
    expect(Object.isFrozen(WORDS_EN)).toBe(true);
  });
});

describe('Arabic word list', () => {
  test('holds exactly 2048 words, none twice, even after NFC', () => {
    expect(WORDS_AR).toHaveLength(SIZE);
    expect(repeated(WORDS_AR, (w) => w.normalize('NFC'))).toEqual([]);
  });

  test('no two words are the same once hamza on alef, ta marbuta and alef maqsura are folded', () => {
    expect(repeated(WORDS_AR, foldArabic)).toEqual([]);
  });

  test('each word is 2 to 7 Arabic letters (hamza to yeh), no spaces', () => {
    // U+0640 (tatweel) lies inside U+0621–U+064A and is left out, as are U+063B–U+063F, not used in Arabic.
    expect(WORDS_AR.filter((w) => !/^[\u0621-\u063A\u0641-\u064A]{2,7}$/.test(w))).toEqual([]);
  });

  test('no word carries diacritics or tatweel', () => {
    expect(WORDS_AR.filter((w) => /[\u064B-\u065F\u0640]/.test(w))).toEqual([]);
  });

  test('each word is NFC', () => {
    expect(WORDS_AR.filter((w) => w !== w.normalize('NFC'))).toEqual([]);
  });

  test('is frozen', () => {
    expect(Object.isFrozen(WORDS_AR)).toBe(true);
  });
});
