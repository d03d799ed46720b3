/**
 * The desk's map in Chromium, on a coordinator's laptop over a base filled with the demo's invented
 * reports: the invented sample boundary layer imported in Settings, the map drawn with its areas and
 * dots, the table beside it saying what the map's areas say, a filter set on the list holding on the
 * map and changing both, and no request leaving the origin while the map shows. In Arabic, then in
 * English. Expectations come from the page itself, never from the demo's exact numbers.
 */
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ar } from '../../src/app/i18n/ar.ts';
import { deskCatalogAr } from '../../src/app/i18n/desk-catalog.ar.ts';
import { deskCatalogEn } from '../../src/app/i18n/desk-catalog.en.ts';
import { en } from '../../src/app/i18n/en.ts';
import { translator, type Translator } from '../../src/app/i18n/i18n.ts';
import { screensAr } from '../../src/app/i18n/screens.ar.ts';
import { screensEn } from '../../src/app/i18n/screens.en.ts';
import { MAX_BOUNDARY_MB } from '../../src/domain/boundaries.ts';
import { normalizeDigits } from '../../src/domain/digits.ts';
import { joinDemoBase, LAPTOP, languageStored, launchBrowser, screenshot, syncNow, until } from './harness.ts';
import { startServer, type ServerProcess } from './server-process.ts';

const SAMPLE = fileURLToPath(new URL('../../public/boundaries/sample-boundaries-invented.geojson', import.meta.url));
const NOT_GEOJSON = fileURLToPath(new URL('../../public/gazetteer/sample-gazetteer-syrian-coast.csv', import.meta.url));

let server: ServerProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Every URL the page asked for, from the start. */
const requested: string[] = [];

const trs = {
  ar: translator('ar', { ...ar, ...screensAr, ...deskCatalogAr }, true),
  en: translator('en', { ...en, ...screensEn, ...deskCatalogEn }, true),
} as const;
type Lang = keyof typeof trs;

