/**
 * What has not reached the base, as a monitor on a phone in Arabic meets it: the last sync's time
 * after a reload, a calm line when there is no network, a report the base has never had told apart
 * from one whose later edits it lacks, and how many reports wait to be sent with a list of only those.
 * The tests follow one phone through one day, in order.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, expect, test } from 'vitest';
import {
  deskAndPhone,
  ownBrowserAndServer,
  saveDamageReport,
  screenshot,
  syncNow,
  waitForCount,
  waitForServiceWorker,
  waitForValue,
  setOffline,
} from './harness.ts';

const own = ownBrowserAndServer();

const reports = (p: Page) => p.getByRole('list', { name: 'التقارير' }).getByRole('listitem');
const bar = (p: Page) => p.getByRole('region', { name: 'المزامنة', exact: true });
const syncScreen = (p: Page) => p.getByRole('navigation', { name: 'القائمة الرئيسية' }).getByRole('link', { name: 'المزامنة' }).click();
const showWaiting = (p: Page) => p.getByRole('combobox', { name: /^عرض/ }).selectOption({ label: 'تقارير تنتظر أن تُرسل' });

let phoneContext: BrowserContext;
let phone: Page;

beforeAll(async () => {
  ({ phoneContext, phone } = await deskAndPhone(own, 'two olive presses by the bridge'));
  await waitForServiceWorker(phone);
  await saveDamageReport(phone, { date: '2025-04-02', place: 'مطحنة الوادي', structures: '٣', notes: 'تضرر السقف' });
  await saveDamageReport(phone, { date: '2025-04-03', place: 'مدرسة الحي', structures: '١', notes: 'تكسر الزجاج' });
  await phone.goto('/');
  await waitForCount(reports(phone), 2);
  await syncNow(phone, 'ar');
  await waitForCount(reports(phone).filter({ hasText: 'لم يُرسل' }), 0);
}, 120_000);

test('after a reload, the sync bar and the Sync screen still tell the last sync', async () => {
  // Offline, so no sync starts as the page loads: what the bar says was kept from before the reload.
  await setOffline(phoneContext, true);
  await phone.reload();
  await bar(phone)
    .getByRole('status')
    .filter({ hasText: /آخر مزامنة: .*أُرسل/ })
    .waitFor();
  await syncScreen(phone);
  await phone.getByRole('heading', { name: 'المزامنة', exact: true }).waitFor();
  await bar(phone)
    .getByRole('status')
    .filter({ hasText: /آخر مزامنة/ })
    .waitFor();
  expect(await bar(phone).getByRole('status').textContent()).not.toContain('لم تتم المزامنة بعد');
});

test('with no network, "Sync now" says so in a plain line, not an error', async () => {
  const said = await syncNow(phone, 'ar');
  expect(said).toContain('لا اتصال. تنتظر التقارير على هذا الهاتف وتُرسل عند أول اتصال.');
  expect(said).toMatch(/آخر مزامنة/);
  expect(await bar(phone).getByRole('alert').count()).toBe(0);
  await screenshot(phone, 'sync-offline-ar');
});

test('an edit to a report the base has is worded apart from a report it has never had', async () => {
  await phone.goto('/');
  await reports(phone).filter({ hasText: 'مطحنة الوادي' }).getByRole('link').click();
  await phone.getByRole('button', { name: 'تعديل' }).click();
  await waitForValue(phone.getByLabel('عدد المباني'), '3');
  await phone.getByLabel('عدد المباني').fill('٤');
  await phone.getByRole('button', { name: 'حفظ' }).click();
  await phone.getByRole('article').filter({ hasText: '٤' }).waitFor();
  await phone.getByRole('article').getByText('في التقرير تعديلات لم تُرسل إلى المركز بعد').waitFor();
  await saveDamageReport(phone, { date: '2025-04-04', place: 'جسر النهر', structures: '٢', notes: 'تشقق الجسر' });
  await phone.goto('/');
  await waitForCount(reports(phone), 3);
  await reports(phone).filter({ hasText: 'جسر النهر' }).filter({ hasText: 'لم يُرسل' }).waitFor();
  await reports(phone).filter({ hasText: 'مطحنة الوادي' }).filter({ hasText: 'تعديلات لم تُرسل' }).waitFor();
  await screenshot(phone, 'list-waiting-ar');
  await waitForCount(reports(phone).filter({ hasText: 'مطحنة الوادي' }).filter({ hasText: 'لم يُرسل' }), 0);
  await waitForCount(
    reports(phone)
      .filter({ hasText: 'مدرسة الحي' })
      .filter({ hasText: /لم (يُ|تُ)رسل/ }),
    0,
  );
});

test('the list and the Sync screen say how many reports wait, and the list shows only those', async () => {
  await phone.goto('/');
  await phone.getByRole('main').getByText('تقريران ينتظران أن يُرسلا').waitFor();
  await showWaiting(phone);
  await waitForCount(reports(phone), 2);
  await waitForCount(reports(phone).filter({ hasText: 'مدرسة الحي' }), 0);
  await syncScreen(phone);
  await phone.getByRole('main').getByText('تقريران ينتظران أن يُرسلا').waitFor();

  // Back online, they go: none waits.
  await setOffline(phoneContext, false);
  await syncNow(phone, 'ar');
  await phone.getByRole('main').getByText('لا تقارير تنتظر أن تُرسل').waitFor();
  await phone.goto('/');
  await waitForCount(reports(phone), 3);
  await waitForCount(phone.getByRole('main').getByText('تقريران ينتظران أن يُرسلا'), 0);
  await showWaiting(phone);
  await waitForCount(reports(phone), 0);
});
