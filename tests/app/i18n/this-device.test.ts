/**
 * A coordinator's device is often a laptop: the messages it shares with phones say "this device"
 * there, whichever catalog loads first; a monitor's phone still says "this phone".
 */
import { describe, expect, test } from 'vitest';
import { ar } from '../../../src/app/i18n/ar.ts';
import { deskCatalogAr } from '../../../src/app/i18n/desk-catalog.ar.ts';
import { loadTranslator, type Lang, type MessageKey, type Translator } from '../../../src/app/i18n/i18n.ts';
import { screensAr } from '../../../src/app/i18n/screens.ar.ts';

/**
 * Messages that speak of a monitor's phone, not of the device showing them (answering a phone's
 * sync file), or that only a monitor's phone shows (a coordinator's renewal reads `renewal.ownHint`).
 */
const OF_A_MONITORS_PHONE = new Set(['file.importRequest', 'file.requestAnswered', 'renewal.hint']);
const PHONE: Record<Lang, RegExp> = { en: /\bphone/i, ar: /هاتف/ };
const SHARED = Object.keys({ ...ar, ...screensAr }).filter((k) => !(k in deskCatalogAr)) as MessageKey[];
const plural = (key: string) => typeof ({ ...ar, ...screensAr } as Record<string, unknown>)[key] === 'object';

/** Every shared message as this translator shows it, plural forms by the counts that pick each. */
function shown(tr: Translator): { key: string; text: string }[] {
  return SHARED.flatMap((key) =>
    plural(key) ? [0, 1, 2, 3, 11, 100].map((n) => ({ key, text: tr.plural(key, n) })) : [{ key, text: tr.t(key) }],
  );
}

describe.each<Lang>(['ar', 'en'])('in %s', (lang) => {
  test('no message a coordinator shares with phones speaks of a phone, with the screens loaded before or after the desk', async () => {
    const before = await loadTranslator(lang, { desk: true, screens: true });
    const after = await (await loadTranslator(lang, { desk: true })).withScreens();
    for (const tr of [before, after]) {
      const phone = shown(tr).filter(({ key, text }) => PHONE[lang].test(text) && !OF_A_MONITORS_PHONE.has(key));
      expect(phone).toEqual([]);
    }
    expect(after.t('form.saved')).toBe(lang === 'ar' ? 'حُفظ على هذا الجهاز' : 'Saved on this device');
    // The catalogs are compiled on first import, which a shared machine can make slow.
  }, 60_000);

  test("a monitor's phone is still addressed as this phone", async () => {
    const tr = await loadTranslator(lang, { screens: true });
    expect(tr.t('form.saved')).toBe(lang === 'ar' ? 'حُفظ على هذا الهاتف' : 'Saved on this phone');
    expect(tr.plural('sync.rejectedCount', 2)).toMatch(PHONE[lang]);
  }, 60_000);
});
