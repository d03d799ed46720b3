/**
 * A screen whose code or messages do not arrive: a phone's first visit, before the service worker
 * holds the app, on a link that drops. The screen says so, in the messages the app started with,
 * and offers to reload; reloaded with the link back, the same screen opens.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { appReady, autoUnlock, baseUrl, enrollByLink, launchBrowser, passcodeField, PHONE, unlock } from './harness.ts';
import { startServer } from './server-process.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** A phone on its first visit: no service worker, so every chunk comes over the link, as routed here. */
async function firstVisit(refused: RegExp, { answered = true } = {}): Promise<{ context: BrowserContext; refusals: () => number }> {
  const context = await browser.newContext({ baseURL: baseUrl(), ...PHONE, serviceWorkers: 'block' });
  if (answered) autoUnlock(context);
  let refusals = 0;
  await context.route(refused, (route) => {
    refusals++;
    return route.abort('internetdisconnected');
  });
  return { context, refusals: () => refusals };
}

const NOT_LOADED = 'لم تُحمَّل هذه الشاشة';
const RELOAD = 'أعد تحميل التطبيق';

test('the new report form whose code does not come says so, and opens once reloaded with the link back', async () => {
  const chunk = /\/assets\/NewReport-[\w-]+\.js$/;
  const { context, refusals } = await firstVisit(chunk);
  const page = await context.newPage();
  await page.goto('/');
  await appReady(page);
  await page.getByRole('button', { name: 'تقرير جديد' }).click();
  const alert = page.getByRole('alert').filter({ hasText: NOT_LOADED });
  await alert.waitFor();
  expect(refusals()).toBeGreaterThan(0);
  expect(await page.getByRole('radiogroup', { name: 'نوع التقرير' }).count()).toBe(0);

  await context.unroute(chunk);
  await alert.getByRole('button', { name: RELOAD }).click();
  await page.getByRole('radiogroup', { name: 'نوع التقرير' }).waitFor();
  expect(new URL(page.url()).pathname).toBe('/new');
  expect(await page.getByRole('alert').filter({ hasText: NOT_LOADED }).count()).toBe(0);
  await context.close();
});

test('when the screens’ messages do not come, the passcode is asked at once, and Settings says so in the messages the app started with', async () => {
  const catalog = /\/assets\/screens\.ar-[\w-]+\.js$/;
  const { context, refusals } = await firstVisit(catalog, { answered: false });
  const page = await context.newPage();
  await page.goto('/');
  // The introduction's messages are among those: the lock screen's own ask for the first passcode.
  await passcodeField(page).waitFor();
  expect(await page.getByRole('button', { name: 'تخطي' }).count()).toBe(0);
  await unlock(page);
  autoUnlock(context);
  await page.getByRole('navigation', { name: 'القائمة الرئيسية' }).getByRole('link', { name: 'الإعدادات' }).click();
  const alert = page.getByRole('alert').filter({ hasText: NOT_LOADED });
  await alert.waitFor();
  expect(refusals()).toBeGreaterThan(0);

  await context.unroute(catalog);
  await alert.getByRole('button', { name: RELOAD }).click();
  await page.getByRole('heading', { name: 'الإعدادات', level: 1 }).waitFor();
  expect(new URL(page.url()).pathname).toBe('/settings');
  await context.close();
});

test('a desk whose own messages do not come still opens on the reports, and its desk screen says so', async () => {
  const server = await startServer();
  try {
    const context = await browser.newContext({ baseURL: server.baseUrl, ...PHONE, serviceWorkers: 'block' });
    let refusals = 0;
    await context.route(/\/assets\/desk-catalog\.ar-[\w-]+\.js$/, (route) => {
      refusals++;
      return route.abort('internetdisconnected');
    });
    autoUnlock(context);
    const page = await context.newPage();
    await enrollByLink(page, server.firstCoordinatorLink);
    // Unlocked again as a coordinator: the desk's messages are asked for before the list opens.
    await page.goto('/');
    await appReady(page);
    await page.getByRole('button', { name: 'تقرير جديد' }).waitFor();
    expect(refusals).toBeGreaterThan(0);
    await page.goto('/desk');
    await page.getByRole('alert').filter({ hasText: NOT_LOADED }).waitFor();
    await context.close();
  } finally {
    await server.stop();
  }
});
