/**
 * Unlock to a usable list on a slow phone: the real app, built and served by the real server, in
 * Chromium at phone size with its CPU slowed 4× (CDP), holding `reports` reports saved through the
 * form. Each run reloads the app, types the passcode and times, in the page, from the click to the
 * first frame that shows a report in the list. The app marks the start and end of its Argon2id key
 * derivation (`UNLOCK_MARKS`), so the same run gives Argon2id alone and what follows it: the budget
 * is on the list being usable within 300 ms of the key.
 */
import type { Page } from 'playwright-core';
import { UNLOCK_MARKS } from '../../src/app/lock/lock-record.ts';
import { launchBrowser } from '../chromium.ts';
import { startServer } from '../e2e/server-process.ts';

const PASSCODE = 'olive-grove-2026';
const THROTTLE = 4;
const LIST_NAME = 'التقارير';

export interface UnlockTimes {
  /** Click to the first report shown (ms). */
  total: number[];
  /** Argon2id alone, as the app ran it in that unlock (ms). */
  derive: number[];
  /** Key derived to the first report shown (ms). */
  afterKey: number[];
}

export async function firstStart(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'تخطي' }).click();
  // Two or three steps, the install offer only where the browser makes one.
  while (await page.getByRole('button', { name: 'تخطي' }).isVisible()) await page.getByRole('button', { name: 'تخطي' }).click();
  await page.getByLabel('رمز القفل', { exact: true }).fill(PASSCODE);
  await page.getByLabel('رمز القفل مرة أخرى', { exact: true }).fill(PASSCODE);
  await page.getByRole('button', { name: 'احفظ رمز القفل' }).click();
  await page.getByRole('navigation', { name: 'القائمة الرئيسية' }).waitFor();
}

async function saveReport(page: Page, n: number): Promise<void> {
  await page.getByRole('button', { name: 'تقرير جديد' }).click();
  await page.getByRole('radiogroup', { name: 'نوع التقرير' }).getByRole('radio', { name: 'أضرار' }).check();
  await page.getByLabel('تاريخ الحدث').fill('2025-03-07');
  await page.getByLabel('اسم المكان', { exact: true }).fill(`حي الرمل ${n}`);
  await page.getByLabel('عدد المباني').fill(String(1 + (n % 9)));
  await page.getByLabel('ملاحظات').fill('احترقت المحلات في شارع السوق ليلًا، وبقي السكان في الملجأ حتى الصباح.');
  await page.getByRole('button', { name: 'حفظ' }).click();
  await page.waitForURL((url) => url.pathname === '/');
}

/** One unlock, slowed: reload to the lock screen, type the passcode, time to the first report in the list. */
async function timedUnlock(page: Page): Promise<{ total: number; derive: number; afterKey: number }> {
  await page.reload();
  const field = page.getByLabel('رمز القفل', { exact: true });
  await field.fill(PASSCODE);
  // As text: code run through tsx carries helpers the page does not have.
  await page.evaluate(`(() => {
    window.clicked = undefined;
    window.shown = undefined;
    // The click's own time, taken as the page received it; then each frame until a report shows.
    addEventListener('click', (e) => { window.clicked ??= e.timeStamp; }, { capture: true, once: true });
    const look = () => {
      if (document.querySelector('ul[aria-label="${LIST_NAME}"] li')) window.shown = performance.now();
      else requestAnimationFrame(look);
    };
    requestAnimationFrame(look);
  })()`);
  await page.getByRole('button', { name: 'افتح' }).click();
  await page.waitForFunction(() => (window as unknown as { shown?: number }).shown !== undefined, undefined, { timeout: 0 });
  const [clicked, shown, deriving, derived] = await page.evaluate<number[]>(`[
    window.clicked,
    window.shown,
    performance.getEntriesByName('${UNLOCK_MARKS.deriving}').at(-1).startTime,
    performance.getEntriesByName('${UNLOCK_MARKS.derived}').at(-1).startTime,
  ]`);
  return { total: shown! - clicked!, derive: derived! - deriving!, afterKey: shown! - derived! };
}

export async function unlockToList(reports: number, runs: number): Promise<UnlockTimes> {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({
      baseURL: server.baseUrl,
      viewport: { width: 360, height: 740 },
      isMobile: true,
      hasTouch: true,
      serviceWorkers: 'allow',
    });
    const page = await context.newPage();
    await page.goto('/');
    await firstStart(page);
    for (let n = 0; n < reports; n++) await saveReport(page, n);
    const cdp = await context.newCDPSession(page);
    const times: UnlockTimes = { total: [], derive: [], afterKey: [] };
    // One unmeasured unlock first: the service worker's cache and the code's compilation in place.
    await timedUnlock(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
    for (let run = 0; run < runs; run++) {
      const t = await timedUnlock(page);
      times.total.push(t.total);
      times.derive.push(t.derive);
      times.afterKey.push(t.afterKey);
    }
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    return times;
  } finally {
    await browser.close();
    await server.stop();
  }
}
