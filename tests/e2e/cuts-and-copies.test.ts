/**
 * Reports typed once for several, on a monitor's phone: 360×740, in Arabic, with a CPU four times
 * slower than the machine's. Bread, water and electricity cut at once are one access-cut form with
 * further services, saved as a report per service; a saved report is copied as a new one, changed
 * where the new event differs, and saved beside it.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { appReady, countRows, launchBrowser, newPhoneContext, PHONE, screenshot, waitForCount, waitForValue } from './harness.ts';

let browser: Browser;
let context: BrowserContext;

const reports = (p: Page) => p.getByRole('list', { name: 'التقارير' }).getByRole('listitem');
const place = (p: Page) => p.getByLabel('اسم المكان', { exact: true });
const addService = (p: Page) => p.getByRole('button', { name: 'أضف خدمة أخرى' });
/** A further service, by its number among the form's services: the form's own is the first. */
const service = (p: Page, n: string) => p.getByLabel(`الخدمة ${n}`, { exact: true });
const saveButton = (p: Page) => p.getByRole('button', { name: 'حفظ' });

/** A page of the phone, its CPU slowed as a monitor's phone is. */
async function phonePage(on = context): Promise<Page> {
  const page = await on.newPage();
  const cdp = await on.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await page.goto('/');
  await appReady(page);
  return page;
}

/** Waits until the draft written after the last change has landed: a reload then loses nothing. */
async function draftLanded(p: Page) {
  await p.waitForFunction(() => {
    const typed = performance.getEntriesByName('typed').at(-1)?.startTime ?? 0;
    return performance.getEntriesByName('draft:settled').some((m) => m.startTime > typed);
  });
}

async function newReport(p: Page, type: string) {
  await p.getByRole('button', { name: 'تقرير جديد' }).click();
  await p.getByRole('radiogroup', { name: 'نوع التقرير' }).getByRole('radio', { name: type }).check();
}

beforeAll(async () => {
  browser = await launchBrowser();
  context = await newPhoneContext(browser);
  // Marked after the form's own handler has asked for the draft write of each change, on every page load.
  await context.addInitScript(() => addEventListener('input', () => performance.mark('typed')));
});

afterAll(async () => {
  await browser?.close();
});

test('bread, water and electricity cut at once are one form, saved as a report per service', async () => {
  const page = await phonePage();
  expect(page.viewportSize()).toEqual(PHONE.viewport);
  await newReport(page, 'انقطاع خدمات');
  await page.getByLabel('الخدمة', { exact: true }).selectOption({ label: 'الخبز' });
  await page.getByLabel('حالة الخدمة').selectOption({ label: 'مقطوعة' });
  await page.getByLabel('منقطعة منذ').fill('2025-03-07');
  await page.getByLabel('تاريخ الحدث').fill('2025-03-09');

  await addService(page).click();
  // The slot added takes the focus, and offers only what is not taken: bread is the form's own.
  await page.waitForFunction((el) => el === document.activeElement, await service(page, '٢').elementHandle());
  expect(await service(page, '٢').getByRole('option').allTextContents()).not.toContain('الخبز');
  await service(page, '٢').selectOption({ label: 'المياه' });

  // A mistake stops every report of the form: nothing is saved, and the form says what is missing once.
  await saveButton(page).click();
  const summary = page.getByRole('group', { name: /^تحقّق من/ });
  await summary.waitFor();
  expect(await summary.getByRole('link').allTextContents()).toEqual(['اسم المكان']);
  expect(await countRows(page, 'ops')).toBe(0);

  await place(page).fill('قرية الدالية');
  await draftLanded(page);
  // A reload in the middle keeps the further service: it is part of the draft.
  await page.reload();
  await waitForValue(place(page), 'قرية الدالية');
  await waitForValue(service(page, '٢'), 'water');
  expect(await page.getByRole('radio', { name: 'انقطاع خدمات' }).isChecked()).toBe(true);
  expect(await page.getByLabel('الخدمة', { exact: true }).inputValue()).toBe('bread');
  expect(await countRows(page, 'drafts')).toBe(1);

  await addService(page).click();
  expect(await service(page, '٣').getByRole('option').allTextContents()).not.toContain('المياه');
  await service(page, '٣').selectOption({ label: 'الكهرباء' });
  await service(page, '٣').scrollIntoViewIfNeeded();
  await screenshot(page, 'form-access-cut-services-ar');
  await saveButton(page).click();
  await waitForCount(reports(page), 3);

  const texts = await reports(page).allTextContents();
  const services = ['الخبز', 'المياه', 'الكهرباء'];
  for (const s of services) expect(texts.filter((t) => t.includes(s))).toHaveLength(1);
  // Alike but for the service: the same place, the same period, the same state.
  const rest = texts.map((t) => services.reduce((text, s) => text.replace(s, ''), t));
  expect(new Set(rest).size).toBe(1);
  expect(rest[0]).toContain('قرية الدالية');
  expect(rest[0]).toContain('مقطوعة');
  // A create op for each, and the draft gone with the save.
  expect(await countRows(page, 'ops')).toBe(3);
  expect(await countRows(page, 'drafts')).toBe(0);

  // Each is a report of its own, with the form's event date.
  await reports(page).filter({ hasText: 'الكهرباء' }).getByRole('link').click();
  const article = page.getByRole('article');
  await article.filter({ hasText: 'الكهرباء' }).waitFor();
  expect(await article.textContent()).toContain('قرية الدالية');
  expect(await article.textContent()).toMatch(/٢٠٢٥/);
  await page.close();
});

