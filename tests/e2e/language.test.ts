/**
 * Messages load after the page: the language a person chooses stays chosen, even when a catalog
 * asked for earlier (the desk's, as the device becomes a coordinator) arrives after it.
 */
import { expect, test } from 'vitest';
import { enroll, LAPTOP, ownBrowserAndServer } from './harness.ts';

const own = ownBrowserAndServer();

test("English chosen right after enrolling as coordinator stays English when the desk's Arabic messages arrive late", async () => {
  // Blocked, so that every request reaches the route below rather than a service worker's cache.
  const context = await own.browser.newContext({ baseURL: own.server.baseUrl, ...LAPTOP, serviceWorkers: 'block' });
  const page = await context.newPage();
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let asked!: () => void;
  const requested = new Promise<void>((resolve) => (asked = resolve));
  await page.route('**/assets/desk-catalog.ar-*.js', async (route) => {
    asked();
    await held;
    await route.continue();
  });

  await enroll(page, own.server.firstCoordinatorCode);
  await requested;
  await page.getByLabel('اللغة').first().selectOption('en');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).waitFor();

  release();
  // The app marks each catalog it has read, saying whether it showed it: the mark of the late
  // Arabic one is the moment it would have switched the page back, had it been shown.
  const late = await page.waitForFunction(() => performance.getEntriesByName('catalog:ar+desk').at(-1));
  expect(await late.evaluate((mark) => (mark as PerformanceMark).detail as unknown)).toEqual({ shown: false });
  expect(await page.locator('html').getAttribute('lang')).toBe('en');
  expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).count()).toBe(1);
  await context.close();
});
