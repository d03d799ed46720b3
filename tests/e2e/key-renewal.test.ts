/**
 * A monitor whose phone was out of their hands renews its keys, in Chromium against a real base:
 * the phone's reports from then on wait on it, across a reload, until a coordinator, having read the
 * new keys' letters back with the monitor, confirms them on the Devices screen; then they reach the
 * desk signed by the new keys.
 */
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { deskAndPhone, ownBrowserAndServer, saveDamageReport, screenshot, syncNow, waitForCount } from './harness.ts';

const own = ownBrowserAndServer();

const reports = (p: Page, name: string) => p.getByRole('list', { name }).getByRole('listitem');
const settings = (p: Page) => p.getByRole('navigation', { name: 'القائمة الرئيسية' }).getByRole('link', { name: 'الإعدادات' }).click();
const renewal = (p: Page) => p.getByRole('region', { name: 'مفاتيح جديدة لهذا الهاتف' });

test('new keys on a phone wait for a coordinator, who confirms them by their letters; the reports that waited then reach the desk', async () => {
  const { desk, coordinator, phoneContext, phone } = await deskAndPhone(own, 'seven olive trees by the spring');
  await saveDamageReport(phone, { date: '2025-03-07', place: 'مخبز الحي الشرقي', structures: '١', notes: 'قبل المفاتيح الجديدة' });
  await syncNow(phone, 'ar');

  // The monitor makes new keys, after saying yes to what that means.
  await settings(phone);
  await renewal(phone).getByRole('button', { name: 'أنشئ مفاتيح جديدة' }).click();
  await phone.getByRole('alertdialog', { name: 'مفاتيح جديدة لهذا الهاتف' }).getByRole('button', { name: 'أنشئ مفاتيح جديدة' }).click();
  await renewal(phone).getByRole('status').filter({ hasText: 'تنتظر المفاتيح الجديدة منسّقًا' }).waitFor();
  const letters = (await renewal(phone).getByTestId('renewal-key').textContent()) ?? '';
  expect(letters).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
  // Not the keys it enrolled with.
  expect(letters).not.toBe(await phone.getByTestId('device-key').textContent());
  await screenshot(phone, 'key-renewal-waiting-ar');

  // A report written now waits on the phone, through a reload.
  await phone.goto('/');
  await saveDamageReport(phone, { date: '2025-03-08', place: 'فرن الساحة', structures: '٢', notes: 'بعد المفاتيح الجديدة' });
  await syncNow(phone, 'ar');
  await phone.reload();
  await settings(phone);
  await renewal(phone).getByText(letters).waitFor();
  await syncNow(coordinator, 'en');
  await coordinator.goto('/');
  await waitForCount(reports(coordinator, 'Reports'), 1);

  // The desk shows the same letters; the coordinator confirms.
  await coordinator.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
  const asked = coordinator.getByRole('region', { name: 'New keys asked for' });
  await asked.getByText(letters).waitFor();
  await asked.getByRole('button', { name: /^Confirm the new keys of / }).click();
  await asked.getByRole('status').filter({ hasText: 'Confirmed.' }).waitFor();
  await screenshot(coordinator, 'key-renewal-confirm-en');

  await syncNow(phone, 'ar');
  await renewal(phone).getByRole('status').filter({ hasText: 'أكّد منسّق المفاتيح الجديدة' }).waitFor();
  await syncNow(coordinator, 'en');
  await coordinator.goto('/');
  await waitForCount(reports(coordinator, 'Reports'), 2);
  await reports(coordinator, 'Reports').filter({ hasText: 'فرن الساحة' }).waitFor();
  await Promise.all([phoneContext.close(), desk.close()]);
});
