/**
 * The desk's screens as a screen reader meets them, on a coordinator's laptop over a base filled with
 * the demo's invented reports: axe-core finds no serious or critical violation on the desk list (also
 * filtered), a report's screen with its verification, duplicates and history, the Devices screen,
 * the conflict queue, the export screen with a profile chosen, the charts, Settings with its boundary
 * layer, and the map drawn from the invented sample layer, in Arabic and then in English. The app's CSP forbids inline scripts, so axe
 * is evaluated into the page by the browser's own protocol, as in the phone's test (axe.test.ts).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ar } from '../../src/app/i18n/ar.ts';
import { deskCatalogAr } from '../../src/app/i18n/desk-catalog.ar.ts';
import { deskCatalogEn } from '../../src/app/i18n/desk-catalog.en.ts';
import { en } from '../../src/app/i18n/en.ts';
import { screensAr } from '../../src/app/i18n/screens.ar.ts';
import { screensEn } from '../../src/app/i18n/screens.en.ts';
import { joinDemoBase, LAPTOP, languageStored, launchBrowser, syncNow, until, waitForCount } from './harness.ts';
import { expectRulesRan, violations, type Found } from './axe-check.ts';
import { startServer, type ServerProcess } from './server-process.ts';

let server: ServerProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;

const catalogs = {
  ar: { ...ar, ...screensAr, ...deskCatalogAr },
  en: { ...en, ...screensEn, ...deskCatalogEn },
} as const;
type Lang = keyof typeof catalogs;
type Key = keyof (typeof catalogs)['en'];

/** A message as the screen shows it in `lang`: one without a count. */
function say(lang: Lang, key: Key): string {
  const message = catalogs[lang][key];
  if (typeof message !== 'string') throw new Error(`${key} is a plural, not one text`);
  return message;
}

/** The screens each language's test looks at: none may be skipped silently. */
const SCREENS = 10;

beforeAll(async () => {
  server = await startServer({ args: ['--demo'] });
  browser = await launchBrowser();
  context = await browser.newContext({ baseURL: server.baseUrl, ...LAPTOP });
  page = await context.newPage();
  await joinDemoBase(page, server);
  await syncNow(page, 'ar');
  // The invented sample boundary layer, for the map.
  await page.goto('/settings');
  await page.getByRole('button', { name: say('ar', 'boundaries.loadSample') }).click();
  await page
    .getByRole('region', { name: say('ar', 'boundaries.title'), exact: true })
    .getByRole('list')
    .waitFor();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Visits every screen of the desk in `lang` and returns what axe found on each, by screen. */
async function visitDesk(lang: Lang): Promise<Record<string, Found[]>> {
  const t = (key: Key) => say(lang, key);
  const seen: Record<string, Found[]> = {};
  const check = async (screen: string) => {
    seen[screen] = await violations(page);
  };
  const heading = (key: Key) => page.getByRole('heading', { level: 1, name: t(key), exact: true });

  // The desk list, whole and then filtered.
  await page.goto('/desk');
  const rows = page.getByRole('list', { name: t('desk.list.label') }).getByRole('listitem');
  await rows.first().waitFor();
  await check('desk list');
  const filters = page.getByRole('search', { name: t('desk.filters') });
  const before = await rows.allTextContents();
  await filters.getByLabel(t('desk.filter.type'), { exact: true }).selectOption({ label: t('type.damage') });
  await filters.getByLabel(t('desk.filter.conflict')).check();
  await until(
    page,
    () => rows.allTextContents(),
    (texts) => {
      expect(texts.length).toBeGreaterThan(0);
      expect(texts).not.toEqual(before);
    },
  );
  await check('desk list, filtered');
  await page.getByRole('button', { name: t('desk.filter.clear') }).click();

  // The conflict queue, and a report opened from it: its competing values beside the desk's panels.
  await page
    .getByRole('navigation', { name: t('nav.main') })
    .getByRole('link', { name: t('nav.conflicts'), exact: true })
    .click();
  const queue = page.getByRole('list', { name: t('conflict.title'), exact: true }).getByRole('listitem');
  await queue.first().waitFor();
  await check('conflict queue');
  await queue.first().getByRole('link').click();
  await reportPanelsShown(lang);
  await check('report with a conflict');

  // A report with possible duplicates listed, found as a coordinator would: opening one after another.
  await page.goto('/');
  const reports = page.getByRole('list', { name: t('list.label'), exact: true }).getByRole('listitem');
  await reports.first().waitFor();
  const total = await reports.count();
  const candidates = page.getByRole('region', { name: t('duplicates.title') }).getByRole('listitem');
  for (let i = 0; i < total && (await candidates.count()) === 0; i++) {
    await page.goto('/');
    await reports.nth(i).getByRole('link').click();
    await reportPanelsShown(lang);
  }
  expect(await candidates.count()).toBeGreaterThan(0);
  await check('report with possible duplicates');

  await page.goto('/devices');
  await heading('devices.title').waitFor();
  await check('Devices');

  await page.goto('/desk/exports');
  await heading('exports.title').waitFor();
  await page.getByRole('combobox', { name: t('exports.run.profile'), exact: true }).selectOption({ label: t('profile.internal') });
  await check('exports');

  await page.goto('/desk/charts');
  await heading('charts.title').waitFor();
  const figures = page.getByRole('figure');
  await figures.first().waitFor();
  // One chart's table of numbers opened, so a table is checked too.
  await figures.first().getByText(t('charts.showNumbers'), { exact: true }).click();
  await figures.first().getByRole('table').waitFor();
  await check('charts');

  await page.goto('/settings');
  await page
    .getByRole('region', { name: t('boundaries.title'), exact: true })
    .getByRole('list')
    .waitFor();
  await check('Settings with a boundary layer');

  await page.goto('/desk/map');
  await heading('map.title').waitFor();
  await page
    .getByRole('group', { name: t('map.areas'), exact: true })
    .getByRole('img')
    .first()
    .waitFor();
  await page.getByRole('table', { name: t('map.label.3'), exact: true }).waitFor();
  await check('map');

  return seen;
}

/** Waits until a report's screen shows its verification, its possible duplicates and its history. */
async function reportPanelsShown(lang: Lang): Promise<void> {
  const t = (key: Key) => say(lang, key);
  await page.getByRole('region', { name: t('verify.title') }).waitFor();
  const duplicates = page.getByRole('region', { name: t('duplicates.title') });
  await duplicates.waitFor();
  await waitForCount(duplicates.getByText(t('duplicates.loading')), 0);
  await page.getByRole('list', { name: t('history.list'), exact: true }).waitFor();
}

describe('no screen of the desk has a serious or critical accessibility violation', () => {
  test('in Arabic', async () => {
    const seen = await visitDesk('ar');
    const found = Object.entries(seen).filter(([, v]) => v.length > 0);
    expect(found, JSON.stringify(found, null, 1)).toEqual([]);
    expect(Object.keys(seen)).toHaveLength(SCREENS);
  }, 240_000);

  test('in English', async () => {
    await page.getByRole('combobox', { name: say('ar', 'settings.language') }).selectOption('en');
    await languageStored(page, 'en');
    const seen = await visitDesk('en');
    const found = Object.entries(seen).filter(([, v]) => v.length > 0);
    expect(found, JSON.stringify(found, null, 1)).toEqual([]);
    expect(Object.keys(seen)).toHaveLength(SCREENS);

    await expectRulesRan(page);
  }, 240_000);
});
