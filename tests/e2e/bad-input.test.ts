/**
 * The English interface, and what a monitor meets when something is wrong: bad values get a message
 * next to their field, and stored data this version cannot read is listed as such. Nothing already
 * saved is lost in either.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { countRows, launchBrowser, newPhoneContext, screenshot, waitForCount, waitForValue } from './harness.ts';

let browser: Browser;
let context: BrowserContext;
let page: Page;

const reports = (p: Page) => p.getByRole('list', { name: 'Reports' }).getByRole('listitem');

/** The message shown next to an input: the element its aria-describedby names. */
async function errorOf(p: Page, label: string): Promise<string> {
  const input = p.getByLabel(label, { exact: true });
  await input.and(p.locator('[aria-invalid="true"]')).waitFor();
  const ids = (await input.getAttribute('aria-describedby'))!.split(' ');
  return (await p.locator(`[id="${ids.find((id) => id.endsWith('-error'))}"]`).textContent()) ?? '';
}

async function newReport(p: Page, type: string) {
  await p.goto('/');
  await p.getByRole('button', { name: 'New report' }).click();
  await p.getByRole('radiogroup', { name: 'Report type' }).getByRole('radio', { name: type }).check();
}

/** Cancel leaves the form once its draft is gone; the next step must not race that navigation. */
async function cancelForm(p: Page) {
  await p.getByRole('button', { name: 'Cancel' }).click();
  await p.getByRole('list', { name: 'Reports' }).waitFor({ state: 'attached' });
}

