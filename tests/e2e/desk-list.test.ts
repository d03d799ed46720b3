/**
 * The desk's report list on a coordinator's laptop, over a base filled with the demo's invented
 * reports: filters by type, area, verification and conflict, a search that reads Arabic the way
 * people type it, a list that keeps only the rows in view in the page, and a report that cannot be
 * read counted and listed. In Arabic, then in English.
 *
 * Expectations come from what the page itself shows (the count, each row, each choice's count),
 * never from the demo's exact numbers, which are the demo's to tune.
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { normalizeDigits } from '../../src/domain/digits.ts';
import { joinDemoBase, LAPTOP, launchBrowser, saveDamageReport, screenshot, syncNow, until } from './harness.ts';
import { startServer, type ServerProcess } from './server-process.ts';

let server: ServerProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;

const UI = {
  ar: {
    list: 'التقارير المطابقة لعوامل التصفية',
    filters: 'تصفية التقارير',
    search: 'بحث',
    type: 'النوع',
    adm1: 'المحافظة',
    adm2: 'المنطقة',
    verification: 'حالة التحقق',
    conflictOnly: 'التقارير التي فيها تعارض فقط',
    clear: 'امسح عوامل التصفية',
    damage: 'أضرار',
    verified: 'متحقق منه',
    unverified: 'غير متحقق منه',
    conflict: 'تعارض',
    lattakia: 'اللاذقية',
    jablah: 'جبلة',
  },
  en: {
    list: 'Reports matching the filters',
    filters: 'Filter reports',
    search: 'Search',
    type: 'Type',
    adm1: 'Governorate',
    adm2: 'District',
    verification: 'Verification',
    conflictOnly: 'Only reports with a conflict',
    clear: 'Clear filters',
    damage: 'Damage',
    verified: 'Verified',
    unverified: 'Unverified',
    conflict: 'Conflict',
    lattakia: 'Lattakia',
    jablah: 'Jablah',
  },
} as const;
type Lang = keyof typeof UI;

/** A report filed in another tab while the list has the focus. */
const ARRIVING = 'حي الصليبة';
/** A report this test files itself, so a name written with a haraka and a hamza is surely there. */
const RED_QUARTER = 'حي الأَحمر';
/** Its narrative: longer than a row shows, its last words only on the report's own screen. */
const LONG_NOTE_START = 'دخلت مجموعة مسلحة الحي فجرًا وأحرقت ثلاثة بيوت';
const LONG_NOTE_END = 'وبقيت العائلات في المدرسة حتى المساء.';
const LONG_NOTE = `${LONG_NOTE_START}، ${'ثم عادت بعد ساعة ونهبت المحال القريبة من السوق، '.repeat(4)}${LONG_NOTE_END}`;

const rows = (lang: Lang) => page.getByRole('list', { name: UI[lang].list }).getByRole('listitem');
const filters = (lang: Lang) => page.getByRole('search', { name: UI[lang].filters });

/** "N of M reports" as the page says it, in either language's digits. */
async function counts(): Promise<{ shown: number; total: number }> {
  const text = normalizeDigits((await page.getByRole('main').getByRole('status').textContent()) ?? '');
  const numbers = [...text.matchAll(/\d+/g)].map((m) => Number(m[0]));
  return { shown: numbers[0] ?? NaN, total: numbers[numbers.length - 1] ?? NaN };
}

/** Waits until the count settles on a new number of shown reports, then returns it. */
async function shownAfter(change: () => Promise<unknown>, before: number): Promise<number> {
  await change();
  return (await until(page, counts, (c) => expect(c.shown).not.toBe(before))).shown;
}

/**
 * The desk opened afresh, once its list has read every report: while it reads, reports join the
 * list in its order, and a keyboard test would move among rows still arriving.
 */
async function openDeskRead(): Promise<void> {
  await page.goto('/desk');
  await rows('ar').nth(3).waitFor({ state: 'attached' });
  await page.getByText('جارٍ قراءة التقارير…').waitFor({ state: 'detached' });
}

