/**
 * The phone's screens as a screen reader meets them: axe-core, the accessibility rules engine,
 * finds no serious or critical violation on the lock screen, the list, each report form, a report,
 * Settings and the Sync screen, in Arabic and in English, after the introduction of the first start
 * (axe run as `axe-check.ts` runs it).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { languageStored, launchBrowser, newPhoneContext, unlock } from './harness.ts';
import { expectRulesRan, violations, type Found } from './axe-check.ts';

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

const words = {
  ar: {
    newReport: 'تقرير جديد',
    types: 'نوع التقرير',
    type: { displacement: 'نزوح', damage: 'أضرار', accessCut: 'انقطاع خدمات' },
    place: 'اسم المكان',
    date: 'تاريخ الحدث',
    save: 'حفظ',
    list: 'التقارير',
    settings: 'الإعدادات',
    next: 'التالي',
    toPasscode: 'اختر رمز القفل',
    setPasscode: 'احفظ رمز القفل',
  },
  en: {
    newReport: 'New report',
    types: 'Report type',
    type: { displacement: 'Displacement', damage: 'Damage', accessCut: 'Access cut' },
    place: 'Place name',
    date: 'Event date',
    save: 'Save',
    list: 'Reports',
    settings: 'Settings',
    next: 'Next',
    toPasscode: 'Choose a passcode',
    setPasscode: 'Set the passcode',
  },
} as const;

for (const lang of ['ar', 'en'] as const) {
  test(`in ${lang === 'ar' ? 'Arabic' : 'English'}, no screen of the phone has a serious or critical accessibility violation`, async () => {
    const context = await newPhoneContext(browser, { locked: true, locale: lang });
    const page = await context.newPage();
    const w = words[lang];
    const seen: Record<string, Found[]> = {};
    const check = async (screen: string) => {
      seen[screen] = await violations(page);
    };

    await page.goto('/');
    // The app starts in Arabic, whatever the browser's language; the introduction lets the language be chosen.
    await page.getByRole('button', { name: 'التالي' }).waitFor();
    if (lang === 'en') {
      await page.getByRole('combobox', { name: 'اللغة' }).selectOption('en');
      await languageStored(page, 'en');
    }
    await check('introduction, first step');
    await page.getByRole('button', { name: w.next }).click();
    await page.getByRole('button', { name: w.toPasscode }).waitFor();
    await check('introduction, last step');
    await page.getByRole('button', { name: w.toPasscode }).click();
    await page.getByRole('button', { name: w.setPasscode }).waitFor();
    await check('lock screen, first passcode');
    await unlock(page);
    await page.getByRole('button', { name: w.newReport }).waitFor();
    await check('list, empty');

    for (const [type, label] of Object.entries(w.type)) {
      await page.getByRole('button', { name: w.newReport }).click();
      await page.getByRole('radiogroup', { name: w.types }).getByRole('radio', { name: label }).check();
      await page.getByLabel(w.place, { exact: true }).waitFor();
      await check(`${type} form`);
      // Refused once, so the error summary and the fields at fault are checked too.
      await page.getByRole('button', { name: w.save }).click();
      await page.getByRole('group', { name: lang === 'ar' ? /^تحقّق من/ : /^Check the/ }).waitFor();
      await check(`${type} form, refused`);
      await page.getByRole('link', { name: w.list }).first().click();
    }

    // A report, saved through the form, on the list and on its own screen.
    await page.getByRole('button', { name: w.newReport }).click();
    await page.getByRole('radiogroup', { name: w.types }).getByRole('radio', { name: w.type.damage }).check();
    await page.getByLabel(w.date).fill('2025-03-07');
    await page.getByLabel(w.place, { exact: true }).fill(lang === 'ar' ? 'حي الكرامة' : 'Al-Karama quarter');
    await page.getByRole('button', { name: w.save }).click();
    const reports = page.getByRole('list', { name: w.list }).getByRole('listitem');
    await reports.first().waitFor();
    await check('list, one report');
    await reports.first().getByRole('link').click();
    await page.getByRole('heading', { level: 1 }).waitFor();
    await check('report');

    await page.getByRole('link', { name: w.settings }).first().click();
    await page.getByRole('heading', { name: w.settings, level: 1 }).waitFor();
    await check('Settings');
    await page.goto('/sync');
    await unlock(page);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await check('Sync');

    // The lock screen as each later start shows it.
    await page.reload();
    await page.getByLabel(lang === 'ar' ? 'رمز القفل' : 'Passcode', { exact: true }).waitFor();
    await check('lock screen');

    const found = Object.entries(seen).filter(([, v]) => v.length > 0);
    expect(found, JSON.stringify(found, null, 1)).toEqual([]);
    expect(Object.keys(seen)).toHaveLength(15);
    await expectRulesRan(page);
    await context.close();
  });
}