beforeAll(async () => {
  browser = await launchBrowser();
  context = await newPhoneContext(browser, { locale: 'en-GB' });
  page = await context.newPage();
  await page.goto('/');
  // Arabic is the default whatever the browser's language; the monitor switches once and it is remembered.
  await page.getByRole('combobox', { name: 'اللغة' }).selectOption({ label: 'English' });
  await page.getByRole('button', { name: 'New report' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
});

describe('the English interface', () => {
  test('the chosen language is remembered across reloads and written left to right', async () => {
    await page.reload();
    await page.getByRole('button', { name: 'New report' }).waitFor();
    expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir].join(' '))).toBe('en ltr');
    const language = page.getByRole('combobox', { name: 'Language' });
    expect(await language.locator('option').allTextContents()).toEqual(['العربية', 'English']);
  });

  test('every control is found by its role and English name', async () => {
    await newReport(page, 'Displacement');
    const group = page.getByRole('radiogroup', { name: 'Report type' });
    for (const name of ['Displacement', 'Damage', 'Access cut']) expect(await group.getByRole('radio', { name }).count()).toBe(1);
    for (const label of ['Place name', 'Event date', 'Households', 'Individuals', 'Notes']) {
      expect(await page.getByLabel(label, { exact: true }).count(), label).toBe(1);
    }
    await screenshot(page, 'form-displacement-en');
    await group.getByRole('radio', { name: 'Damage' }).check();
    expect(await page.getByLabel('Structures', { exact: true }).count()).toBe(1);
    expect(await page.getByLabel('Damage level').locator('option').allTextContents()).toEqual([
      '—',
      'Destroyed',
      'Severe',
      'Moderate',
      'Possible',
    ]);
    await screenshot(page, 'form-damage-en');
    await group.getByRole('radio', { name: 'Access cut' }).check();
    const services = await page.getByLabel('Service', { exact: true }).locator('option').allTextContents();
    expect(services).toEqual(expect.arrayContaining(['Bread', 'Water', 'Electricity']));
    await screenshot(page, 'form-access-cut-en');
    expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(1);
    await cancelForm(page);
  });

  test("the phone's position is asked for only after the monitor confirms standing at the event", async () => {
    await context.grantPermissions(['geolocation']);
    await context.setGeolocation({ latitude: 35.3629, longitude: 35.9284, accuracy: 12 });
    await newReport(page, 'Damage');
    const use = page.getByRole('button', { name: 'Use my position' });
    expect(await use.isDisabled()).toBe(true);
    await page.getByRole('checkbox', { name: 'I am standing where the event happened' }).check();
    await use.click();
    await waitForValue(page.getByLabel('Latitude'), '35.362900');
    expect(await page.getByLabel('Longitude').inputValue()).toBe('35.928400');
    expect(await page.getByLabel('Accuracy in metres').inputValue()).toBe('12');
    expect(await page.getByRole('status').filter({ hasText: 'Position found' }).textContent()).toBe(
      'Position found, accurate to about 12 m',
    );
    await cancelForm(page);
  });

  test('a COD-AB gazetteer file is imported in Settings; bad rows are listed by line and the rest kept', async () => {
    await page.goto('/settings');
    const csv = [
      'admin1Name_en,admin1Name_ar,admin1Pcode,admin2Name_en,admin2Name_ar,admin2Pcode',
      'Tartous,طرطوس,SY10,Banyas,بانياس,SY1002',
      'Tartous,طرطوس,SY10,Safita,صافيتا,SY1003',
      'Tartous,طرطوس,SY10,,بلا اسم,not-a-code',
    ].join('\r\n');
    await page
      .getByLabel('Import a gazetteer (OCHA COD-AB CSV)')
      .setInputFiles({ name: 'tartous.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const status = page.getByRole('status').filter({ hasText: 'Imported' });
    await status.filter({ hasText: 'Imported 3 areas.' }).waitFor();
    expect(await status.textContent()).toContain('1 row was skipped:');
    expect(await status.textContent()).toContain('Line 4:');
    expect(await page.getByText('tartous.csv: 3 areas').count()).toBe(1);
    await screenshot(page, 'settings-en');
    await newReport(page, 'Damage');
    await page.getByLabel('Governorate').selectOption({ label: 'Tartous' });
    expect(await page.getByLabel('District').locator('option').allTextContents()).toEqual(['—', 'Banyas', 'Safita']);
    await cancelForm(page);
  });
});

describe('bad input', () => {
  test('each bad value gets its message next to its field, and nothing is saved until they are fixed', async () => {
    await newReport(page, 'Damage');
    await page.getByLabel('Structures', { exact: true }).fill('-3');
    await page.getByLabel('Date precision').selectOption({ label: 'Range' });
    await page.getByLabel('Event date').fill('2025-03-09');
    await page.getByLabel('End date').fill('2025-03-06');
    await page.getByLabel('Place name').fill('Beit Yashout');
    await page.getByLabel('Latitude').fill('91');
    await page.getByLabel('Longitude').fill('35.9');
    await page.getByLabel('Notes').fill('x'.repeat(1_000_000));
    await page.getByRole('button', { name: 'Save' }).click();

    expect(await errorOf(page, 'Structures')).toBe('A count cannot be negative.');
    expect(await errorOf(page, 'End date')).toBe('The end is before the start.');
    expect(await errorOf(page, 'Latitude')).toBe('Latitude must be between -90 and 90.');
    expect(await errorOf(page, 'Notes')).toBe('Too long: 1,000,000 characters. Shorten it to at most 20,000.');
    // The summary above the form, named by what it asks, with a link to each field.
    const summary = page.getByRole('group', { name: 'Check the 4 fields marked below.' });
    expect(await summary.getByRole('link').allTextContents()).toEqual(['Structures', 'End date', 'Latitude', 'Notes']);
    await screenshot(page, 'form-errors-en');
    expect(await countRows(page, 'reports')).toBe(0);

    await page.getByLabel('Structures', { exact: true }).fill('abc');
    expect(await errorOf(page, 'Structures')).toBe('Enter a number, or leave it empty if unknown.');
    await page.getByLabel('Structures', { exact: true }).fill('');
    await page.getByLabel('End date').fill('2025-03-11');
    await page.getByLabel('Event date').fill('2099-01-01');
    expect(await errorOf(page, 'Event date')).toBe('This date is in the future.');
    await page.getByLabel('Event date').fill('2025-03-09');
    await page.getByLabel('Latitude').fill('35.37');
    await page.getByLabel('Notes').fill('Homes burned after looting; neighbours counted the structures from the road.');
    await page.getByRole('button', { name: 'Save' }).click();

    await waitForCount(reports(page), 1);
    const saved = await reports(page).first().textContent();
    expect(saved).toContain('Beit Yashout');
    // An empty count is unknown, not zero: nothing about structures is shown.
    expect(saved).not.toContain('Structures');
  });

  test('a report this version cannot read is listed as such, and the others still show', async () => {
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open('rasid');
          open.onsuccess = () => {
            const tx = open.result.transaction('reports', 'readwrite');
            tx.objectStore('reports').put({
              id: '01a2f000-0000-7000-8000-000000000001',
              type: 'flood',
              createdAt: '9999',
              state: {},
              lastOwnSeq: 0,
            });
            tx.oncomplete = () => {
              open.result.close();
              resolve();
            };
            tx.onerror = () => reject(tx.error ?? new Error('transaction failed'));
          };
        }),
    );
    await page.reload();
    await waitForCount(reports(page), 2);
    const texts = await reports(page).allTextContents();
    expect(texts[0]).toMatch(/^Could not read this report \(01a2f000\)/);
    expect(texts[1]).toContain('Beit Yashout');
    await screenshot(page, 'list-en');
  });
});
