/**
 * The words every catalog shows: no tatweel, Arabic numbers in Arabic-Indic digits, and none of the
 * words docs/glossary.md says a term replaces (every Arabic one; the English ones that cannot mean
 * anything else). The catalogs are found on disk, so a new catalog file is checked without being
 * named here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ar as core } from '../../../src/app/i18n/ar.ts';
import type { PluralMessage } from '../../../src/app/i18n/catalog-types.ts';
import { deskCatalogAr } from '../../../src/app/i18n/desk-catalog.ar.ts';
import { screensAr } from '../../../src/app/i18n/screens.ar.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const I18N = path.join(ROOT, 'src/app/i18n');

interface Message {
  file: string;
  key: string;
  text: string;
}

/**
 * Every message of every catalog file of one language (`ar.ts` and `*.ar.ts`), plural forms one by
 * one. A catalog that gathers others (ar.ts spreads lock.ar.ts) gives each message once, under the
 * smallest file that holds it: the one it is written in. A message reworded in another file is given
 * again, under that file.
 */
async function messagesOf(lang: 'ar' | 'en'): Promise<Message[]> {
  const files = readdirSync(I18N).filter((f) => f === `${lang}.ts` || f.endsWith(`.${lang}.ts`));
  const catalogs: { file: string; catalog: Record<string, string | PluralMessage> }[] = [];
  for (const file of files) {
    const mod = (await import(path.join(I18N, file))) as Record<string, Record<string, string | PluralMessage>>;
    for (const catalog of Object.values(mod)) catalogs.push({ file, catalog });
  }
  catalogs.sort((a, b) => Object.keys(a.catalog).length - Object.keys(b.catalog).length);
  const seen = new Set<string>();
  const out: Message[] = [];
  for (const { file, catalog } of catalogs) {
    for (const [key, m] of Object.entries(catalog)) {
      // By its words too: a catalog that rewords another's message (this-device.ar.ts) is checked as well.
      const message = `${key}\u0000${JSON.stringify(m)}`;
      if (seen.has(message)) continue;
      seen.add(message);
      if (typeof m === 'string') out.push({ file, key, text: m });
      else for (const [form, text] of Object.entries(m)) out.push({ file, key: `${key}#${form}`, text: text as string });
    }
  }
  return out;
}

const TATWEEL = '\u0640';
const ARABIC_LETTER = /[\u0621-\u064A]/;
/** Prefixes joined to an Arabic word: and, then, with, for, as, and the article (`لل` is ل before ال). */
const PREFIXES = ['', 'و', 'ف', 'ب', 'ل', 'ك', 'وب', 'ول', 'فب', 'فل', 'وك'];
const ARTICLE = 'ال';
/**
 * Where a replaced word has another meaning of its own, in the one phrase it is shown in here: a word
 * listed here is still checked everywhere else. Keep this short: rewording is better.
 */
const OTHER_MEANINGS: { word: string; phrase: string; why: string }[] = [
  { word: 'حالة', phrase: 'حالة التحقق', why: 'the status of a verification; حالة is replaced only as a case (a report)' },
];

/** The placeholders of a message, which the translator fills, with its number formatting for numbers. */
const withoutPlaceholders = (text: string) => text.replace(/\{\w+\}/g, ' ');
/**
 * ASCII digits that show as a number: not those inside a name written in Latin letters (a column
 * such as admin1Pcode, an algorithm such as SHA-256), which stay as they are in any language.
 */
function latinDigits(text: string): string[] {
  return withoutPlaceholders(text)
    .split(/[^A-Za-z0-9_.,-]+/)
    .filter((token) => /[0-9]/.test(token) && !/[A-Za-z]/.test(token));
}

interface Replaced {
  word: string;
  /** The glossary row's term and Arabic, for the failure message. */
  row: string;
  /** Whether a note in brackets says the word is replaced in one meaning only ("(for this meaning)"). */
  noted: boolean;
}

/** The words of the glossary's Replaces column, every term, and the Arabic of every term (its shown words). */
function glossary(): { replaced: Replaced[]; terms: string[]; shown: string[] } {
  const text = readFileSync(path.join(ROOT, 'docs/glossary.md'), 'utf8');
  const replaced: Replaced[] = [];
  const terms: string[] = [];
  const shown: string[] = [];
  let columns: string[] | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith('|')) {
      columns = undefined;
      continue;
    }
    const cells = line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((c) => c.trim());
    if (columns === undefined) {
      columns = cells;
      continue;
    }
    const arabic = cells[columns.indexOf('Arabic')];
    const replaces = cells[columns.indexOf('Replaces')];
    if (arabic === undefined || replaces === undefined || /^-+$/.test(arabic)) continue;
    terms.push(...cells[0]!.split('/').map((s) => s.trim()));
    if (ARABIC_LETTER.test(arabic)) shown.push(...arabic.split('/').map((s) => s.trim()));
    // Commas and semicolons part the words, except inside a note in brackets.
    for (const part of replaces.split(/[,;](?![^(]*\))/)) {
      // A note in brackets says which meaning the word is replaced in: the word is what precedes it.
      const word = part.replace(/\(.*?\)/g, '').trim();
      if (word && word !== '—') replaced.push({ word, row: `${cells[0]} (${arabic})`, noted: part.includes('(') });
    }
  }
  return { replaced, terms, shown };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A pattern for `word` as a whole word, with a joined prefix or article. */
