/**
 * What browser tests share: Debian's Chromium driven by playwright-core, a phone-sized context,
 * screenshots for people to look at, and the address of the server started by global-setup.ts.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { launchBrowser } from '../chromium.ts';
import { startServer, type ServerProcess } from './server-process.ts';
export { browserJpeg } from './page-jpeg.ts';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { deskAr } from '../../src/app/i18n/desk.ar.ts';
import { deskEn } from '../../src/app/i18n/desk.en.ts';
import { DEMO_KEY_FILE, DEMO_KEY_PASSPHRASE, DEMO_ROOT_FILE, DEMO_ROOT_PASSPHRASE } from '../../src/server/demo/demo-keys.ts';
export { launchBrowser } from '../chromium.ts';

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
  /** Another server than the shared one, for relative URLs. */
  baseURL?: string;
}

/**
 * A context shaped like a low-end Android phone, with its own storage and service workers allowed,
 * so an app loaded in it can go offline. Relative URLs in page.goto resolve against baseUrl() unless
 * another is given. Its
 * pages unlock themselves with TEST_PASSCODE unless `locked` is set.
 */
export async function newPhoneContext(browser: Browser, opts: PhoneOptions & { locked?: boolean } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: opts.baseURL ?? baseUrl(),
    ...PHONE,
    serviceWorkers: 'allow',
    ...(opts.locale === undefined ? {} : { locale: opts.locale }),
  });
  if (!opts.locked) autoUnlock(context);
  return context;
}

/**
 * Cuts or restores the network of every page of a context, as a phone losing its signal. Requests
 * fail or go through by the driver's emulation; `navigator.onLine` is made to say the same on pages
 * loaded after this too: Debian's Chromium 150 reports true on any document loaded after the
 * emulation began, though no request leaves, and the app asks it whether to sync and how to word a
 * failed one.
 */
export async function setOffline(context: BrowserContext, offline: boolean): Promise<void> {
  await context.setOffline(offline);
  // Init scripts run in the order they were added: the last one added says how the network is now.
  await context.addInitScript((off: boolean) => {
    // The browser's own accessor, kept aside once, on an object of its own, before any is added.
    const held = globalThis as { nativeOnLine?: object };
    held.nativeOnLine ??= Object.create(null, { onLine: Object.getOwnPropertyDescriptor(Navigator.prototype, 'onLine')! }) as object;
    const native = held.nativeOnLine;
    Object.defineProperty(Navigator.prototype, 'onLine', {
      configurable: true,
      get: () => !off && (Reflect.get(native, 'onLine', navigator) as boolean),
    });
  }, offline);
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
        open.onerror = () => reject(open.error ?? new Error('indexedDB.open failed'));
        open.onsuccess = () => {
          const req = open.result.transaction(name).objectStore(name).count();
          req.onsuccess = () => {
            open.result.close();
            resolve(req.result);
          };
          req.onerror = () => reject(req.error ?? new Error('count failed'));
        };
      }),
    store,
  );
}

/**
 * Waits until the locator matches exactly `n` elements, as the page updates them: until the n-th is
 * there and no (n+1)-th is. Each wait is the page's own; the count is read again after both, since
 * the list may have moved between them.
 */
export async function waitForCount(locator: Locator, n: number): Promise<void> {
  for (;;) {
    if (n > 0) await locator.nth(n - 1).waitFor({ state: 'attached' });
    await locator.nth(n).waitFor({ state: 'detached' });
    if ((await locator.count()) === n) return;
  }
}

/**
 * Reads the page until `check` accepts what `read` returns, reading again after each frame the page
 * draws, and returns that reading: for states no single locator names (a count said in words, the
 * texts of a list, a row's place). `check` throws (an expect) while the state is not there yet. It
 * waits as long as the test may: a busy machine is waited for, and a state that never comes fails
 * the test at its time limit.
 */
export async function until<T>(page: Page, read: () => Promise<T>, check: (value: T) => void): Promise<T> {
  for (;;) {
    const value = await read();
    try {
      check(value);
      return value;
    } catch (notYet) {
      if (page.isClosed()) throw notYet;
    }
    // A page that navigates meanwhile has no frame to wait for: read it again.
    await page.evaluate(() => new Promise<number>((resolve) => requestAnimationFrame(resolve))).catch(() => undefined);
  }
}

/** Waits until a form field holds `value`: a form shows a report's values once it has read them. */
export async function waitForValue(field: Locator, value: string): Promise<void> {
  const handle = await field.elementHandle();
  await field.page().waitForFunction(({ el, value }) => (el as HTMLInputElement).value === value, { el: handle, value });
}

