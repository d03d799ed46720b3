/**
 * The report form on a monitor's phone: 360×740, in Arabic, with a CPU four times slower than the
 * machine's. Typing after a failed Save keeps every keystroke and the focus where it was; the error
 * summary links each field at fault; and the form leaves room to type: a header of one slim row that
 * keeps the panic action, tap targets a finger can hit, required fields marked, the damage levels
 * explained and the narrative counted against its limit.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { ar as core } from '../../src/app/i18n/ar.ts';
import { screensAr } from '../../src/app/i18n/screens.ar.ts';

const ar = { ...core, ...screensAr };
import { DAMAGE_LEVELS } from '../../src/domain/report-codes.ts';
import { appReady, launchBrowser, loadSampleGazetteer, newPhoneContext, PHONE, sessionHistory } from './harness.ts';

let browser: Browser;
let page: Page;

/** What WCAG 2.5.5 and the platforms' guidelines ask of a target a finger taps, in CSS pixels. */
const MIN_TARGET = 44;
/** The header's most, with a form open: with the keyboard up, every pixel it keeps is one less to type in. */
const HEADER_ON_FORM_MAX = 56;

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

/** The text of the elements an input's aria-describedby names: what a screen reader says after its name. */
async function descriptionOf(input: Locator): Promise<string> {
  const ids = (await input.getAttribute('aria-describedby'))?.split(' ') ?? [];
  // As seen: a list's items are lines of their own.
  const texts = await Promise.all(ids.map((id) => input.page().locator(`[id="${id}"]`).innerText()));
  return texts.join('\n');
}

/** Every visible one of `targets` smaller than a finger, as "name: width×height". */
async function tooSmall(targets: Locator): Promise<string[]> {
  const small: string[] = [];
  for (const target of await targets.all()) {
    const box = await target.boundingBox();
    if (!box || !(await target.isVisible())) continue;
    if (box.width < MIN_TARGET || box.height < MIN_TARGET) {
      const name = (await target.getAttribute('aria-label')) ?? (await target.textContent());
      small.push(`${name?.trim()}: ${Math.round(box.width)}×${Math.round(box.height)}`);
    }
  }
  return small;
}

