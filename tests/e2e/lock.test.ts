/**
 * The passcode lock in Chromium, as a monitor meets it: a passcode chosen at first start, reports
 * saved, the app locked; then everything the phone stores is read as someone holding its files
 * would, a wrong passcode is refused, and the right one brings the reports back. A wipe passcode
 * typed at the lock wipes the phone instead.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { appReady, launchBrowser, newPhoneContext, readAllStored, screenshot, TEST_PASSCODE, unlock } from './harness.ts';

const MARKER_PLACE = 'MARKER-9d2e-وادي-القلع';
const MARKER_NOTE = 'MARKER-4b71-احترق-المخزن';
const MARKER_DRAFT = 'MARKER-0c5a-مسودة';
const WIPE_PASSCODE = 'river-stones-77';

interface StoredLockRecord {
  wrapped: { kdf: unknown; ct: string };
  [k: string]: unknown;
}

/** The lock record among everything stored, as `readAllStored` lists it. */
function lockRecordOf(stored: string): StoredLockRecord {
  const line = stored.split('\n').find((l) => l.startsWith('keyval-store/keyval ') && l.includes('"idleMinutes"'));
  expect(line).toBeDefined();
  return JSON.parse(line!.slice('keyval-store/keyval '.length)) as StoredLockRecord;
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const passcode = (p: Page) => p.getByLabel('رمز القفل', { exact: true });

async function saveMarkedReport(page: Page) {
  await page.getByRole('button', { name: 'تقرير جديد' }).click();
  await page.getByRole('radiogroup', { name: 'نوع التقرير' }).getByRole('radio', { name: 'أضرار' }).check();
  await page.getByLabel('تاريخ الحدث').fill('2025-03-07');
  await page.getByLabel('اسم المكان', { exact: true }).fill(MARKER_PLACE);
  await page.getByLabel('ملاحظات').fill(MARKER_NOTE);
  await page.getByRole('button', { name: 'حفظ' }).click();
  await page.getByRole('list', { name: 'التقارير' }).getByText(MARKER_PLACE).waitFor();
  // And a draft left half typed.
  await page.getByRole('button', { name: 'تقرير جديد' }).click();
  await page.getByRole('radiogroup', { name: 'نوع التقرير' }).getByRole('radio', { name: 'نزوح' }).check();
  await page.getByLabel('اسم المكان', { exact: true }).fill(MARKER_DRAFT);
  await page.getByRole('link', { name: 'التقارير' }).click();
}

test('locked, the phone holds no report, draft or passcode in clear, and no key object; the passcode opens it again', async () => {
  const context = await newPhoneContext(browser, { locked: true });
  const page = await context.newPage();
  await page.goto('/');
  // The first start's introduction, skipped, then the passcode is chosen.
  await page.getByRole('button', { name: 'تخطي' }).click();
  await passcode(page).waitFor();
  await screenshot(page, 'lock-set-up-ar');
  // Too short, then two that differ: refused in the monitor's language, nothing stored.
  await passcode(page).fill('١٢٣٤');
  await page.getByLabel('رمز القفل مرة أخرى').fill('١٢٣٤');
  await page.getByRole('button', { name: 'احفظ رمز القفل' }).click();
  await page.getByRole('alert').getByText('استخدم ثمانية أحرف على الأقل.').waitFor();
  await passcode(page).fill(TEST_PASSCODE);
  await page.getByLabel('رمز القفل مرة أخرى').fill(`${TEST_PASSCODE}x`);
  await page.getByRole('button', { name: 'احفظ رمز القفل' }).click();
  await page.getByRole('alert').getByText('الرمزان غير متطابقين.').waitFor();
  await unlock(page);
  await saveMarkedReport(page);

  await page.getByRole('button', { name: 'قفل', exact: true }).click();
  await passcode(page).waitFor();
  const stored = await readAllStored(page);
  expect(stored).toContain('rasid/reports');
  expect(stored).toContain('rasid/ops');
  for (const secret of [MARKER_PLACE, MARKER_NOTE, MARKER_DRAFT, 'MARKER', TEST_PASSCODE]) expect(stored).not.toContain(secret);
  // Keys are stored only as wrapped blobs: no CryptoKey object at all.
  expect(stored).not.toContain('[CryptoKey');
  const lockRecord = stored.split('\n').find((line) => line.includes('"wrapped"'));
  expect(lockRecord).toMatch(/"kind":"aes-gcm-256"/);
  expect(lockRecord).toMatch(/"kdf":\{"alg":"argon2id","m":65536,"t":3,"p":1,/);

  await passcode(page).fill('not-the-passcode');
  await page.getByRole('button', { name: 'افتح' }).click();
  await page.getByRole('alert').getByText('رمز القفل غير صحيح.').waitFor();
  await screenshot(page, 'lock-wrong-ar');
  await unlock(page);
  await page.getByRole('list', { name: 'التقارير' }).getByText(MARKER_PLACE).waitFor();
  await context.close();
});

/** Types a passcode at the lock and returns how long until the app's navigation shows, in ms. */
async function timedUnlock(page: Page, typed: string): Promise<number> {
  await passcode(page).fill(typed);
  const started = performance.now();
  await page.getByRole('button', { name: 'افتح' }).click();
  await appReady(page);
  return performance.now() - started;
}

test('the wipe passcode, typed at the lock, wipes the phone and opens an empty app it now unlocks', async () => {
  const context = await newPhoneContext(browser, { locked: true });
  const page = await context.newPage();
  await page.goto('/');
  await unlock(page);
  await saveMarkedReport(page);
  await page.getByRole('link', { name: 'الإعدادات' }).click();
  await page.getByRole('textbox', { name: 'رمز المسح', exact: true }).fill(WIPE_PASSCODE);
  await page.getByRole('button', { name: 'احفظ رمز المسح' }).click();
  await page.getByText('رمز المسح محفوظ.').waitFor();
  const firstRecord = lockRecordOf(await readAllStored(page));

  // A normal unlock first, timed from the tap to the app's navigation.
  await page.getByRole('button', { name: 'قفل', exact: true }).click();
  const normal = await timedUnlock(page, TEST_PASSCODE);
  // Locked on Settings, opened on Settings; the wipe passcode is typed with a report on screen.
  await page.getByRole('link', { name: 'التقارير' }).click();
  await page.getByRole('list', { name: 'التقارير' }).getByRole('link').first().click();
  await page.getByRole('article').waitFor();

  await page.getByRole('button', { name: 'قفل', exact: true }).click();
  const wiping = await timedUnlock(page, WIPE_PASSCODE);
  console.log(`unlock: ${Math.round(normal)} ms with the passcode, ${Math.round(wiping)} ms with the wipe passcode (wipe included)`);
  // The app opens as after any unlock, empty: nothing says a wipe happened, no new passcode is asked for.
  await page.getByText('لا تقارير بعد').waitFor();
  expect(await page.getByRole('heading', { name: 'اختر رمز القفل' }).count()).toBe(0);
  expect(new URL(page.url()).pathname).toBe('/');
  const stored = await readAllStored(page);
  expect(stored).not.toContain('MARKER');
  expect(stored).not.toContain(MARKER_PLACE);
  // A lock record as a first set-up makes it, under the same derivation the try just ran: the same
  // Argon2id parameters and salt, so no second derivation was made; no wipe passcode, default options.
  const record = lockRecordOf(stored);
  expect(record).toMatchObject({ v: 1, failures: 0, notBefore: 0, idleMinutes: 5, wipeAfter: 0 });
  expect(record).not.toHaveProperty('duress');
  expect(record.wrapped.kdf).toEqual(firstRecord.wrapped.kdf);
  expect(record.wrapped.ct).not.toBe(firstRecord.wrapped.ct);

  // The passcode just typed is the passcode now; the old one no longer opens anything.
  await page.getByRole('button', { name: 'قفل', exact: true }).click();
  await passcode(page).fill(TEST_PASSCODE);
  await page.getByRole('button', { name: 'افتح' }).click();
  await page.getByRole('alert').getByText('رمز القفل غير صحيح.').waitFor();
  const again = await timedUnlock(page, WIPE_PASSCODE);
  console.log(`unlock with the new passcode: ${Math.round(again)} ms`);
  await page.getByText('لا تقارير بعد').waitFor();
  await context.close();
});

test('a plain name and icon, chosen in Settings, show at once and from the next start on, lock screen included', async () => {
  const context = await newPhoneContext(browser, { locked: true });
  const page = await context.newPage();
  await page.goto('/');
  await unlock(page);
  await page.getByRole('link', { name: 'الإعدادات' }).click();
  await page.getByRole('checkbox', { name: 'اعرض هذا التطبيق باسم «ملاحظات» وبأيقونة عادية' }).check();
  await page.getByRole('banner').getByRole('link', { name: 'ملاحظات' }).waitFor();
  await page.waitForFunction(() => document.title === 'ملاحظات');

  await page.reload();
  await passcode(page).waitFor();
  await page.waitForFunction(() => document.title === 'ملاحظات');
  const manifest = await page.evaluate(async () => {
    const href = document.querySelector('link[rel="manifest"]')!.getAttribute('href')!;
    const body = (await (await fetch(href)).json()) as { name: string; icons: { src: string }[] };
    const icons = await Promise.all(body.icons.map(async (i) => (await fetch(i.src)).headers.get('content-type')));
    return { href, name: body.name, icons: body.icons.map((i) => i.src), types: icons };
  });
  expect(manifest).toEqual({
    href: '/manifest-neutral.webmanifest',
    name: 'ملاحظات',
    icons: ['/icons/neutral.svg', '/icons/neutral-192.png', '/icons/neutral-512.png'],
    types: ['image/svg+xml', 'image/png', 'image/png'],
  });
  await screenshot(page, 'lock-neutral-ar');
  await unlock(page);
  await page.getByRole('banner').getByRole('link', { name: 'ملاحظات' }).waitFor();
  expect(await page.getByRole('banner').getByText('راصد').count()).toBe(0);
  await context.close();
});