export async function waitForServiceWorker(p: Page): Promise<void> {
  await p.waitForFunction(() => navigator.serviceWorker?.controller !== null);
}

/** The passcode every test phone is locked with. */
export const TEST_PASSCODE = 'olive-grove-2026';

const PASSCODE_LABEL = /^(Passcode|رمز القفل)$/;
const CONFIRM_LABEL = /^(Passcode again|رمز القفل مرة أخرى)$/;
const LOCK_BUTTON = /^(Set the passcode|احفظ رمز القفل|Unlock|افتح)$/;
const MAIN_NAV = /^(Main|القائمة الرئيسية)$/;
const SKIP_INTRO = /^(Skip|تخطي)$/;

/**
 * Answers the lock screen as a monitor would: skips the introduction and sets the passcode the
 * first time, types it at every later start. Returns once the app behind it shows its navigation,
 * or as soon as `load` is aborted: a later load of the page has its own answer. A navigation in the
 * middle of it (a reload, a test's goto) only means answering the new screen.
 */
export async function unlock(page: Page, passcode = TEST_PASSCODE, limitMs = 60_000, load?: AbortSignal): Promise<void> {
  const field = page.getByLabel(PASSCODE_LABEL, { exact: true });
  const confirm = page.getByLabel(CONFIRM_LABEL, { exact: true });
  const button = page.getByRole('button', { name: LOCK_BUTTON });
  const nav = page.getByRole('navigation', { name: MAIN_NAV });
  const skip = page.getByRole('button', { name: SKIP_INTRO });
  const ready = button.and(page.locator(':enabled'));
  const deadline = Date.now() + limitMs;
  // Resolves when a later load takes over; the waits below end with it.
  const superseded = new Promise<void>((resolve) => load?.addEventListener('abort', () => resolve(), { once: true }));
  const orSuperseded = (wait: Promise<unknown>) => Promise.race([wait, superseded]);
  while (Date.now() < deadline && !page.isClosed()) {
    if (load?.aborted) return;
    try {
      if (await nav.isVisible()) return;
      if (await skip.isVisible()) await skip.click({ timeout: 2_000 });
      if ((await field.isVisible()) && (await button.isEnabled())) {
        // Each step is bounded, not awaited at length: one on a page that navigated away gives up,
        // and the next round answers the screen shown then; the round ends on the app's state.
        await field.fill(passcode, { timeout: 2_000 });
        if (await confirm.isVisible()) await confirm.fill(passcode, { timeout: 2_000 });
        if (load?.aborted) return;
        if ((await field.inputValue({ timeout: 2_000 })) === passcode) await button.click({ timeout: 2_000 });
        await orSuperseded(nav.waitFor({ timeout: 15_000 }));
        return;
      }
    } catch {
      // The page moved on under us: look again at what it shows now.
    }
    // Until the app shows, or the lock screen can take the passcode: not yet loaded, or still
    // opening the vault with the passcode given.
    await orSuperseded(nav.or(ready).or(skip).first().waitFor()).catch(() => undefined);
  }
  if (load?.aborted) return;
  throw new Error('The app did not unlock');
}

/**
 * Waits until the interface language chosen is stored: the app shows it at once and stores it
 * without waiting, so a test that reloads right after choosing would otherwise start the app
 * again in the language it had.
 */
export async function languageStored(page: Page, lang: 'ar' | 'en'): Promise<void> {
  await page.waitForFunction(
    (wanted) =>
      new Promise<boolean>((resolve) => {
        const open = indexedDB.open('keyval-store');
        open.onerror = () => resolve(false);
        open.onsuccess = () => {
          const db = open.result;
          try {
            const read = db.transaction('keyval').objectStore('keyval').get('lang');
            read.onsuccess = () => {
              db.close();
              resolve(read.result === wanted);
            };
            read.onerror = () => {
              db.close();
              resolve(false);
            };
          } catch {
            db.close();
            resolve(false);
          }
        };
      }),
    lang,
  );
}

/** Waits until the app (not the lock screen) is showing. */
export async function appReady(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: MAIN_NAV }).waitFor({ timeout: 60_000 });
}

/**
 * Unlocks every page of the context each time it loads the app, as its user would: one answer per
 * load, the latest. A test about the lock itself does not use this.
 */
