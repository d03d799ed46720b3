/**
 * Panic in Chromium against the real server, on a phone with reports, a draft, a gazetteer, an
 * enrollment token and a service worker in control: the wipe leaves nothing of the origin's storage,
 * and a wipe cut short right after its first step has already removed the wrapped data key and the
 * token, so what it left is ciphertext no one can open.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  appReady,
  countRows,
  launchBrowser,
  loadSampleGazetteer,
  newPhoneContext,
  readAllStored,
  saveDamageReport,
  screenshot,
  until,
  waitForCount,
  setOffline,
} from './harness.ts';

let browser: Browser;

const TOKEN = 'panic-test-token-5f2c9e';
const reports = (p: Page) => p.getByRole('list', { name: 'التقارير' }).getByRole('listitem');

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

/**
 * A phone in use: the app under its service worker, one saved report, one draft, and the sample
 * gazetteer. The enrollment is written where and as the app keeps it (a real one needs the
 * coordinator's one-time code, which the sync test uses): what matters here is that the token is
 * stored, not that the base accepts it.
 */
async function phoneInUse(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto('/');
  await appReady(page);
  await page.waitForFunction(() => navigator.serviceWorker?.controller !== null);

  await loadSampleGazetteer(page);

  await page.getByRole('link', { name: 'التقارير' }).click();
  await page.getByRole('button', { name: 'تقرير جديد' }).click();
  await page.getByRole('radiogroup', { name: 'نوع التقرير' }).getByRole('radio', { name: 'أضرار' }).check();
  await page.getByLabel('تاريخ الحدث').fill('2025-03-07');
  await page.getByLabel('اسم المكان', { exact: true }).fill('حارة الزيتون القديمة');
  await page.getByRole('button', { name: 'حفظ' }).click();
  await waitForCount(reports(page), 1);

  await page.getByRole('button', { name: 'تقرير جديد' }).click();
  await page.getByRole('radiogroup', { name: 'نوع التقرير' }).getByRole('radio', { name: 'نزوح' }).check();
  await page.getByLabel('اسم المكان', { exact: true }).fill('حي القصور');
  await until(
    page,
    () => countRows(page, 'drafts'),
    (n) => expect(n).toBe(1),
  );

  await page.evaluate(
    ({ origin, token }) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('keyval-store');
        open.onsuccess = () => {
          const tx = open.result.transaction('keyval', 'readwrite');
          const store = tx.objectStore('keyval');
          store.get('deviceId').onsuccess = (e) => {
            const device = (e.target as IDBRequest<string>).result;
            store.put({ origin, role: 'monitor', token, device, enrolledAt: Date.now() }, 'enrollment');
          };
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error ?? new Error('transaction failed'));
        };
        open.onerror = () => reject(open.error ?? new Error('indexedDB.open failed'));
      }),
    // Another origin than the server under test: a tab that loads this enrollment tries to sync with
    // it, and refused tokens count against the server's per-address limit that other tests share.
    { origin: 'https://base.invalid', token: TOKEN },
  );
  await page.evaluate(() => localStorage.setItem('probe', 'kept until wiped'));
  return page;
}

/**
 * The wipe ends by loading the app's start page. Here that load is answered, past the service
 * worker, with an empty page of the same origin, so what the wipe left can be read before a fresh start stores anything anew.
 * `at` is when the start page was asked for (0 until then).
 */
async function blankStart(page: Page): Promise<{ at: number }> {
  const wiped = { at: 0 };
  // The service worker the wipe keeps would answer that load itself, unseen by the route below.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setBypassServiceWorker', { bypass: true });
  await page.route(
    (url) => url.pathname === '/',
    (route) => {
      wiped.at ||= performance.now();
      return route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>blank</title>' });
    },
  );
  return wiped;
}

/** Everything the origin stores, as the page sees it. */
function originStorage(page: Page) {
  return page.evaluate(async () => ({
    databases: (await indexedDB.databases()).map((d) => d.name).sort(),
    caches: await caches.keys(),
    registrations: (await navigator.serviceWorker.getRegistrations()).length,
    localStorage: localStorage.length,
    sessionStorage: sessionStorage.length,
  }));
}

/** The caches left after a wipe: the service worker's precache of the app's own files, and only it. */
function onlyPrecache(names: string[]) {
  expect(names.length).toBe(1);
  expect(names[0]).toMatch(/^workbox-precache-/);
}

