/**
 * The messages the first load carries are the list's and the lock's; the other screens' come in a
 * chunk of their own once the list is drawn (screens.en.ts). A message that a module of the first
 * load names, but that sits in the screens' chunk, would show as its key on the lock screen or the
 * list: this test walks the first load's modules, as the bundler does (static imports from
 * src/app/main.tsx), and looks for every message key they name.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ar } from '../../../src/app/i18n/ar.ts';
import { en } from '../../../src/app/i18n/en.ts';
import { screensAr } from '../../../src/app/i18n/screens.ar.ts';
import { screensEn } from '../../../src/app/i18n/screens.en.ts';

const SRC = path.resolve(import.meta.dirname, '../../../src');

/** The source files the first load holds: main.tsx and what it imports statically, transitively. */
function firstLoadModules(): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const text = readFileSync(file, 'utf8');
    seen.set(file, text);
    // `import x from './y.ts'` and `import './y.ts'`, but not `import type` nor `import('./y.ts')`.
    for (const m of text.matchAll(/^import\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"](\.[^'"]+)['"]/gm)) {
      visit(path.resolve(path.dirname(file), m[1]!));
    }
  };
  visit(path.join(SRC, 'app/main.tsx'));
  return seen;
}

describe('the screens’ messages', () => {
  const modules = firstLoadModules();
  const screenKeys = Object.keys(screensEn);

  test('are none that a module of the first load names', () => {
    expect(modules.size).toBeGreaterThan(20);
    const named: string[] = [];
    for (const [file, text] of modules) {
      for (const m of text.matchAll(/['"`]([a-z][A-Za-z]*(?:\.[A-Za-z]+)+)\.?(\$\{)?/g)) {
        const key = m[1]!;
        // A key built at run time (`code.${field}`) must not reach into the screens' chunk either.
        const hits = m[2] ? screenKeys.filter((k) => k.startsWith(`${key}.`)) : screenKeys.filter((k) => k === key);
        for (const hit of hits) named.push(`${path.relative(SRC, file)}: ${hit}`);
      }
    }
    expect(named).toEqual([]);
  });

  test('are in both languages, and apart from the first load’s', () => {
    expect(Object.keys(screensAr).sort()).toEqual(screenKeys.sort());
    for (const key of screenKeys) {
      expect(Object.hasOwn(en, key), key).toBe(false);
      expect(Object.hasOwn(ar, key), key).toBe(false);
    }
  });
});