export function autoUnlock(context: BrowserContext, passcode = TEST_PASSCODE): void {
  if (unlocking.has(context)) return;
  unlocking.add(context);
  // Each load gets its own answer, with its own time: the one before it stops, even mid-wait, since
  // the screen it waited on is gone.
  const loads = new WeakMap<Page, AbortController>();
  const watch = (page: Page) =>
    page.on('load', () => {
      loads.get(page)?.abort();
      const load = new AbortController();
      loads.set(page, load);
      // A page that leaves the app, or that a test closes, ends the wait quietly.
      unlock(page, passcode, 60_000, load.signal).catch(() => undefined);
    });
  context.on('page', watch);
  for (const page of context.pages()) watch(page);
}
const unlocking = new WeakSet<BrowserContext>();

/** The lock screen's passcode field: the first thing a page of the app shows. */
export function passcodeField(page: Page): Locator {
  return page.getByLabel(PASSCODE_LABEL, { exact: true });
}

/** Every address in the page's session history (Back and Forward), as the browser keeps them. */
export async function sessionHistory(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { entries } = await cdp.send('Page.getNavigationHistory');
    return entries.map((e) => e.url);
  } finally {
    await cdp.detach();
  }
}

/** Opens an enrollment link's code in the app (in Arabic, its default) and enrolls the device. */
export async function enroll(p: Page, code: string): Promise<void> {
  autoUnlock(p.context());
  await p.goto(`/enroll#code=${code}`);
  await p.getByRole('button', { name: 'سجّل هذا الجهاز' }).click();
  await p
    .getByRole('status')
    .getByText(/سُجّل هذا الجهاز بصفة/)
    .waitFor();
  // The code left the address bar once read.
  expect(p.url()).not.toContain('code=');
}

/**
 * Opens an enrollment link as the Devices screen shows it (the deployment key's fingerprint
 * included) and enrolls the device, in Arabic, the app's default.
 */
export async function enrollByLink(p: Page, link: string): Promise<void> {
  await p.goto(link.slice(link.indexOf('/enroll')));
  await appReady(p);
  await p.getByRole('button', { name: 'سجّل هذا الجهاز' }).click();
  await p
    .getByRole('status')
    .getByText(/سُجّل هذا الجهاز بصفة/)
    .waitFor();
}

/** Loads the sample gazetteer on the Settings screen, in Arabic, as a phone not enrolled yet may. */
export async function loadSampleGazetteer(p: Page): Promise<void> {
  await p.getByRole('link', { name: 'الإعدادات' }).click();
  await p.getByRole('button', { name: 'حمّل الدليل الجغرافي التجريبي' }).click();
  await p
    .getByRole('status')
    .getByText(/استُوردت/)
    .waitFor();
}

/** Saves a damage report through the Arabic form, from the list, and waits until it is saved. */
export async function saveDamageReport(
  p: Page,
  r: { date: string; place: string; structures: string; notes: string },
  /** What else to do on the form before saving it (attach a photo, say). */
  more?: () => Promise<void>,
): Promise<void> {
  await p.goto('/');
  await p.getByRole('button', { name: 'تقرير جديد' }).click();
  await p.getByRole('radiogroup', { name: 'نوع التقرير' }).getByRole('radio', { name: 'أضرار' }).check();
  await p.getByLabel('تاريخ الحدث').fill(r.date);
  await p.getByLabel('اسم المكان', { exact: true }).fill(r.place);
  await p.getByLabel('عدد المباني').fill(r.structures);
  await p.getByLabel('ملاحظات').fill(r.notes);
  await more?.();
  await p.getByRole('button', { name: 'حفظ' }).click();
  // The app shows the list once the save has landed: a test that moves on sooner may cut it short.
  await p.waitForURL((url) => url.pathname === '/');
}

/**
 * Presses "Sync now" and waits until a sync that started after this call has finished; returns what
 * the sync bar then says. A sync already running (the one the app starts as it loads) may have begun
 * before what the test just wrote or what another device just pushed: its end is not the one awaited.
 */