/**
 * Every cached response's address and text, as the page reads them from Cache Storage: what a wipe
 * leaves there, to look through for anything of the phone's reports.
 */
function cachedText(page: Page) {
  return page.evaluate(async () => {
    const out: string[] = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const req of await cache.keys()) out.push(req.url, (await (await cache.match(req))?.text()) ?? '');
    }
    return out.join('\n');
  });
}

test('panic from the header wipes databases, data caches and settings, keeps the app shell, and leaves an empty app', async () => {
  const context = await newPhoneContext(browser);
  const page = await phoneInUse(context);
  const before = await originStorage(page);
  expect(before.databases).toEqual(expect.arrayContaining(['keyval-store', 'rasid']));
  expect(before.caches.length).toBeGreaterThan(0);
  expect(before.registrations).toBe(1);
  expect(before.localStorage).toBe(1);

  const wiped = await blankStart(page);
  await page.getByRole('banner').getByRole('button', { name: 'امسح بيانات الهاتف' }).click();
  await screenshot(page, 'panic-armed-ar');
  const started = performance.now();
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/' && wiped.at > 0),
    page.getByRole('button', { name: 'اضغط مرة أخرى لمسح كل شيء' }).click(),
  ]);
  await page.waitForLoadState('load');
  console.log(`panic wipe: ${Math.round(wiped.at - started)} ms from the confirming tap to the blank page`);

  const after = await originStorage(page);
  expect(after).toMatchObject({ databases: [], registrations: 1, localStorage: 0, sessionStorage: 0 });
  onlyPrecache(after.caches);
  const cached = await cachedText(page);
  for (const kept of ['حارة الزيتون القديمة', 'حي القصور', TOKEN]) expect(cached).not.toContain(kept);

  // With nothing stored, the app starts fresh: Arabic, right to left, no reports, no draft offered.
  await page.unrouteAll();
  await page.goto('/');
  await page.getByText('لا تقارير بعد').waitFor();
  expect(await page.evaluate(() => `${document.documentElement.lang} ${document.documentElement.dir}`)).toBe('ar rtl');
  expect(await reports(page).count()).toBe(0);
  expect(await page.getByRole('region', { name: /لم يُحفظ/ }).count()).toBe(0);
  expect(await countRows(page, 'reports')).toBe(0);
  await screenshot(page, 'panic-after-ar');
  await context.close();
});

test('offline, the wipe completes all the same: it waits on no network', async () => {
  const context = await newPhoneContext(browser);
  const page = await phoneInUse(context);
  await setOffline(context, true);
  await page.goto('/');
  await appReady(page);
  await waitForCount(reports(page), 1);
  // Offline, the browser would show its own error page there; the empty page stands in for it too.
  const wiped = await blankStart(page);
  await page.getByRole('button', { name: 'امسح بيانات الهاتف' }).click();
  const started = performance.now();
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/' && wiped.at > 0),
    page.getByRole('button', { name: 'اضغط مرة أخرى لمسح كل شيء' }).click(),
  ]);
  await page.waitForLoadState('load');
  console.log(`panic wipe offline: ${Math.round(wiped.at - started)} ms from the confirming tap to the blank page`);
  const after = await originStorage(page);
  expect(after).toMatchObject({ databases: [], registrations: 1, localStorage: 0, sessionStorage: 0 });
  onlyPrecache(after.caches);
  await context.close();
});

test("offline, the wipe ends on the empty app, and so does a reload: never the browser's page for no connection", async () => {
  const context = await newPhoneContext(browser);
  const page = await phoneInUse(context);
  await setOffline(context, true);
  await page.goto('/');
  await appReady(page);
  await waitForCount(reports(page), 1);
  await page.getByRole('button', { name: 'امسح بيانات الهاتف' }).click();
  await page.getByRole('button', { name: 'اضغط مرة أخرى لمسح كل شيء' }).click();
  // The app starts again from its own cache: a new passcode (answered here as a monitor would), an empty list.
  const empty = page.getByText('لا تقارير بعد');
  await empty.waitFor();
  expect(await reports(page).count()).toBe(0);
  await screenshot(page, 'panic-offline-after-ar');
  await page.reload();
  await empty.waitFor();
  expect(page.url()).toBe(new URL('/', page.url()).href);
  expect(await page.evaluate(() => `${document.documentElement.lang} ${document.documentElement.dir}`)).toBe('ar rtl');
  expect(await countRows(page, 'reports')).toBe(0);
  expect(await readAllStored(page)).not.toMatch(/حارة الزيتون القديمة|حي القصور|panic-test-token/);
  expect(await cachedText(page)).not.toMatch(/حارة الزيتون القديمة|حي القصور|panic-test-token/);
  await context.close();
});

