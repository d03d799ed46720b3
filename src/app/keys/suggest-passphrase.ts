/**
 * A passphrase for a file that travels (the key file, the root file), suggested from a word list in
 * the interface language. Loaded only when a coordinator asks for one: the lists are larger than
 * the rest of the screen, and a monitor's phone never needs them.
 */
import { cryptoRandom, type RandomBytes } from '../../domain/ids.ts';
import type { Lang } from '../../domain/lang.ts';

/** Six different words of 2,048: about 66 bits, beyond the reach of offline guessing even against a weak Argon2id. */
export const SUGGESTED_WORDS = 6;

async function wordList(lang: Lang): Promise<readonly string[]> {
  return lang === 'ar' ? (await import('./word-lists/words.ar.ts')).WORDS_AR : (await import('./word-lists/words.en.ts')).WORDS_EN;
}

/** `count` different entries of `list`, each drawn uniformly (rejection sampling: no entry is likelier for the list's length). */
export function drawWords(list: readonly string[], count: number, random: RandomBytes = cryptoRandom): string[] {
  if (count > list.length) throw new Error('the list is shorter than the words asked for');
  const limit = Math.floor(2 ** 32 / list.length) * list.length;
  const chosen = new Set<number>();
  while (chosen.size < count) {
    const b = random(4);
    const n = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
    if (n < limit) chosen.add(n % list.length);
  }
  return [...chosen].map((i) => list[i]!);
}

export async function suggestPassphrase(lang: Lang, random: RandomBytes = cryptoRandom): Promise<string> {
  return drawWords(await wordList(lang), SUGGESTED_WORDS, random).join(' ');
}