export async function syncNow(p: Page, lang: 'ar' | 'en'): Promise<string> {
  const name = lang === 'ar' ? 'المزامنة' : 'Sync';
  const bar = p.getByRole('region', { name, exact: true });
  // The bar counts finished syncs (data-syncs) and says when one runs (aria-busy): read together, in
  // one turn of the page, they count the syncs started so far.
  const started = await bar.evaluate((el) => Number(el.getAttribute('data-syncs')) + (el.getAttribute('aria-busy') === 'true' ? 1 : 0));
  // Disabled while a sync runs: the click waits for it to end, and then starts the one awaited.
  await bar.getByRole('button', { name: lang === 'ar' ? 'زامن الآن' : 'Sync now' }).click();
  await p.waitForFunction(
    ({ name, started }) => {
      const el = document.querySelector(`section[aria-label="${name}"]`);
      return Number(el?.getAttribute('data-syncs')) > started && el?.getAttribute('aria-busy') === 'false';
    },
    { name, started },
  );
  return (await bar.getByRole('status').textContent()) ?? '';
}

/**
 * Every record of every IndexedDB database of the page's origin, as one text (bytes decoded as
 * UTF-8 so text hidden in them would show), each record after its `database/store` name. What a
 * person holding the phone's files could read. A connection the page keeps in `globalThis.held` is
 * read through rather than opening another (one queued behind a pending deletion would never open).
 */
export function readAllStored(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const out: string[] = [];
    const decode = (v: unknown): unknown => {
      if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return new TextDecoder('utf-8', { fatal: false }).decode(v);
      if (v instanceof CryptoKey) return `[CryptoKey ${v.type}]`;
      if (Array.isArray(v)) return v.map(decode);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]));
      return v;
    };
    for (const { name } of await indexedDB.databases()) {
      if (!name) continue;
      const held = (globalThis as unknown as { held?: IDBDatabase }).held;
      const db =
        held?.name === name
          ? held
          : await new Promise<IDBDatabase>((resolve, reject) => {
              const req = indexedDB.open(name);
              req.onsuccess = () => resolve(req.result);
              req.onerror = () => reject(req.error ?? new Error('indexedDB.open failed'));
            });
      for (const store of Array.from(db.objectStoreNames)) {
        const rows = await new Promise<unknown[]>((resolve, reject) => {
          const req = db.transaction(store).objectStore(store).getAll();
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error ?? new Error('getAll failed'));
        });
        for (const row of rows) out.push(`${name}/${store} ${JSON.stringify(decode(row))}`);
      }
      if (db !== held) db.close();
    }
    return out.join('\n');
  });
}

/**
 * A browser and a server with a store of the test file's own, started before its tests and stopped
 * after them: for tests that need a first coordinator code, or a deployment key, the server shared
 * by the other files must not get.
 */
export function ownBrowserAndServer(): { readonly browser: Browser; readonly server: ServerProcess } {
  const own = {} as { browser: Browser; server: ServerProcess };
  beforeAll(async () => {
    [own.browser, own.server] = await Promise.all([launchBrowser(), startServer()]);
  });
  afterAll(async () => {
    await own.browser?.close();
    await own.server?.stop();
  });
  return own;
}

/**
 * The first coordinator makes the deployment key and its root on the Devices screen (in English),
 * as a deployment does before any monitor enrolls, and returns the first monitor's enrollment link.
 * The root file gets `rootPassphrase`, its own.
 */
