/**
 * The browser's history on a monitor's phone, in Arabic at phone size: moving between the app's
 * screens replaces the app's one entry instead of adding one per screen, so after reports have been
 * opened and edited the history names no report, and Back leaves the app instead of going back
 * through the reports seen.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { appReady, launchBrowser, newPhoneContext, saveDamageReport, sessionHistory, waitForCount, waitForValue } from './harness.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const reports = (p: Page) => p.getByRole('list', { name: 'التقارير' }).getByRole('listitem');
const PLACES = ['حي الشاطئ', 'قرية الحمراء', 'سوق الغنم'];

test('opening and editing reports adds no entry to the history, and Back shows no report address', async () => {
  const context = await newPhoneContext(browser);
  const page = await context.newPage();
  await page.goto('/');
  await appReady(page);
  for (const [i, place] of PLACES.entries()) {
    await saveDamageReport(page, { date: '2025-03-07', place, structures: String(i + 2), notes: '' });
    await waitForCount(reports(page), i + 1);
  }
  const before = await page.evaluate(() => history.length);
  const entriesBefore = await sessionHistory(page);

  const ids: string[] = [];
  for (const place of PLACES) {
    await reports(page).filter({ hasText: place }).getByRole('link').click();
    await page.getByRole('article').filter({ hasText: place }).waitFor();
    const path = new URL(page.url()).pathname;
    expect(path).toMatch(/^\/reports\/[^/]+$/);
    ids.push(decodeURIComponent(path.split('/')[2]!));
    await page.getByRole('navigation', { name: 'القائمة الرئيسية' }).getByRole('link', { name: 'التقارير' }).click();
    await waitForCount(reports(page), PLACES.length);
  }
  // An edit form, then Settings: other screens, and still no entry more.
  await reports(page).filter({ hasText: PLACES[1]! }).getByRole('link').click();
  await page.getByRole('button', { name: 'تعديل' }).click();
  await waitForValue(page.getByLabel('عدد المباني'), '3');
  await page.getByRole('button', { name: 'إلغاء' }).click();
  await page.getByRole('article').filter({ hasText: PLACES[1]! }).waitFor();
  // The address shown now is the report's own; the entries behind it are the ones from before.
  const after = await page.evaluate(() => history.length);
  const entries = await sessionHistory(page);
  console.log(`history: ${before} entries before opening ${PLACES.length} reports, ${after} after; ${entries.length} listed`);
  expect(after).toBe(before);
  expect(entries.length).toBe(entriesBefore.length);
  // Every entry but the current one is as it was before any report was opened: none names a report.
  expect(entries.slice(0, -1)).toEqual(entriesBefore.slice(0, -1));
  for (const entry of entries.slice(0, -1)) for (const id of ids) expect(entry).not.toContain(id);
  expect(entries.slice(0, -1).join('\n')).not.toContain('/reports/');

  // Back leaves the app for what came before it: never an address naming a report.
  await page.goBack();
  expect(page.url()).not.toContain('/reports/');
  for (const id of ids) expect(page.url()).not.toContain(id);
  await context.close();
});
