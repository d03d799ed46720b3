import { describe, expect, test } from 'vitest';
import { drawWords, SUGGESTED_WORDS, suggestPassphrase } from '../../../src/app/keys/suggest-passphrase.ts';
import { WORDS_AR } from '../../../src/app/keys/word-lists/words.ar.ts';
import { WORDS_EN } from '../../../src/app/keys/word-lists/words.en.ts';
import { enoughWords } from '../../../src/domain/crypto/passphrase.ts';

describe('a suggested passphrase', () => {
  test('is six different words of the interface language’s list, and passes the rule for files', async () => {
    for (const [lang, list] of [
      ['ar', WORDS_AR],
      ['en', WORDS_EN],
    ] as const) {
      const words = (await suggestPassphrase(lang)).split(' ');
      expect(words).toHaveLength(SUGGESTED_WORDS);
      expect(new Set(words).size).toBe(SUGGESTED_WORDS);
      for (const w of words) expect(list).toContain(w);
      expect(enoughWords(words.join(' '))).toBe(true);
    }
  });

  test('draws every word of a list alike: rejection sampling leaves no bias for a list whose length does not divide 2^32', () => {
    const list = ['a', 'b', 'c'];
    // 2^32 = 3 × 1,431,655,765 + 1: the top value alone would favour the first word, and is drawn again.
    const queue = [0xffffffff, 0, 1, 2];
    const random = () => {
      const n = queue.shift()!;
      return Uint8Array.from([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
    };
    expect(drawWords(list, 3, random)).toEqual(['a', 'b', 'c']);
    expect(queue).toEqual([]);

    const seen = new Map<string, number>();
    for (let i = 0; i < 3000; i++) for (const w of drawWords(list, 1)) seen.set(w, (seen.get(w) ?? 0) + 1);
    for (const w of list) expect(seen.get(w)).toBeGreaterThan(850);
  });
});
