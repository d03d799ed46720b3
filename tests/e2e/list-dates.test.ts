/**
 * The dates a monitor reads in the report list, in Arabic on a phone: an access cut shows both ends
 * of its period once the service is back and says "since" while it goes on; an approximate event
 * date is marked as approximate and a range shows both its ends.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ar } from '../../src/app/i18n/ar.ts';
import { translator } from '../../src/app/i18n/i18n.ts';
import { appReady, launchBrowser, newPhoneContext, waitForCount } from './harness.ts';

let browser: Browser;
let page: Page;
const tr = translator('ar', ar);

const reports = (p: Page) => p.getByRole('list', { name: 'التقارير' }).getByRole('listitem');
const reportAt = (p: Page, place: string) => reports(p).filter({ hasText: place }).getByRole('link');

async function newReport(p: Page, type: string, place: string) {
  await p.getByRole('button', { name: 'تقرير جديد' }).click();
  await p.getByRole('radiogroup', { name: 'نوع التقرير' }).getByRole('radio', { name: type }).check();
  await p.getByLabel('اسم المكان', { exact: true }).fill(place);
}

/** Saves the form; the app then shows the list, which holds `count` reports once the save landed. */
async function save(p: Page, count: number) {
  await p.getByRole('button', { name: 'حفظ' }).click();
  await waitForCount(reports(p), count);
}

beforeAll(async () => {
  browser = await launchBrowser();
  const context = await newPhoneContext(browser);
  page = await context.newPage();
  await page.goto('/');
  await appReady(page);
});

afterAll(async () => {
  await browser?.close();
});

describe('dates in the report list', () => {
  test('an access cut that ended shows both ends of its period', async () => {
    await newReport(page, 'انقطاع خدمات', 'حي الرمل');
    await page.getByLabel('الخدمة', { exact: true }).selectOption({ label: 'المياه' });
    await page.getByLabel('حالة الخدمة').selectOption({ label: 'عادت' });
    await page.getByLabel('تاريخ الحدث').fill('2025-03-02');
    await page.getByLabel('منقطعة منذ').fill('2025-03-02');
    await page.getByLabel('عادت في').fill('2025-03-06');
    await save(page, 1);
    const text = await reportAt(page, 'حي الرمل').innerText();
    expect(text).toContain(`من ${tr.date('2025-03-02')} إلى ${tr.date('2025-03-06')}`);
  });

  test('an access cut still going on says since when', async () => {
    await newReport(page, 'انقطاع خدمات', 'حي الصليبة');
    await page.getByLabel('الخدمة', { exact: true }).selectOption({ label: 'الكهرباء' });
    await page.getByLabel('حالة الخدمة').selectOption({ label: 'مقطوعة' });
    await page.getByLabel('تاريخ الحدث').fill('2025-03-04');
    await page.getByLabel('منقطعة منذ').fill('2025-03-04');
    await save(page, 2);
    const text = await reportAt(page, 'حي الصليبة').innerText();
    expect(text).toContain(`منذ ${tr.date('2025-03-04')}`);
  });

  test('an approximate event date is marked, and a range shows both its ends', async () => {
    await newReport(page, 'أضرار', 'قرية البرجان');
    await page.getByLabel('دقة التاريخ').selectOption({ label: 'تقريبي' });
    await page.getByLabel('تاريخ الحدث').fill('2025-03-07');
    await save(page, 3);
    expect(await reportAt(page, 'قرية البرجان').innerText()).toContain(`${tr.date('2025-03-07')} تقريبًا`);

    await newReport(page, 'أضرار', 'قرية الشير');
    await page.getByLabel('دقة التاريخ').selectOption({ label: 'فترة' });
    await page.getByLabel('تاريخ الحدث').fill('2025-03-07');
    await page.getByLabel('تاريخ النهاية').fill('2025-03-09');
    await save(page, 4);
    expect(await reportAt(page, 'قرية الشير').innerText()).toContain(`من ${tr.date('2025-03-07')} إلى ${tr.date('2025-03-09')}`);

    // An exact date is the date alone, with no mark.
    await newReport(page, 'أضرار', 'قرية السامية');
    await page.getByLabel('تاريخ الحدث').fill('2025-03-08');
    await save(page, 5);
    const exact = await reportAt(page, 'قرية السامية').innerText();
    expect(exact).toContain(tr.date('2025-03-08'));
    expect(exact).not.toContain('تقريبًا');
  });
});