beforeAll(async () => {
  browser = await launchBrowser();
  const context = await newPhoneContext(browser);
  page = await context.newPage();
  await page.goto('/');
  await appReady(page);
  // The gazetteer makes the admin areas choosable: a picked area stands in for a place name.
  await loadSampleGazetteer(page);
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

describe('room to type', () => {
  test('with a form open the header is one slim row, and the panic action is one tap away', async () => {
    const banner = page.getByRole('banner');
    const full = (await banner.boundingBox())!.height;
    await newReport(page, 'أضرار');
    const height = (await banner.boundingBox())!.height;
    console.log(`header: ${Math.round(full)} px on the list, ${Math.round(height)} px with the form open`);
    expect(height).toBeLessThanOrEqual(HEADER_ON_FORM_MAX);

    // Deep in the form, the keyboard's field in view: the panic button is still on screen, tappable.
    const narrative = page.getByLabel('ملاحظات');
    await narrative.focus();
    await narrative.scrollIntoViewIfNeeded();
    const panic = banner.getByRole('button', { name: 'امسح بيانات الهاتف' });
    const box = (await panic.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(HEADER_ON_FORM_MAX);
    // Nothing covers it: a tap would land on it (trial: the phone is not wiped).
    await panic.click({ trial: true });
    // The way back to the list is still there too.
    expect(await page.getByRole('navigation', { name: 'القائمة الرئيسية' }).getByRole('link', { name: 'التقارير' }).isVisible()).toBe(true);
    await cancelForm(page);
  });

  test('every nav link and button is at least 44×44 CSS px, on the list and on the form', async () => {
    const targets = (p: Page) =>
      p
        .getByRole('navigation', { name: 'القائمة الرئيسية' })
        .getByRole('link')
        .or(p.getByRole('banner').getByRole('link'))
        .or(p.getByRole('banner').getByRole('combobox'))
        .or(p.getByRole('button'));
    expect(await tooSmall(targets(page)), 'on the list').toEqual([]);

    await newReport(page, 'أضرار');
    await page.getByRole('button', { name: 'حفظ' }).click();
    await summaryOf(page).waitFor();
    expect(await tooSmall(targets(page).or(summaryOf(page).getByRole('link'))), 'on the form').toEqual([]);
    await cancelForm(page);
  });

  test('required fields carry aria-required and a visible mark; the others neither', async () => {
    await newReport(page, 'أضرار');
    const required = async (input: Locator) => {
      const aria = await input.getAttribute('aria-required');
      // The mark sits on the field's label line, beside its label, where the eye looks for it.
      const mark = await input.evaluate((el) => {
        const line = document.querySelector(`label[for="${el.id}"]`)?.parentElement;
        const marks = [...(line?.querySelectorAll('[aria-hidden="true"]') ?? [])];
        return marks.some((m) => m.textContent?.trim() === 'مطلوب' && (m as HTMLElement).checkVisibility());
      });
      return { aria, mark };
    };
    const yes = { aria: 'true', mark: true };
    const no = { aria: null, mark: false };
    expect(await required(page.getByLabel('تاريخ الحدث'))).toEqual(yes);
    expect(await required(page.getByLabel('اسم المكان', { exact: true }))).toEqual(yes);
    for (const label of ['عدد المباني', 'درجة الضرر', 'ملاحظات', 'المحافظة']) {
      expect(await required(page.getByLabel(label, { exact: true })), label).toEqual(no);
    }
    // A picked area gives the place as well as a name would.
    await page.getByLabel('المحافظة', { exact: true }).selectOption({ label: 'اللاذقية' });
    expect(await required(page.getByLabel('اسم المكان', { exact: true }))).toEqual(no);
    // A range needs its end.
    expect(await page.getByLabel('تاريخ النهاية').count()).toBe(0);
    await page.getByLabel('دقة التاريخ').selectOption({ label: 'فترة' });
    expect(await required(page.getByLabel('تاريخ النهاية'))).toEqual(yes);
    // An access cut needs its service.
    await page.getByRole('radiogroup', { name: 'نوع التقرير' }).getByRole('radio', { name: 'انقطاع خدمات' }).check();
    expect(await required(page.getByLabel('الخدمة', { exact: true }))).toEqual(yes);
    await cancelForm(page);
  });

  test('each damage level is explained where it is chosen, in a line of its own', async () => {
    await newReport(page, 'أضرار');
    const level = page.getByLabel('درجة الضرر');
    const lines = (await descriptionOf(level)).split('\n').filter(Boolean);
    const explained = DAMAGE_LEVELS.map((v) => `${ar[`code.damageLevel.${v}`]}: ${ar[`code.damageLevel.${v}.hint`]}`);
    for (const line of explained) expect(lines).toContain(line);
    for (const line of explained) expect(await page.getByText(line, { exact: true }).isVisible(), line).toBe(true);
    await cancelForm(page);
  });

  test('the narrative shows its 20,000-character limit and a counter in Arabic digits, as one types', async () => {
    await newReport(page, 'أضرار');
    const narrative = page.getByLabel('ملاحظات');
    // Counted as the limit is, in the digits and separators of Syrian Arabic.
    const empty = 'عدد الأحرف: ٠ من ٢٠٬٠٠٠';
    expect(await descriptionOf(narrative)).toContain(empty);
    expect(await page.getByText(empty, { exact: true }).isVisible()).toBe(true);
    await narrative.click();
    await page.keyboard.type('ab c');
    await page.getByText('عدد الأحرف: ٤ من ٢٠٬٠٠٠', { exact: true }).waitFor();
    expect(await descriptionOf(narrative)).toContain('عدد الأحرف: ٤ من ٢٠٬٠٠٠');
    await cancelForm(page);
  });
});
