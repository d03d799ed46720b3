/**
 * Drafts come back where they were left, on a monitor's phone: 360×740, in Arabic, with a CPU four
 * times slower than the machine's. A reload on a form opens it again with the draft in it; a form
 * opened afresh after the page was killed offers the draft back, named by its place and type, as the
 * list does; an edit's form offers only drafts of that report.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { appReady, countRows, launchBrowser, loadSampleGazetteer, newPhoneContext, PHONE, waitForCount, waitForValue } from './harness.ts';

let browser: Browser;
let context: BrowserContext;

const reports = (p: Page) => p.getByRole('list', { name: 'التقارير' }).getByRole('listitem');
const place = (p: Page) => p.getByLabel('اسم المكان', { exact: true });
const structures = (p: Page) => p.getByLabel('عدد المباني');
/** A draft offered back, by the sentence that names it: its type in its place, unsaved, from a time in Arabic digits. */
const offerOf = (p: Page, name: string) => p.getByRole('region', { name: new RegExp(`^${name}، لم يُحفظ، من .*[٠-٩]`) });
const anyOffer = (p: Page) => p.getByRole('region', { name: /لم يُحفظ/ });

/** A page of the phone, its CPU slowed as a monitor's phone is. */
async function phonePage(path = '/'): Promise<Page> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await page.goto(path);
  await appReady(page);
  return page;
}

/** Waits until the draft written after the last keystroke has landed: a page killed then loses nothing. */
async function draftLanded(p: Page) {
  await p.waitForFunction(() => {
    const typed = performance.getEntriesByName('typed').at(-1)?.startTime ?? 0;
    return performance.getEntriesByName('draft:settled').some((m) => m.startTime > typed);
  });
}

async function newDamageReport(p: Page) {
  await p.getByRole('button', { name: 'تقرير جديد' }).click();
  await p.getByRole('radiogroup', { name: 'نوع التقرير' }).getByRole('radio', { name: 'أضرار' }).check();
}

async function save(p: Page, count: number) {
  await p.getByRole('button', { name: 'حفظ' }).click();
  await waitForCount(reports(p), count);
}

beforeAll(async () => {
  browser = await launchBrowser();
  context = await newPhoneContext(browser);
  // Marked after the form's own handler has asked for the draft write of each keystroke, on every page load.
  await context.addInitScript(() => addEventListener('input', () => performance.mark('typed')));
});

afterAll(async () => {
  await browser?.close();
});

test('a reload on the new report form opens it again with the draft in it', async () => {
  const page = await phonePage();
  expect(page.viewportSize()).toEqual(PHONE.viewport);
  await newDamageReport(page);
  await place(page).fill('قرية المزيرعة');
  await structures(page).fill('٧');
  await draftLanded(page);

  await page.reload();
  await waitForValue(place(page), 'قرية المزيرعة');
  expect(await page.getByRole('radio', { name: 'أضرار' }).isChecked()).toBe(true);
  expect(await structures(page).inputValue()).toBe('٧');
  // The form is the draft itself, not an offer of it.
  expect(await anyOffer(page).count()).toBe(0);

  await page.getByLabel('تاريخ الحدث').fill('2025-03-07');
  await draftLanded(page);
  // Going on typing after the reload writes the same draft, not a second one.
  expect(await countRows(page, 'drafts')).toBe(1);
  await save(page, 1);
  expect(await reports(page).first().textContent()).toContain('قرية المزيرعة');
  expect(await countRows(page, 'drafts')).toBe(0);
  await page.close();
});