beforeAll(async () => {
  server = await startServer({ args: ['--demo'] });
  browser = await launchBrowser();
  context = await browser.newContext({ ...LAPTOP, baseURL: server.baseUrl });
  page = await context.newPage();
  page.on('request', (r) => requested.push(r.url()));
  await joinDemoBase(page, server);
  await syncNow(page, 'ar');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** The map's SVG, named for the level it shows. */
const map = (tr: Translator, level: 1 | 2 | 3) => page.getByRole('group', { name: tr.t(`map.label.${level}`), exact: true });

/** The accessible name of each admin area the map draws. */
async function mapAreas(tr: Translator, level: 1 | 2 | 3): Promise<string[]> {
  const areas = map(tr, level)
    .getByRole('group', { name: tr.t('map.areas'), exact: true })
    .getByRole('img');
  await areas.first().waitFor();
  const names = await areas.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
  return names.sort();
}

/** The table's rows as the map names an area: "name, reports: n", with the number its cell holds. */
async function tableAreas(tr: Translator, level: 1 | 2 | 3): Promise<{ names: string[]; total: number }> {
  const table = page.getByRole('table', { name: tr.t(`map.label.${level}`), exact: true });
  await table.waitFor();
  const rows = await table
    .locator('tbody tr')
    .evaluateAll((trs) =>
      trs.map((row) => ({ name: row.querySelector('th')?.textContent ?? '', n: Number(row.querySelector('data')?.getAttribute('value')) })),
    );
  return { names: rows.map((r) => tr.t('map.area', { name: r.name, n: r.n })).sort(), total: rows.reduce((s, r) => s + r.n, 0) };
}

/** "N of M reports" as the page says it, in either language's digits. */
async function shownCount(): Promise<number> {
  const text = normalizeDigits((await page.getByRole('main').getByRole('status').first().textContent()) ?? '');
  return Number(/\d+/.exec(text)?.[0] ?? NaN);
}

/** The reports the lines under the table say the map cannot place, read back through the catalog's own words. */
async function unplaced(tr: Translator, shown: number): Promise<number> {
  const lines = await page
    .getByRole('list', { name: tr.t('map.unplaced'), exact: true })
    .getByRole('listitem')
    .allTextContents();
  const counts = Array.from({ length: shown + 1 }, (_, n) => n);
  return lines
    .map((line) => counts.find((n) => line === tr.plural('map.noArea', n) || line === tr.plural('map.notInLayer', n)) ?? NaN)
    .reduce((a, b) => a + b, 0);
}

/** What the map's areas say equals what the table says, and the table and its lines count every report shown. */
async function expectTableAgrees(tr: Translator, level: 1 | 2 | 3 = 3): Promise<string[]> {
  return until(
    page,
    async () => {
      const shown = await shownCount();
      return { map: await mapAreas(tr, level), table: await tableAreas(tr, level), shown, unplaced: await unplaced(tr, shown) };
    },
    (seen) => {
      expect(seen.map.length).toBeGreaterThan(0);
      expect(seen.map).toEqual(seen.table.names);
      expect(seen.table.total + seen.unplaced).toBe(seen.shown);
    },
  ).then((seen) => seen.map);
}

async function openMapFromList(tr: Translator): Promise<void> {
  await page
    .getByRole('navigation', { name: tr.t('desk.nav'), exact: true })
    .getByRole('link', { name: tr.t('desk.nav.map'), exact: true })
    .click();
  await page.getByRole('heading', { level: 1, name: tr.t('map.title'), exact: true }).waitFor();
}

async function checkMap(lang: Lang): Promise<void> {
  const tr = trs[lang];
  const filters = page.getByRole('search', { name: tr.t('desk.filters') });

  // A filter set on the list...
  await page.goto('/desk');
  await page.getByRole('heading', { level: 1, name: tr.t('desk.list.title'), exact: true }).waitFor();
  // The list shows what it has read while it reads (the map waits for all): the count compared below
  // is the one it gives once it holds every report.
  await page.getByText(tr.t('desk.loading'), { exact: true }).waitFor({ state: 'detached' });
  await filters.getByLabel(tr.t('desk.filter.type'), { exact: true }).selectOption({ label: tr.t('type.displacement') });
  const onList = await until(page, shownCount, (n) => expect(n).toBeGreaterThan(0));

  // ...holds on the map: the same choice, the same reports.
  requested.length = 0;
  await openMapFromList(tr);
  const type = filters.getByLabel(tr.t('desk.filter.type'), { exact: true });
  expect(await type.inputValue()).toBe('displacement');
  expect(await until(page, shownCount, (n) => expect(n).toBe(onList))).toBe(onList);
  // The deepest level with reports: the demo's reports are filed under sub-districts.
  expect(await page.getByLabel(tr.t('map.level'), { exact: true }).inputValue()).toBe('3');
  const displacement = await expectTableAgrees(tr);

  // Reports with a point are dots, as many as the map's name for them says.
  const circles = await map(tr, 3).locator('circle').count();
  expect(circles).toBeGreaterThan(0);
  await map(tr, 3)
    .getByRole('img', { name: tr.plural('map.dots', circles), exact: true })
    .waitFor();

  // A filter changed on the map changes the map and the table together.
  await type.selectOption({ label: tr.t('type.damage') });
  const damage = await until(
    page,
    () => expectTableAgrees(tr),
    (names) => expect(names).not.toEqual(displacement),
  );
  expect(damage).not.toEqual(displacement);
  await screenshot(page, `desk-map-${lang}`);

  // Another admin level: the districts, drawn and counted alike.
  await page.getByLabel(tr.t('map.level'), { exact: true }).selectOption({ label: tr.t('exports.level.2') });
  const districts = await expectTableAgrees(tr, 2);
  expect(districts.length).toBeLessThan(damage.length);

  // Nothing left the origin while the map showed: no tile, no font, no script from elsewhere.
  const origin = new URL(server.baseUrl).origin;
  expect(requested.filter((url) => new URL(url).origin !== origin)).toEqual([]);

  // And back on the list, the filter changed on the map is the one set.
  await page
    .getByRole('navigation', { name: tr.t('desk.nav'), exact: true })
    .getByRole('link', { name: tr.t('desk.nav.reports'), exact: true })
    .click();
  await page.getByRole('heading', { level: 1, name: tr.t('desk.list.title'), exact: true }).waitFor();
  expect(await filters.getByLabel(tr.t('desk.filter.type'), { exact: true }).inputValue()).toBe('damage');
  await page.getByRole('button', { name: tr.t('desk.filter.clear') }).click();
}

describe('the desk map', () => {
  test('in Arabic: the invented layer imported in Settings, the map and its table agree and follow the filters', async () => {
    const tr = trs.ar;
    // Before a layer is imported, the map says where to get one.
    await page.goto('/desk/map');
    await page.getByText(tr.t('map.noLayer')).waitFor();

    await page.goto('/settings');
    const panel = page.getByRole('region', { name: tr.t('boundaries.title'), exact: true });
    await panel.getByText(tr.t('boundaries.none')).waitFor();
    await panel.getByLabel(tr.t('boundaries.file', { mb: MAX_BOUNDARY_MB })).setInputFiles(SAMPLE);
    await panel.getByRole('status').getByText(tr.plural('boundaries.imported', 32)).waitFor();
    // What is loaded, by level.
    for (const [level, n] of [
      [1, 2],
      [2, 10],
      [3, 20],
    ] as const)
      await panel
        .getByRole('listitem')
        .getByText(tr.plural(`boundaries.count.${level}`, n), { exact: true })
        .waitFor();

    await checkMap('ar');
  }, 240_000);

  test('in English: the same agreement; a file that is not GeoJSON is refused in English, the layer kept; then removed', async () => {
    const tr = trs.en;
    await page.getByRole('combobox', { name: trs.ar.t('settings.language') }).selectOption('en');
    await languageStored(page, 'en');

    await page.goto('/settings');
    const panel = page.getByRole('region', { name: tr.t('boundaries.title'), exact: true });
    await panel.getByLabel(tr.t('boundaries.file', { mb: MAX_BOUNDARY_MB })).setInputFiles(NOT_GEOJSON);
    await panel.getByRole('status').getByText(tr.t('err.boundaries.notGeoJson')).waitFor();
    await panel.getByText(tr.plural('boundaries.count.3', 20), { exact: true }).waitFor();

    await checkMap('en');

    // Removed, the layer is gone from Settings and the map says where to get one again.
    await page.goto('/settings');
    await panel.getByRole('button', { name: tr.t('boundaries.remove') }).click();
    await panel.getByRole('status').getByText(tr.t('boundaries.removed')).waitFor();
    await panel.getByText(tr.t('boundaries.none')).waitFor();
    await page.goto('/desk/map');
    await page.getByText(tr.t('map.noLayer')).waitFor();
  }, 240_000);
});