async function rowTexts(lang: Lang): Promise<string[]> {
  return rows(lang).allTextContents();
}

/** Picks the choice whose label starts with `name` (labels end with a count) and returns that count. */
async function chooseArea(select: Locator, name: string): Promise<number> {
  const labels = await select.getByRole('option').allTextContents();
  const label = labels.find((l) => l.startsWith(`${name} (`));
  expect(label, `a choice for ${name} among ${labels.join(', ')}`).toBeDefined();
  await select.selectOption({ label: label! });
  return Number(normalizeDigits(/\(([^)]+)\)/.exec(label!)![1]!).replace(/\D/g, ''));
}

async function clearFilters(lang: Lang) {
  const clear = page.getByRole('button', { name: UI[lang].clear });
  await clear.click();
  // With no filter left the button is disabled: a count already at its total proves nothing.
  await until(
    page,
    () => clear.isDisabled(),
    (disabled) => expect(disabled).toBe(true),
  );
  await until(page, counts, (c) => expect(c.shown).toBe(c.total));
}

beforeAll(async () => {
  server = await startServer({ args: ['--demo'] });
  browser = await launchBrowser();
  context = await browser.newContext({ ...LAPTOP, baseURL: server.baseUrl });
  page = await context.newPage();
  await joinDemoBase(page, server);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('in Arabic', () => {
  test('after a sync the desk lists every report newest first, only the rows in view in the page', async () => {
    await syncNow(page, 'ar');

    // One report of the coordinator's own, filed under Jablah, with a name typed with its haraka and hamza.
    await page.goto('/');
    await page.getByRole('button', { name: 'تقرير جديد' }).click();
    await page.getByRole('radiogroup', { name: 'نوع التقرير' }).getByRole('radio', { name: 'أضرار' }).check();
    await page.getByLabel('تاريخ الحدث').fill('2023-03-07');
    await page.getByLabel('اسم المكان', { exact: true }).fill(RED_QUARTER);
    await page.getByLabel('المحافظة', { exact: true }).selectOption({ label: 'اللاذقية' });
    await page.getByLabel('المنطقة', { exact: true }).selectOption({ label: 'جبلة' });
    await page.getByLabel('عدد المباني').fill('٣');
    await page.getByLabel('ملاحظات').fill(LONG_NOTE);
    await page.getByRole('button', { name: 'حفظ' }).click();
    await page.getByRole('list', { name: 'التقارير' }).getByRole('listitem').filter({ hasText: RED_QUARTER }).waitFor();

    await page.getByRole('link', { name: 'المكتب', exact: true }).click();
    await rows('ar').nth(0).waitFor({ state: 'attached' });
    const { shown, total } = await counts();
    expect(shown).toBe(total);
    // The demo holds hundreds of reports; a list that rendered them all would hold as many items.
    expect(total).toBeGreaterThan(100);
    const inPage = await rows('ar').count();
    expect(inPage).toBeLessThan(60);
    expect(await rows('ar').first().getAttribute('aria-setsize')).toBe(String(total));
    // The newest is the one this coordinator just filed.
    expect(await rows('ar').first().textContent()).toContain(RED_QUARTER);
    expect(page.url()).toBe(`${server.baseUrl}/desk`);
  });

  test('filtering by type shows only that type', async () => {
    const { total } = await counts();
    const shown = await shownAfter(() => filters('ar').getByLabel(UI.ar.type).selectOption({ label: UI.ar.damage }), total);
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(total);
    for (const text of await rowTexts('ar')) expect(text.startsWith(UI.ar.damage)).toBe(true);
    await clearFilters('ar');
  });

  test('filtering by governorate and district shows the count each choice promised, all in that district', async () => {
    const { total } = await counts();
    const governorate = await chooseArea(filters('ar').getByLabel(UI.ar.adm1, { exact: true }), UI.ar.lattakia);
    await until(page, counts, (c) => expect(c.shown).toBe(governorate));
    const district = await chooseArea(filters('ar').getByLabel(UI.ar.adm2, { exact: true }), UI.ar.jablah);
    await until(page, counts, (c) => expect(c.shown).toBe(district));
    expect(district).toBeGreaterThan(0);
    expect(district).toBeLessThan(total);
    for (const text of await rowTexts('ar')) expect(text).toContain(`${UI.ar.lattakia} › ${UI.ar.jablah}`);
    await screenshot(page, 'desk-list-ar');
    await clearFilters('ar');
  });

  test('filtering by verification and by conflict shows only such reports', async () => {
    const { total } = await counts();
    const verified = await shownAfter(() => filters('ar').getByLabel(UI.ar.verification).selectOption({ label: UI.ar.verified }), total);
    expect(verified).toBeGreaterThan(0);
    for (const text of await rowTexts('ar')) {
      expect(text).toContain(UI.ar.verified);
      expect(text).not.toContain(UI.ar.unverified);
    }
    const unverified = await shownAfter(
      () => filters('ar').getByLabel(UI.ar.verification).selectOption({ label: UI.ar.unverified }),
      verified,
    );
    for (const text of await rowTexts('ar')) expect(text).toContain(UI.ar.unverified);
    await shownAfter(() => filters('ar').getByLabel(UI.ar.verification).selectOption({ index: 0 }), unverified);

    const conflicts = await shownAfter(() => filters('ar').getByLabel(UI.ar.conflictOnly).check(), total);
    expect(conflicts).toBeGreaterThan(0);
    expect(conflicts).toBeLessThan(total);
    for (const text of await rowTexts('ar')) expect(text).toContain(UI.ar.conflict);
    await clearFilters('ar');
  });

  test('a name typed without hamza or haraka, or with ه for ة, finds the written one; the query stays out of the address', async () => {
    const search = filters('ar').getByLabel(UI.ar.search, { exact: true });
    const { total } = await counts();

    const written = await shownAfter(() => search.fill('جبلة'), total);
    expect(written).toBeGreaterThan(0);
    await shownAfter(() => search.fill(''), written);
    expect(await shownAfter(() => search.fill('جبله'), total)).toBe(written);

    // Typed without hamza or haraka, the name still finds the report that wrote both, and finds what the written form finds.
    const typed = await shownAfter(() => search.fill('الاحمر'), total);
    await until(
      page,
      () => rowTexts('ar'),
      (texts) => expect(texts).toContainEqual(expect.stringContaining(RED_QUARTER)),
    );
    const typedRows = await rowTexts('ar');
    await shownAfter(() => search.fill(''), typed);
    expect(await shownAfter(() => search.fill('الأَحمر'), total)).toBe(typed);
    expect(await rowTexts('ar')).toEqual(typedRows);

    expect(page.url()).toBe(`${server.baseUrl}/desk`);
    expect(decodeURIComponent(page.url())).not.toContain('حمر');
    await clearFilters('ar');
    expect(await search.inputValue()).toBe('');
  });

  test('event dates typed in Eastern Arabic digits bound the list; a date that cannot be read says so and bounds nothing', async () => {
    const dates = filters('ar').getByRole('group', { name: 'تاريخ الحدث' });
    const { total } = await counts();
    // The demo's events are all from the last fortnight; only this coordinator's report is dated 7 March 2023.
    await dates.getByLabel('من').fill('٢٠٢٣-٠٣-٠٧');
    await dates.getByLabel('إلى').fill('٢٠٢٣/٣/٧');
    await until(
      page,
      () => rowTexts('ar'),
      (texts) => expect(texts).toEqual([expect.stringContaining(RED_QUARTER)]),
    );
    await dates.getByLabel('إلى').fill('٢٠٢٣-٠٢-٣٠');
    await dates.getByLabel('إلى').and(page.locator('[aria-invalid="true"]')).waitFor();
    expect(await dates.textContent()).toContain('لن يُطبَّق هذا التاريخ حتى يُصحَّح');
    await until(page, counts, (c) => expect(c.shown).toBeGreaterThan(1));
    await clearFilters('ar');
    expect((await counts()).total).toBe(total);
  });

  test('rows are reached by keyboard and open the report', async () => {
    const first = rows('ar').first().getByRole('link');
    await first.focus();
    await page.keyboard.press('ArrowDown');
    const position = () => page.evaluate(() => document.activeElement?.closest('[role="listitem"]')?.getAttribute('aria-posinset'));
    await until(page, position, (p) => expect(p).toBe('2'));
    await page.keyboard.press('End');
    // The last row, as the list stands when it is read: a sync the page runs meanwhile may add one.
    await until(
      page,
      async () => [await position(), String((await counts()).total)],
      ([p, last]) => expect(p).toBe(last),
    );
    await page.keyboard.press('Home');
    await until(page, position, (p) => expect(p).toBe('1'));
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/reports\/[\w-]+$/);
    await page.getByRole('article').waitFor();
  });

  test('named columns; ordered by place; a device keeps its first letters; a long narrative cut in the row, whole in the report', async () => {
    await page.goto('/desk');
    await rows('ar').nth(0).waitFor({ state: 'attached' });
    // The columns' names, above the rows on a laptop (for the eye: each row is one link to a screen reader).
    const head = page.locator('[aria-hidden="true"]').filter({ hasText: 'اسم المكان' });
    for (const name of ['النوع', 'اسم المكان', 'تاريخ الحدث', 'حالة التحقق', 'الجهاز'])
      await head.getByText(name, { exact: true }).waitFor();

    const firstRow = () => rows('ar').first().textContent();
    const before = await firstRow();
    await page.getByLabel('الترتيب').selectOption({ label: 'المكان، أبجديًا' });
    await until(page, firstRow, (t) => expect(t).not.toBe(before));
    // The places of the rows in view, as they show, in the order an Arabic reader expects.
    const places = await rows('ar').evaluateAll((items) => items.slice(0, 12).map((li) => li.querySelector('bdi')?.textContent ?? ''));
    expect(places.length).toBeGreaterThan(5);
    expect(places).toEqual([...places].sort(new Intl.Collator('ar').compare));
    await screenshot(page, 'desk-list-by-place-ar');

    // By receipt: the report this coordinator filed, once sent, is the last the base received.
    await syncNow(page, 'ar');
    await page.getByLabel('الترتيب').selectOption({ label: 'تاريخ الوصول إلى المركز، الأحدث أولًا' });
    await until(page, firstRow, (t) => expect(t).toContain(RED_QUARTER));
    await page.getByLabel('الترتيب').selectOption({ label: 'تاريخ الوصول إلى المركز، الأقدم أولًا' });
    await until(page, firstRow, (t) => expect(t).not.toContain(RED_QUARTER));
    await page.getByLabel('الترتيب').selectOption({ label: 'المكان، أبجديًا' });

    // Every device name in view starts where its cell starts: never cut from its start in a right-to-left row.
    const cutAtStart = await rows('ar').evaluateAll((items) =>
      items.flatMap((li) => {
        const walker = document.createTreeWalker(li, NodeFilter.SHOW_TEXT);
        const found: string[] = [];
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const text = node.textContent ?? '';
          const at = text.indexOf('demo-');
          if (at < 0) continue;
          let box = node.parentElement!;
          while (box !== li && getComputedStyle(box).overflow === 'visible') box = box.parentElement!;
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + 1);
          const ch = range.getBoundingClientRect();
          const cell = box.getBoundingClientRect();
          if (ch.left < cell.left - 0.5 || ch.right > cell.right + 0.5) found.push(text);
        }
        return found;
      }),
    );
    expect(cutAtStart).toEqual([]);

    await page.getByLabel('الترتيب').selectOption({ label: 'الأحدث كتابة أولًا' });
    await filters('ar').getByLabel(UI.ar.search, { exact: true }).fill(RED_QUARTER);
    const mine = rows('ar').filter({ hasText: RED_QUARTER });
    await until(
      page,
      () => mine.textContent(),
      (t) => expect(t).toContain(LONG_NOTE_START),
    );
    const row = (await mine.textContent())!;
    expect(row).toContain('…');
    expect(row).not.toContain(LONG_NOTE_END);
    await mine.getByRole('link').click();
    // In the report's fields, whole (its history may show the same text beside it).
    await page.getByRole('article').getByRole('definition').filter({ hasText: LONG_NOTE_END }).first().waitFor();
    await page.goto('/desk');
  });

  test('a report with no admin area is marked and found by a filter; its admin area set, it leaves the filter', async () => {
    const FARM = 'مزرعة على طريق الساحل';
    await page.goto('/new');
    await page.getByRole('radiogroup', { name: 'نوع التقرير' }).getByRole('radio', { name: 'أضرار' }).check();
    await page.getByLabel('تاريخ الحدث').fill('2023-03-08');
    await page.getByLabel('اسم المكان', { exact: true }).fill(FARM);
    await page.getByLabel('عدد المباني').fill('١');
    await page.getByRole('button', { name: 'حفظ' }).click();
    await page.getByRole('list', { name: 'التقارير' }).getByRole('listitem').filter({ hasText: FARM }).waitFor();

    await page.getByRole('link', { name: 'المكتب', exact: true }).click();
    await rows('ar').nth(0).waitFor({ state: 'attached' });
    const { total } = await counts();
    const withoutArea = await shownAfter(() => filters('ar').getByLabel('التقارير التي بلا منطقة إدارية فقط').check(), total);
    expect(withoutArea).toBeGreaterThan(0);
    for (const text of await rowTexts('ar')) expect(text).toContain('بلا منطقة إدارية');
    const farm = rows('ar').filter({ hasText: FARM });
    await farm.waitFor();

    // An export says so before its file is written: one row of it carries no place.
    await page.getByRole('link', { name: 'التصدير', exact: true }).click();
    await page.getByRole('button', { name: 'صدِّر', exact: true }).click();
    await page.getByText(/^صف واحد بلا مكان: لا منطقة إدارية ولا إحداثيات\./).waitFor();
    await page.getByRole('link', { name: 'كل التقارير', exact: true }).click();
    await filters('ar').getByLabel('التقارير التي بلا منطقة إدارية فقط').check();

    // On the report's screen: why it matters, and the way to set it, as an edit like any other.
    await farm.getByRole('link').click();
    await page.getByRole('heading', { name: 'بلا منطقة إدارية' }).waitFor();
    await page.getByRole('link', { name: 'حدّد المنطقة الإدارية' }).click();
    await page.getByLabel('المحافظة', { exact: true }).selectOption({ label: 'اللاذقية' });
    await page.getByLabel('المنطقة', { exact: true }).selectOption({ label: 'جبلة' });
    await page.getByRole('button', { name: 'حفظ' }).click();
    await page.getByRole('article').waitFor();
    expect(await page.getByRole('heading', { name: 'بلا منطقة إدارية' }).count()).toBe(0);

    await page.goto('/desk');
    await rows('ar').nth(0).waitFor({ state: 'attached' });
    await shownAfter(() => filters('ar').getByLabel('التقارير التي بلا منطقة إدارية فقط').check(), (await counts()).total);
    expect(await rows('ar').filter({ hasText: FARM }).count()).toBe(0);
    expect((await counts()).shown).toBe(withoutArea - 1);
    await clearFilters('ar');
  });

  test('a report this app cannot read is counted and listed, not dropped', async () => {
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open('rasid');
          open.onerror = () => reject(open.error ?? new Error('indexedDB.open failed'));
          open.onsuccess = () => {
            const tx = open.result.transaction('reports', 'readwrite');
            // A type from a later version of the app: this version cannot show it.
            tx.objectStore('reports').put({
              id: 'f0f0f0f0-future',
              type: 'survey',
              createdAt: '',
              state: { id: 'f0f0f0f0-future', fields: {} },
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
    await page.goto('/desk');
    await page.getByText('تعذّرت قراءة تقرير واحد. بقي محفوظًا كما هو.').click();
    const unreadable = page.getByRole('list', { name: 'تقارير تعذّرت قراءتها' }).getByRole('listitem');
    await until(
      page,
      () => unreadable.allTextContents(),
      (texts) => expect(texts).toEqual([expect.stringContaining('f0f0f0f0')]),
    );
  });

  test('a row keeps the focus when a report arrives above it, and the arrow goes on from that row', async () => {
    await openDeskRead();
    const focused = () => page.evaluate(() => document.activeElement?.closest('[role="listitem"]')?.textContent ?? null);
    await rows('ar').nth(2).getByRole('link').focus();
    const onRow = await until(page, focused, (text) => expect(text).toBeTruthy());
    const below = await rows('ar').nth(3).textContent();

    // Another tab of this desk files a report: the newest written, it comes first (the list's own
    // order after a load), above that row.
    const other = await context.newPage();
    await saveDamageReport(other, { date: '2023-03-08', place: ARRIVING, structures: '2', notes: 'تقرير من نافذة أخرى' });
    await other.close();
    await until(
      page,
      () => rows('ar').first().textContent(),
      (text) => expect(text).toContain(ARRIVING),
    );
    expect(await focused()).toBe(onRow);
    await page.keyboard.press('ArrowDown');
    await until(page, focused, (text) => expect(text).toBe(below));
  });

  test('other filters take a keyboard user back to the first row: Tab enters the list there', async () => {
    await openDeskRead();
    const position = () => page.evaluate(() => document.activeElement?.closest('[role="listitem"]')?.getAttribute('aria-posinset'));
    /** The row Tab enters the list at (a roving tabindex). */
    const entry = () =>
      rows('ar').evaluateAll((items) => items.find((li) => li.querySelector('[tabindex="0"]'))?.getAttribute('aria-posinset'));
    await rows('ar').first().getByRole('link').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await until(page, position, (p) => expect(p).toBe('3'));
    expect(await entry()).toBe('3');
    const before = (await counts()).shown;
    await shownAfter(() => filters('ar').getByLabel(UI.ar.type).selectOption({ label: UI.ar.damage }), before);
    await until(page, entry, (p) => expect(p).toBe('1'));
    await clearFilters('ar');
  });
});

describe('in English', () => {
  test('the same filters and an Arabic search work with the interface in English', async () => {
    await page.goto('/desk');
    await page.getByLabel('اللغة').first().selectOption('en');
    await rows('en').nth(0).waitFor({ state: 'attached' });
    const { total } = await counts();

    await shownAfter(() => filters('en').getByLabel(UI.en.type).selectOption({ label: UI.en.damage }), total);
    for (const text of await rowTexts('en')) expect(text.startsWith(UI.en.damage)).toBe(true);
    await chooseArea(filters('en').getByLabel(UI.en.adm1, { exact: true }), UI.en.lattakia);
    await chooseArea(filters('en').getByLabel(UI.en.adm2, { exact: true }), UI.en.jablah);
    const allInJablah = async () => {
      const texts = await rowTexts('en');
      return texts.length > 0 && texts.every((t) => t.startsWith(UI.en.damage) && t.includes(`${UI.en.lattakia} › ${UI.en.jablah}`));
    };
    await until(page, allInJablah, (all) => expect(all).toBe(true));
    await screenshot(page, 'desk-list-en');

    await filters('en').getByLabel(UI.en.search, { exact: true }).fill('الاحمر');
    await until(
      page,
      () => rowTexts('en'),
      (texts) => expect(texts).toContainEqual(expect.stringContaining(RED_QUARTER)),
    );
    // Nothing has verified it: a report with no verification counts as unverified.
    expect((await rowTexts('en')).find((t) => t.includes(RED_QUARTER))).toContain(UI.en.unverified);
    await clearFilters('en');

    const conflicts = await shownAfter(() => filters('en').getByLabel(UI.en.conflictOnly).check(), total);
    expect(conflicts).toBeGreaterThan(0);
    for (const text of await rowTexts('en')) expect(text).toContain(UI.en.conflict);
  });
});
