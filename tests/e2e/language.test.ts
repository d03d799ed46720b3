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
  let asked = false;
  await page.route('**/assets/desk-catalog.ar-*.js', async (route) => {
    asked = true;
    await held;
    await route.continue();
  });

  await enroll(page, own.server.firstCoordinatorCode);
  await expect.poll(() => asked).toBe(true);
  await page.getByLabel('اللغة').first().selectOption('en');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).waitFor();

  const late = page.waitForResponse(/desk-catalog\.ar-/);
  release();
  await late;
  // The late catalog has been read by now; give the page the turn it would take to show it.
  await page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
  expect(await page.locator('html').getAttribute('lang')).toBe('en');
  expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).count()).toBe(1);
  await context.close();
});