function wholeWord(word: string): RegExp {
  const stems = word.startsWith(ARTICLE) ? [word] : [word, ARTICLE + word];
  const forms = stems.flatMap((stem) => PREFIXES.map((p) => (p.endsWith('ل') && stem.startsWith(ARTICLE) ? p + stem.slice(1) : p + stem)));
  return new RegExp(`(?<![\\p{L}\\p{M}])(?:${forms.map(escape).join('|')})(?![\\p{L}\\p{M}])`, 'gu');
}

/** Where `phrase` stands in `text`, as [start, end) pairs. */
function spans(text: string, phrase: string): [number, number][] {
  const out: [number, number][] = [];
  for (let at = text.indexOf(phrase); at !== -1; at = text.indexOf(phrase, at + 1)) out.push([at, at + phrase.length]);
  return out;
}

describe('the Arabic catalogs', async () => {
  const ar = await messagesOf('ar');
  const { replaced: all, shown } = glossary();
  const replaced = all.filter(({ word }) => ARABIC_LETTER.test(word));

  test('are found on disk: every message the app loads, with its plural forms', () => {
    const found = new Set(ar.map((m) => m.key.replace(/#.*/, '')));
    const loaded = Object.keys({ ...core, ...screensAr, ...deskCatalogAr });
    expect(loaded.filter((key) => !found.has(key))).toEqual([]);
    expect(ar.some((m) => m.key === 'list.count#many')).toBe(true);
    expect(replaced.map((r) => r.word)).toEqual(expect.arrayContaining(['القاعدة', 'حالة', 'اقفل']));
  });

  test('write numbers in Arabic-Indic digits, or take them through a placeholder', () => {
    const hits = ar.filter((m) => latinDigits(m.text).length > 0).map((m) => `${m.file} ${m.key}: ${m.text}`);
    expect(hits).toEqual([]);
  });

  test('use none of the words the glossary replaces', () => {
    const checked = replaced
      // A replaced word that is itself shown for a term (الموقع is the position) cannot be told apart here.
      .filter(({ word }) => !shown.includes(word))
      .map(({ word, row }) => ({
        word,
        row,
        re: wholeWord(word),
        // Where it is part of a term's words (حالة in حالة الخدمة), that term is meant, not the replaced word.
        terms: [...shown.filter((s) => s.includes(word)), ...OTHER_MEANINGS.filter((o) => o.word === word).map((o) => o.phrase)],
      }));
    const hits: string[] = [];
    for (const m of ar) {
      for (const { word, row, re, terms } of checked) {
        for (const { index } of m.text.matchAll(re)) {
          const inTerm = terms.some((t) => spans(m.text, t).some(([from, to]) => from <= index && index < to));
          if (!inTerm) hits.push(`${m.file} ${m.key}: «${word}» (${row}): ${m.text}`);
        }
      }
    }
    expect(hits).toEqual([]);
  });
});

/**
 * English replaced words are mostly everyday words ("base", "phone", "remove") that are terms of their
 * own or plain English elsewhere, so only those that cannot be: phrases of two words or more and
 * abbreviations in capitals, replaced in every meaning (no note in brackets).
 */
const ENGLISH_OTHER_MEANINGS: { word: string; phrase: string; why: string }[] = [
  { word: 'copy of', phrase: 'a copy of', why: 'a copy of a file, not a report a duplicate repeats' },
];

describe('the English catalogs', async () => {
  const en = await messagesOf('en');
  const { replaced, terms } = glossary();
  const checked = replaced
    .filter(({ word, noted }) => !noted && !ARABIC_LETTER.test(word) && (/ /.test(word) || /^[A-Z]{2,}$/.test(word)))
    .map(({ word, row }) => ({
      word,
      row,
      // Abbreviations as written (PIN, not "pin" the verb); phrases in any case.
      re: new RegExp(`(?<![\\w-])${escape(word)}(?![\\w-])`, /^[A-Z]+$/.test(word) ? 'g' : 'gi'),
      // Where it is part of a term (device key in device key fingerprint), that term is meant.
      terms: [
        ...terms.filter((t) => t.toLowerCase().includes(word.toLowerCase()) && t.toLowerCase() !== word.toLowerCase()),
        ...ENGLISH_OTHER_MEANINGS.filter((o) => o.word === word).map((o) => o.phrase),
      ].map((t) => t.toLowerCase()),
    }));

  test('use none of the phrases and abbreviations the glossary replaces', () => {
    expect(checked.map((c) => c.word)).toEqual(expect.arrayContaining(['GPS', 'server number', 'phone time']));
    const hits: string[] = [];
    for (const m of en) {
      for (const { word, row, re, terms } of checked) {
        for (const { index } of m.text.matchAll(re)) {
          const inPhrase = terms.some((t) => spans(m.text.toLowerCase(), t).some(([from, to]) => from <= index && index < to));
          if (!inPhrase) hits.push(`${m.file} ${m.key}: "${word}" (${row}): ${m.text}`);
        }
      }
    }
    expect(hits).toEqual([]);
  });
});

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name));
}

describe('every catalog', async () => {
  const all = [...(await messagesOf('ar')), ...(await messagesOf('en'))];

  test('joins no letters with a tatweel', () => {
    const hits = all.filter((m) => m.text.includes(TATWEEL)).map((m) => `${m.file} ${m.key}: ${m.text}`);
    expect(hits).toEqual([]);
  });
});

test('no source file writes a tatweel, in messages or in data it makes', () => {
  const hits = filesUnder(path.join(ROOT, 'src'))
    .filter((file) => /\.(ts|tsx|html|json|webmanifest)$/.test(file) && readFileSync(file, 'utf8').includes(TATWEEL))
    .map((file) => path.relative(ROOT, file));
  expect(hits).toEqual([]);
});
