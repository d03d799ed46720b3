/**
 * Folding Arabic text for search, so a name matches however a monitor types it: with or without
 * harakat, with tatweel, with hamza on the alef or not, and with the letters people write
 * interchangeably at the end of a word (ة/ه, ى/ي), and with a doubled letter typed once. Both the
 * query and the text it is searched in go through the same fold. Not for display: the folded text is
 * not correct Arabic.
 */

// Harakat, tanween, shadda, sukun and the other combining marks U+064B–U+065F, superscript alef
// U+0670, and tatweel U+0640 (a stretch for justification, never part of the word).
const MARKS = /[\u064B-\u065F\u0670\u0640]/g;

const LETTERS: Record<string, string> = {
  '\u0623': '\u0627', // أ → ا
  '\u0625': '\u0627', // إ → ا
  '\u0622': '\u0627', // آ → ا
  '\u0671': '\u0627', // ٱ (alef wasla, in Quranic-style text) → ا
  '\u0629': '\u0647', // ة → ه
  '\u0649': '\u064A', // ى → ي
  // Persian-layout keyboards, common on phones, type these for ي and ك.
  '\u06CC': '\u064A', // ی → ي
  '\u06A9': '\u0643', // ک → ك
};
const FOLDED_LETTERS = new RegExp(`[${Object.keys(LETTERS).join('')}]`, 'g');

// The article before a word starting with lam gives اللاذقية, which people often type الاذقية; a
// repeated letter is folded to one. Arabic letters only: digits in a report ("2000") must stay as typed.
const REPEATED_LETTER = /([\u0621-\u064A])\1+/g;

export function foldArabic(text: string): string {
  // NFC first, so a decomposed alef + hamza/madda becomes one letter and folds like the composed one.
  return text
    .normalize('NFC')
    .replace(MARKS, '')
    .replace(FOLDED_LETTERS, (ch) => LETTERS[ch] ?? ch)
    .replace(REPEATED_LETTER, '$1');
}