test('armed, the Wipe button says how many reports have not reached the base, and only when there are some', async () => {
  const context = await newPhoneContext(browser);
  const page = await context.newPage();
  await page.goto('/');
  await appReady(page);
  const wipe = page.getByRole('banner').getByRole('button', { name: 'امسح بيانات الهاتف' });
  // Nothing saved: the plain confirmation.
  await wipe.click();
  await page.getByRole('button', { name: 'اضغط مرة أخرى لمسح كل شيء', exact: true }).waitFor();
  await wipe.waitFor();
  // Three saved on a phone never synced: none has reached the base.
  for (const place of ['حي الشاطئ', 'قرية الحمراء', 'سوق الغنم']) {
    await saveDamageReport(page, { date: '2025-03-07', place, structures: '2', notes: '' });
    await page.getByRole('list', { name: 'التقارير' }).getByText(place).waitFor();
  }
  await wipe.click();
  await page.getByRole('button', { name: 'اضغط مرة أخرى لمسح كل شيء (٣ تقارير لم تصل إلى المركز)', exact: true }).waitFor();
  await screenshot(page, 'panic-armed-unsynced-ar');
  await context.close();
});

test('a wipe cut short right after its first step leaves nothing readable: no data key, no token, no report in clear', async () => {
  const context = await newPhoneContext(browser);
  const page = await phoneInUse(context);
  // Another tab of the app holds the reports database open and ignores requests to close it (as a
  // frozen tab may), so the wipe's second step waits on it: a real window in which to cut it short.
  const holder = await context.newPage();
  await holder.goto('/');
  await appReady(holder);
  await holder.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('rasid');
        open.onsuccess = () => {
          (globalThis as unknown as { held: IDBDatabase }).held = open.result;
          resolve();
        };
        open.onerror = () => reject(open.error ?? new Error('indexedDB.open failed'));
      }),
  );

  await page.getByRole('button', { name: 'امسح بيانات الهاتف' }).click();
  await page.getByRole('button', { name: 'اضغط مرة أخرى لمسح كل شيء' }).click();
  // The wipe marks each step as it ends; the page is closed as soon as the first is reported.
  await page.waitForFunction(() => performance.getEntriesByName('wipe:secrets').length > 0, undefined, { polling: 10 });
  await page.close({ runBeforeUnload: false });

  const left = await holder.evaluate(
    () =>
      new Promise<{ keys: string[]; reports: number }>((resolve, reject) => {
        const held = (globalThis as unknown as { held: IDBDatabase }).held;
        const count = held.transaction('reports').objectStore('reports').count();
        count.onerror = () => reject(count.error ?? new Error('count failed'));
        count.onsuccess = () => {
          const open = indexedDB.open('keyval-store');
          open.onerror = () => reject(open.error ?? new Error('indexedDB.open failed'));
          open.onsuccess = () => {
            const keys = open.result.transaction('keyval').objectStore('keyval').getAllKeys();
            keys.onsuccess = () => resolve({ keys: keys.result.map(String).sort(), reports: count.result });
            keys.onerror = () => reject(keys.error ?? new Error('read failed'));
          };
        };
      }),
  );
  // The wipe really was cut short: the report and the settings are still there...
  expect(left.reports).toBe(1);
  expect(left.keys).toEqual(expect.arrayContaining(['deviceId', 'gazetteer']));
  // ...but not the enrollment, and its token appears nowhere in what is left.
  expect(left.keys).not.toContain('enrollment');
  const anywhere = await holder.evaluate(
    () =>
      new Promise<string>((resolve) => {
        const open = indexedDB.open('keyval-store');
        open.onsuccess = () => {
          const all = open.result.transaction('keyval').objectStore('keyval').getAll();
          all.onsuccess = () => resolve(JSON.stringify(all.result));
        };
      }),
  );
  expect(anywhere).not.toContain(TOKEN);
  // The data key went first: the report's rows are still there, sealed, and nothing left opens them.
  expect(left.keys).not.toContain('wrappedDataKey');
  const stored = await readAllStored(holder);
  expect(stored).toContain('rasid/reports');
  expect(stored).not.toContain('حارة الزيتون القديمة');
  expect(stored).not.toContain('حي القصور');
  await context.close();
});
