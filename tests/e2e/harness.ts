/**
 * What browser tests share: Debian's Chromium driven by playwright-core, a phone-sized context,
 * screenshots for people to look at, and the address of the server started by global-setup.ts.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { inject } from 'vitest';
export { CHROMIUM_ARGS, chromiumPath, launchBrowser } from '../chromium.ts';

const SCREENSHOT_DIR = 'test-output/screenshots';

/** The server under test, e.g. `http://127.0.0.1:41234` (no trailing slash). */
export function baseUrl(): string {
  return inject('baseUrl');
}

/** A low-end Android phone's screen. */
export const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } as const;

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
