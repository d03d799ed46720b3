/**
 * The report form on a monitor's phone: 360×740, in Arabic, with a CPU four times slower than the
 * machine's. Typing after a failed Save keeps every keystroke and the focus where it was, and the
 * error summary links each field at fault.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { appReady, launchBrowser, newPhoneContext, PHONE, sessionHistory } from './harness.ts';

let browser: Browser;
let page: Page;

const summaryOf = (p: Page) => p.getByRole('group', { name: /^تحقّق من/ });

async function newReport(p: Page, type: string) {
  await p.getByRole('button', { name: 'تقرير جديد' }).click();
  await p.getByRole('radiogroup', { name: 'نوع التقرير' }).getByRole('radio', { name: type }).check();
}

/** Cancel drops the form and its draft; the next test starts from the list again. */
async function cancelForm(p: Page) {
  await p.getByRole('button', { name: 'إلغاء' }).click();
  await p.getByRole('list', { name: 'التقارير' }).waitFor({ state: 'attached' });
}

/**
 * Waits until the page has done all it does after the last keystroke: the draft written after it
 * has landed, and the effects of the renders it caused have run (they run after the next frame).
 */
async function settled(p: Page) {
  await p.waitForFunction(() => {
    const typed = performance.getEntriesByName('typed').at(-1)?.startTime ?? 0;
    return performance.getEntriesByName('draft:settled').some((m) => m.startTime > typed);
  });
  await p.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

const isFocused = (l: Locator) => l.evaluate((el) => el === document.activeElement);

beforeAll(async () => {
  browser = await launchBrowser();
  const context = await newPhoneContext(browser);
  page = await context.newPage();
  await page.goto('/');
  await appReady(page);
  // Marked after the form's own handler has asked for the draft write of each keystroke.
  await page.evaluate(() => addEventListener('input', () => performance.mark('typed')));
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  expect(page.viewportSize()).toEqual(PHONE.viewport);
});

// Each test starts from the list, whatever the one before left on screen.
beforeEach(async () => {
  await page.getByRole('navigation', { name: 'القائمة الرئيسية' }).getByRole('link', { name: 'التقارير' }).click();
  await page.getByRole('list', { name: 'التقارير' }).waitFor({ state: 'attached' });
});

afterAll(async () => {
  await browser?.close();
});

describe('typing after a failed Save', () => {
  test('every keystroke stays in the field, and the focus with it', async () => {
    await newReport(page, 'أضرار');
    await page.getByRole('button', { name: 'حفظ' }).click();
    const count = page.getByText(/^تحقّق من/);
    await count.waitFor();
    // Save took the focus to what is wrong, once.
    expect(await count.evaluate((el) => document.activeElement?.contains(el) ?? false)).toBe(true);

    const place = page.getByLabel('اسم المكان', { exact: true });
    await place.click();
    // Its first letter fixes the place: the error summary changes under the monitor's fingers.
    await page.keyboard.type('ab c');
    await settled(page);
    expect(await place.inputValue()).toBe('ab c');
    expect(await isFocused(place)).toBe(true);

    const narrative = page.getByLabel('ملاحظات');
    await narrative.click();
    await narrative.pressSequentially('حي القصور');
    await settled(page);
    expect(await narrative.inputValue()).toBe('حي القصور');
    expect(await isFocused(narrative)).toBe(true);
    await cancelForm(page);
  });

  test('the error summary lists each field at fault by its label, and each link takes the focus there', async () => {
    await newReport(page, 'أضرار');
    await page.getByLabel('عدد المباني').fill('-3');
    await page.getByRole('button', { name: 'حفظ' }).click();
    const summary = summaryOf(page);
    await summary.waitFor();
    expect(await isFocused(summary)).toBe(true);
    // In the order the form shows them.
    expect(await summary.getByRole('link').allTextContents()).toEqual(['عدد المباني', 'تاريخ الحدث', 'اسم المكان']);

    const visited = (await sessionHistory(page)).length;
    for (const [link, input] of [
      ['تاريخ الحدث', page.getByLabel('تاريخ الحدث')],
      ['عدد المباني', page.getByLabel('عدد المباني')],
      ['اسم المكان', page.getByLabel('اسم المكان', { exact: true })],
    ] as const) {
      await summary.getByRole('link', { name: link }).click();
      await page.waitForFunction((el) => el === document.activeElement, await input.elementHandle());
    }
    // Following a link is not a move to another screen: Back still leaves the form.
    expect(new URL(page.url()).pathname).toBe('/new');
    expect((await sessionHistory(page)).length).toBe(visited);

    // Typed into, the field at fault leaves the summary; the focus stays in the field.
    await page.keyboard.type('حارة الزيتون');
    await settled(page);
    expect(await summary.getByRole('link').allTextContents()).toEqual(['عدد المباني', 'تاريخ الحدث']);
    expect(await isFocused(page.getByLabel('اسم المكان', { exact: true }))).toBe(true);
    await cancelForm(page);
  });
});