export async function makeDeploymentKeys(
  coordinator: Page,
  passphrase: string,
  rootPassphrase = 'a well dug below the old mill',
): Promise<string> {
  await coordinator.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
  const section = coordinator.getByRole('region', { name: deskEn['deploymentKey.title'] });
  await section.getByLabel(deskEn['deploymentKey.passphrase'], { exact: true }).fill(passphrase);
  await section.getByLabel(deskEn['deploymentKey.confirm']).fill(passphrase);
  await section.getByLabel(deskEn['deploymentKey.rootPassphrase'], { exact: true }).fill(rootPassphrase);
  await section.getByLabel(deskEn['deploymentKey.rootConfirm']).fill(rootPassphrase);
  await section.getByRole('button', { name: deskEn['deploymentKey.make'] }).click();
  await section.getByRole('status').getByText(deskEn['deploymentKey.held']).waitFor();
  await coordinator.getByRole('button', { name: 'Enroll a new monitor' }).click();
  const link = (await coordinator.getByTestId('enrollment-link').textContent()) ?? '';
  expect(link).toMatch(/[#&]fp=/);
  return link;
}

/**
 * A deployment as one starts now, on the test file's own server: the first coordinator's desk (in
 * English) makes the deployment key and root with `passphrase`, and a phone (in Arabic, unlocked on
 * each load) enrolls by the link it shows.
 */
export async function deskAndPhone(
  own: { browser: Browser; server: ServerProcess },
  passphrase: string,
  phone: { serviceWorkers?: 'allow' | 'block' } = {},
) {
  const desk = await own.browser.newContext({ baseURL: own.server.baseUrl, ...LAPTOP, serviceWorkers: 'allow' });
  const coordinator = await desk.newPage();
  await enroll(coordinator, own.server.firstCoordinatorCode);
  await coordinator.getByLabel('اللغة').first().selectOption('en');
  const link = await makeDeploymentKeys(coordinator, passphrase);
  const phoneContext = await own.browser.newContext({
    baseURL: own.server.baseUrl,
    ...PHONE,
    serviceWorkers: phone.serviceWorkers ?? 'allow',
  });
  autoUnlock(phoneContext);
  const phonePage = await phoneContext.newPage();
  await enrollByLink(phonePage, link);
  return { desk, coordinator, phoneContext, phone: phonePage };
}

/**
 * A coordinator joins a demo base (`--demo`) as the lines the base printed say, in Arabic, the app's
 * default: enrolled with the first link, which pins the demo root; on the Devices screen, the demo
 * key file imported with its passphrase, so the desk opens the demo's sealed reports, and the demo
 * root file opened, so the root names this coordinator too and its own verifications count. Opening
 * the root file ends with a sync, which relays that statement and brings the reports.
 */
export async function joinDemoBase(page: Page, server: ServerProcess): Promise<void> {
  await enrollOnDemoBase(page, server);
  await importDemoKeyFile(page, server);
  await openDemoRootFile(page, server);
}

/** Enrolled with the first coordinator link a demo base printed, which pins the demo root. */
export async function enrollOnDemoBase(page: Page, server: ServerProcess): Promise<void> {
  autoUnlock(page.context());
  expect(server.firstCoordinatorLink).toMatch(/&fp=/);
  await enrollByLink(page, server.firstCoordinatorLink);
}

/**
 * The demo root file opened on the Devices screen, in Arabic: the root names this coordinator, and
 * the desk syncs. `coordinators`: how many the desk then says the root names (the demo's two and this
 * one); another base's root file (the invented year's) is checked for opening alone.
 */
export async function openDemoRootFile(
  page: Page,
  server: ServerProcess,
  { coordinators }: { coordinators?: number } = { coordinators: 3 },
): Promise<void> {
  await page.goto('/devices');
  await appReady(page);
  const signing = page.getByRole('form', { name: deskAr['rootFile.title'] });
  await signing.getByLabel(deskAr['rootFile.file'], { exact: true }).setInputFiles(path.join(server.dataDir, DEMO_ROOT_FILE));
  await signing.getByLabel(deskAr['deploymentKey.rootPassphrase']).fill(DEMO_ROOT_PASSPHRASE);
  await signing.getByRole('button', { name: deskAr['rootFile.button'] }).click();
  // As for the key file: the root file opens under a slow key derivation, and ends in a status or an alert.
  await signing.getByRole('status').or(signing.getByRole('alert')).first().waitFor({ timeout: 0 });
  expect(await signing.getByRole('alert').allTextContents()).toEqual([]);
  // In the digits the interface shows.
  if (coordinators !== undefined)
    await signing
      .getByRole('status')
      .getByText(new RegExp(`[${coordinators}${'٠١٢٣٤٥٦٧٨٩'[coordinators]}]`))
      .waitFor();
}

/** The demo key file imported on the Devices screen, in Arabic, with the passphrase the demo base printed. */
export async function importDemoKeyFile(page: Page, server: ServerProcess): Promise<void> {
  await page.goto('/devices');
  await appReady(page);
  const section = page.getByRole('region', { name: deskAr['deploymentKey.title'] });
  const form = section.getByRole('form', { name: deskAr['deploymentKey.import.title'] });
  await form.getByLabel(deskAr['deploymentKey.import.file']).setInputFiles(path.join(server.dataDir, DEMO_KEY_FILE));
  await form.getByLabel(deskAr['deploymentKey.passphrase'], { exact: true }).fill(DEMO_KEY_PASSPHRASE);
  await form.getByRole('button', { name: deskAr['deploymentKey.import.button'] }).click();
  // The import ends in the status or in an alert. Its key derivation is made to be slow, slower still
  // on a busy machine: the wait is for that end, as long as the test lasts, not for a guess at it.
  const imported = section.getByRole('status').getByText(deskAr['deploymentKey.imported']);
  await imported.or(section.getByRole('alert')).first().waitFor({ timeout: 0 });
  expect(await section.getByRole('alert').allTextContents()).toEqual([]);
  await imported.waitFor();
}