test('a damage report copied as a new one, with one field changed, is saved beside it, the original unchanged', async () => {
  // A phone of its own, whatever the test before left on the other.
  const phone = await newPhoneContext(browser);
  const page = await phonePage(phone);
  await newReport(page, 'أضرار');
  await page.getByLabel('عدد المباني').fill('٧');
  await page.getByLabel('درجة الضرر').selectOption({ label: 'مدمّر' });
  await page.getByLabel('تاريخ الحدث').fill('2025-03-07');
  await place(page).fill('بيت ياشوط');
  await page.getByLabel('ملاحظات').fill('بيوت أُحرقت بعد نهبها.');
  await saveButton(page).click();
  await waitForCount(reports(page), 1);

  await reports(page).filter({ hasText: 'بيت ياشوط' }).getByRole('link').click();
  await screenshot(page, 'report-copy-ar');
  await page.getByRole('button', { name: 'انسخه تقريرًا جديدًا' }).click();
  // The new report's form, of the same type, holding the report's values.
  await waitForValue(place(page), 'بيت ياشوط');
  expect(await page.getByRole('radio', { name: 'أضرار' }).isChecked()).toBe(true);
  expect(await page.getByLabel('عدد المباني').inputValue()).toBe('7');
  expect(await page.getByLabel('درجة الضرر').inputValue()).toBe('destroyed');
  expect(await page.getByLabel('تاريخ الحدث').inputValue()).toBe('2025-03-07');
  expect(await page.getByLabel('ملاحظات').inputValue()).toBe('بيوت أُحرقت بعد نهبها.');

  await place(page).fill('قرية الشير');
  await saveButton(page).click();
  await waitForCount(reports(page), 2);
  const texts = await reports(page).allTextContents();
  expect(texts[0]).toContain('قرية الشير');
  expect(texts[0]).toContain('مدمّر');
  expect(texts.filter((t) => t.includes('بيت ياشوط'))).toHaveLength(1);
  // The copy is a create of its own: the original has no op but the one that made it.
  expect(await countRows(page, 'ops')).toBe(2);
  expect(await countRows(page, 'drafts')).toBe(0);

  await reports(page).filter({ hasText: 'بيت ياشوط' }).getByRole('link').click();
  const article = page.getByRole('article');
  await article.filter({ hasText: 'بيت ياشوط' }).waitFor();
  expect(await article.textContent()).not.toContain('قرية الشير');
  expect(await article.textContent()).toContain('٧');
  await phone.close();
});