test('a page killed on the new report form offers the draft back on the list and on the form, by place and type', async () => {
  let page = await phonePage();
  await newDamageReport(page);
  await place(page).fill('حي الرمل');
  await structures(page).fill('٣');
  await draftLanded(page);
  await page.close({ runBeforeUnload: false });

  page = await phonePage();
  await offerOf(page, 'أضرار في حي الرمل').waitFor();
  await page.getByRole('button', { name: 'تقرير جديد' }).click();
  // The form opened afresh offers the draft, as the list did, before any type is picked.
  const offer = offerOf(page, 'أضرار في حي الرمل');
  await offer.waitFor();
  await offer.getByRole('button', { name: 'متابعة' }).click();
  await waitForValue(place(page), 'حي الرمل');
  expect(await page.getByRole('radio', { name: 'أضرار' }).isChecked()).toBe(true);
  expect(await structures(page).inputValue()).toBe('٣');
  expect(await anyOffer(page).count()).toBe(0);

  await page.getByLabel('تاريخ الحدث').fill('2025-03-08');
  await draftLanded(page);
  expect(await countRows(page, 'drafts')).toBe(1);
  await save(page, 2);
  expect(await reports(page).first().textContent()).toContain('حي الرمل');
  expect(await countRows(page, 'drafts')).toBe(0);
  await page.close();
});

test('a draft with an area picked and no place name is named by the area', async () => {
  let page = await phonePage();
  await loadSampleGazetteer(page);
  await page.getByRole('navigation', { name: 'القائمة الرئيسية' }).getByRole('link', { name: 'التقارير' }).click();
  await newDamageReport(page);
  await page.getByLabel('المحافظة', { exact: true }).selectOption({ label: 'اللاذقية' });
  await page.getByLabel('المنطقة', { exact: true }).selectOption({ label: 'جبلة' });
  await draftLanded(page);
  await page.close({ runBeforeUnload: false });

  page = await phonePage();
  const offer = offerOf(page, 'أضرار في جبلة');
  await offer.waitFor();
  await offer.getByRole('button', { name: 'تجاهل' }).click();
  await waitForCount(anyOffer(page), 0);
  await page.close();
});

test('a draft with no place is offered as such', async () => {
  let page = await phonePage();
  await newDamageReport(page);
  await structures(page).fill('٥');
  await draftLanded(page);
  await page.close({ runBeforeUnload: false });

  page = await phonePage();
  const offer = offerOf(page, 'أضرار، بلا مكان');
  await offer.waitFor();
  await offer.getByRole('button', { name: 'تجاهل' }).click();
  await waitForCount(anyOffer(page), 0);
  expect(await countRows(page, 'drafts')).toBe(0);
  await page.close();
});

test('an edit form offers back the drafts of its own report only, and a reload keeps the edit', async () => {
  let page = await phonePage();
  await reports(page).filter({ hasText: 'قرية المزيرعة' }).getByRole('link').click();
  await page.getByRole('button', { name: 'تعديل' }).click();
  await waitForValue(structures(page), '7');
  await structures(page).fill('٩');
  await draftLanded(page);
  await page.reload();
  await waitForValue(structures(page), '٩');
  await structures(page).fill('١١');
  await draftLanded(page);
  await page.close({ runBeforeUnload: false });

  page = await phonePage();
  await offerOf(page, 'تعديل أضرار في قرية المزيرعة').waitFor();
  // Another report's edit form offers nothing: the draft is not its.
  await reports(page).filter({ hasText: 'حي الرمل' }).getByRole('link').click();
  await page.getByRole('button', { name: 'تعديل' }).click();
  await waitForValue(structures(page), '3');
  expect(await anyOffer(page).count()).toBe(0);

  // Back would leave the app (its screens replace one another in the history): the header's link goes to the list.
  await page.getByRole('navigation', { name: 'القائمة الرئيسية' }).getByRole('link', { name: 'التقارير' }).click();
  await reports(page).filter({ hasText: 'قرية المزيرعة' }).getByRole('link').click();
  await page.getByRole('button', { name: 'تعديل' }).click();
  const offer = offerOf(page, 'تعديل أضرار في قرية المزيرعة');
  await offer.waitFor();
  await offer.getByRole('button', { name: 'متابعة' }).click();
  await waitForValue(structures(page), '١١');
  await page.getByRole('button', { name: 'حفظ' }).click();
  await page.getByRole('article').filter({ hasText: '١١' }).waitFor();
  expect(await countRows(page, 'drafts')).toBe(0);
  await page.close();
});
