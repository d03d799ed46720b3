/**
 * What browser tests share: Debian's Chromium driven by playwright-core, a phone-sized context,
 * screenshots for people to look at, and the address of the server started by global-setup.ts.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect, inject } from 'vitest';
export { CHROMIUM_ARGS, chromiumPath, launchBrowser } from '../chromium.ts';

const SCREENSHOT_DIR = 'test-output/screenshots';

/** The server under test, e.g. `http://127.0.0.1:41234` (no trailing slash). */
export function baseUrl(): string {
  return inject('baseUrl');
}

/** A low-end Android phone's screen. */
export const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } as const;

/** A coordinator's laptop at base: where the desk is used. */
export const LAPTOP = { viewport: { width: 1280, height: 800 } } as const;

export interface PhoneOptions {
  /** BCP 47 tag for navigator.language and Accept-Language, e.g. 'ar-SD' or 'en'. */
  locale?: string;
}

/**
 * A context shaped like a low-end Android phone, with its own storage and service workers allowed,
 * so an app loaded in it can go offline. Relative URLs in page.goto resolve against baseUrl().
 */
export function newPhoneContext(browser: Browser, opts: PhoneOptions = {}): Promise<BrowserContext> {
  return browser.newContext({
    baseURL: baseUrl(),
    ...PHONE,
    serviceWorkers: 'allow',
    ...(opts.locale === undefined ? {} : { locale: opts.locale }),
  });
}

/** Saves the page as test-output/screenshots/<name>.png and returns that path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`Screenshot names are letters, digits, '.', '-' and '_': "${name}"`);
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  // What the phone's screen shows, as a monitor sees it; a full-page capture repeats sticky bars mid-page.
  await page.screenshot({ path: file });
  return file;
}

/** Rows in one object store of the app's IndexedDB database, read through the page. */
export function countRows(page: Page, store: string): Promise<number> {
  return page.evaluate(
    (name) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('rasid');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction(name).objectStore(name).count();
          req.onsuccess = () => {
            open.result.close();
            resolve(req.result);
          };
          req.onerror = () => reject(req.error);
        };
      }),
    store,
  );
}

export async function waitForServiceWorker(p: Page): Promise<void> {
  await p.waitForFunction(() => navigator.serviceWorker?.controller !== null, undefined, { timeout: 30_000 });
}

/** Opens an enrollment link's code in the app (in Arabic, its default) and enrolls the device. */
export async function enroll(p: Page, code: string): Promise<void> {
  await p.goto(`/enroll#code=${code}`);
  await p.getByRole('button', { name: 'سجّل هذا الجهاز' }).click();
  await p.getByRole('status').getByText(/سُجّل هذا الجهاز بصفة/).waitFor();
  // The code left the address bar once read.
  expect(p.url()).not.toContain('code=');
}

/** Presses "Sync now" and waits until the sync bar reports a finished sync; returns what it says. */
export async function syncNow(p: Page, lang: 'ar' | 'en'): Promise<string> {
  const bar = p.getByRole('region', { name: lang === 'ar' ? 'المزامنة' : 'Sync' });
  const button = bar.getByRole('button', { name: lang === 'ar' ? 'زامن الآن' : 'Sync now' });
  await expect.poll(() => button.isEnabled()).toBe(true);
  const finished = async () => Number(await bar.getAttribute('data-syncs'));
  const before = await finished();
  await button.click();
  await expect.poll(finished, { timeout: 20_000 }).toBeGreaterThan(before);
  return (await bar.getByRole('status').textContent()) ?? '';
}
