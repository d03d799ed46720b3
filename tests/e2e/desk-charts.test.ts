/**
 * The desk's charts in Chromium, against a base of its own filled with the demo scenario: a
 * coordinator's laptop in Arabic and English, and a coordinator's phone in Arabic. The expected
 * numbers come from the page itself and from reports this test adds through the New report form,
 * never from what the demo happens to contain.
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { daysBetween, localDay } from '../../src/app/desk/chart-data.ts';
import {
  autoUnlock,
  enroll,
  enrollByLink,
  importDemoKeyFile,
  joinDemoBase,
  LAPTOP,
  languageStored,
  launchBrowser,
  PHONE,
  screenshot,
  syncNow,
  until,
} from './harness.ts';
import { startServer, type ServerProcess } from './server-process.ts';

let server: ServerProcess;
let browser: Browser;
let laptopContext: BrowserContext;
let laptop: Page;

const NAMES = {
  ar: { perDay: 'التقارير في كل يوم حسب النوع', people: 'النازحون حسب المنطقة', cuts: 'انقطاع الخدمات المستمر الآن' },
  en: { perDay: 'Reports per day by type', people: 'People displaced by area', cuts: 'Access cuts ongoing now' },
} as const;

/** A calendar day `n` days before today, as the app's date fields take it. */
function daysAgo(n: number): string {
  const d = new Date();
  d.setHours(12, 0, 0, 0);
  d.setDate(d.getDate() - n);
  return localDay(d);
}

interface TableRow {
  /** The row's heading cell as shown. */
  head: string;
  /** Every other cell as shown. */
  cells: string[];
  /** The machine-readable value of each number cell (`<data value>`), in order. */
  values: number[];
  /** The ISO date of each `<time>` in the row, in order. */
  dates: string[];
}

/** The chart's figure, found by its caption. */
function figure(p: Page, name: string): Locator {
  return p.getByRole('figure', { name, exact: true });
}

/** Opens the figure's table of numbers and reads its body rows. */
async function readTable(p: Page, name: string): Promise<TableRow[]> {
  const fig = figure(p, name);
  const details = fig.locator('details.chart-numbers');
  if ((await details.getAttribute('open')) === null) await details.locator('summary').click();
  await fig.getByRole('table', { name }).waitFor();
  return fig.locator('tbody tr').evaluateAll((rows) =>
    rows.map((tr) => ({
      head: tr.querySelector('th')?.textContent ?? '',
      cells: [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''),
      values: [...tr.querySelectorAll('data')].map((d) => Number(d.getAttribute('value'))),
      dates: [...tr.querySelectorAll('time')].map((t) => t.getAttribute('datetime') ?? ''),
    })),
  );
}

async function openCharts(p: Page, lang: 'ar' | 'en'): Promise<void> {
  await p.goto('/desk/charts');
  await p.getByRole('heading', { level: 1, name: lang === 'ar' ? 'الرسوم البيانية' : 'Charts' }).waitFor();
  await figure(p, NAMES[lang].perDay).waitFor();
}

/** Per day, the counts of displacement, damage and access cut reports, by ISO date. */
async function perDay(p: Page, lang: 'ar' | 'en'): Promise<Map<string, number[]>> {
  const rows = await readTable(p, NAMES[lang].perDay);
  return new Map(rows.map((r) => [r.dates[0]!, r.values]));
}

/** The people chart's rows, by the area's name as shown. */
async function people(p: Page, lang: 'ar' | 'en'): Promise<Map<string, number[]>> {
  const rows = await readTable(p, NAMES[lang].people);
  return new Map(rows.map((r) => [r.head, r.values]));
}

interface CutRow {
  days: number;
  since: string;
  reports: number;
}

/** The ongoing cuts by "service, area" as shown. */
async function cuts(p: Page, lang: 'ar' | 'en'): Promise<Map<string, CutRow>> {
  const rows = await readTable(p, NAMES[lang].cuts);
  return new Map(rows.map((r) => [`${r.head}|${r.cells[0]}`, { days: r.values[0]!, since: r.dates[0]!, reports: r.values[1]! }]));
}

const sum = (values: Iterable<number[]>, column: number) => [...values].reduce((n, v) => n + v[column]!, 0);

/** The x of a day's bar band in the per-day chart. */
async function columnX(p: Page, lang: 'ar' | 'en', day: string): Promise<number> {
  const box = await p.getByRole('img', { name: NAMES[lang].perDay }).locator(`g.chart-column[data-key="${day}"]`).boundingBox();
  expect(box).not.toBeNull();
  return box!.x;
}

async function newReport(p: Page, type: string): Promise<void> {
  await p.goto('/');
  await p.getByRole('button', { name: 'تقرير جديد' }).click();
  await p.getByRole('radiogroup', { name: 'نوع التقرير' }).getByRole('radio', { name: type }).check();
}

async function save(p: Page): Promise<void> {
  await p.getByRole('button', { name: 'حفظ' }).click();
  await p.waitForURL((url) => url.pathname === '/');
}

beforeAll(async () => {
  server = await startServer({ args: ['--demo'] });
  browser = await launchBrowser();
  laptopContext = await browser.newContext({ baseURL: server.baseUrl, ...LAPTOP, serviceWorkers: 'allow' });
  laptop = await laptopContext.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the desk charts on a laptop', () => {
  test('in Arabic, the three charts are images named by their captions, each with a table, and time runs right to left', async () => {
    await joinDemoBase(laptop, server);
    await syncNow(laptop, 'ar');
    await openCharts(laptop, 'ar');
    for (const name of Object.values(NAMES.ar)) {
      const img = laptop.getByRole('img', { name, exact: true });
      await img.waitFor();
      expect(await img.locator(':scope > title').textContent()).toBe(name);
    }

    const counts = await perDay(laptop, 'ar');
    const days = [...counts.keys()];
    // Every day, in order, up to the latest report: 30 of them, or fewer when the first report is more recent.
    expect(days.at(-1)! <= localDay(new Date())).toBe(true);
    expect(daysBetween(days[0]!, days.at(-1)!)).toBe(days.length - 1);
    expect(days.length === 30 || counts.get(days[0]!)![3]! > 0).toBe(true);
    expect(counts.get(days.at(-1)!)![3]).toBeGreaterThan(0);
    // The oldest day is drawn on the right, the newest on the left.
    expect(await columnX(laptop, 'ar', days[0]!)).toBeGreaterThan(await columnX(laptop, 'ar', days.at(-1)!));
    await screenshot(laptop, 'desk-charts-ar');
  });

  test('the bars are as tall as the table says, and the table adds up', async () => {
    const rows = await readTable(laptop, NAMES.ar.perDay);
    const img = laptop.getByRole('img', { name: NAMES.ar.perDay });
    const heights = await img
      .locator('g.chart-column')
      .evaluateAll((groups) =>
        groups.map((g) => [...g.querySelectorAll('rect[fill^="url("]')].reduce((h, r) => h + Number(r.getAttribute('height')), 0)),
      );
    const totals = rows.map((r) => r.values[3]!);
    for (const r of rows) expect(r.values[0]! + r.values[1]! + r.values[2]!).toBe(r.values[3]);
    const tallest = Math.max(...totals);
    expect(tallest).toBeGreaterThan(0);
    const scale = Math.max(...heights) / tallest;
    heights.forEach((h, i) => expect(h).toBeCloseTo(totals[i]! * scale, 3));
    // Arabic digits, as the translator writes numbers in Arabic.
    const busiest = rows[totals.indexOf(tallest)]!;
    expect(busiest.cells[3]).toBe(new Intl.NumberFormat('ar-SY').format(tallest));
  });

  test('a chosen range shows exactly its days, and the latest days come back with one button', async () => {
    const all = [...(await perDay(laptop, 'ar')).keys()];
    const range = laptop.getByRole('group', { name: 'الأيام المعروضة' });
    await range.getByLabel('من').fill(all[2]!);
    await range.getByLabel('إلى').fill(all[5]!);
    await until(
      laptop,
      async () => [...(await perDay(laptop, 'ar')).keys()],
      (days) => expect(days).toEqual(all.slice(2, 6)),
    );
    await range.getByRole('button', { name: 'آخر ٣٠ يومًا فيها تقارير' }).click();
    await until(
      laptop,
      async () => [...(await perDay(laptop, 'ar')).keys()],
      (days) => expect(days).toEqual(all),
    );
  });

  test('every ongoing cut is drawn with its service, area and how long it has lasted', async () => {
    const shown = await cuts(laptop, 'ar');
    const texts = await laptop.getByRole('img', { name: NAMES.ar.cuts }).locator('text').allTextContents();
    for (const [key, cut] of shown) {
      const [service, area] = key.split('|');
      expect(daysBetween(cut.since, localDay(new Date()))).toBe(cut.days);
      expect(texts.some((t) => t.startsWith(`${service}، ${area}`))).toBe(true);
    }
  });

  test('reports added through the form change the charts by exactly what they say, and a deleted one by nothing', async () => {
    const yesterday = daysAgo(1);
    const cutSince = daysAgo(5);
    await openCharts(laptop, 'ar');
    const dayBefore = await perDay(laptop, 'ar');
    const peopleBefore = await people(laptop, 'ar');
    const cutsBefore = await cuts(laptop, 'ar');

    // People who left Jableh for Baniyas count under Jableh, where they came from.
    await newReport(laptop, 'نزوح');
    await laptop.getByLabel('تاريخ الحدث').fill(yesterday);
    await laptop.getByLabel('المحافظة', { exact: true }).selectOption({ label: 'طرطوس' });
    await laptop.getByLabel('المنطقة', { exact: true }).selectOption({ label: 'بانياس' });
    await laptop.getByLabel('محافظة المنشأ').selectOption({ label: 'اللاذقية' });
    await laptop.getByLabel('منطقة المنشأ').selectOption({ label: 'جبلة' });
    await laptop.getByLabel('عدد الأسر').fill('٨');
    await laptop.getByLabel('عدد الأفراد').fill('٣٧');
    await save(laptop);

    await newReport(laptop, 'انقطاع خدمات');
    await laptop.getByLabel('الخدمة', { exact: true }).selectOption({ label: 'الرعاية الصحية' });
    await laptop.getByLabel('حالة الخدمة').selectOption({ label: 'مقطوعة' });
    await laptop.getByLabel('منقطعة منذ').fill(cutSince);
    await laptop.getByLabel('تاريخ الحدث').fill(cutSince);
    await laptop.getByLabel('المحافظة', { exact: true }).selectOption({ label: 'طرطوس' });
    await laptop.getByLabel('المنطقة', { exact: true }).selectOption({ label: 'بانياس' });
    await save(laptop);

    const place = 'مستودع الحبوب في التلة';
    await newReport(laptop, 'أضرار');
    await laptop.getByLabel('تاريخ الحدث').fill(yesterday);
    await laptop.getByLabel('اسم المكان', { exact: true }).fill(place);
    await laptop.getByLabel('عدد المباني').fill('٤');
    await save(laptop);
    await laptop.getByRole('list', { name: 'التقارير' }).getByRole('listitem').filter({ hasText: place }).getByRole('link').click();
    await laptop.getByRole('button', { name: 'حذف' }).click();
    await laptop.getByRole('alertdialog', { name: 'حذف هذا التقرير؟' }).getByRole('button', { name: 'حذف' }).click();
    await laptop.waitForURL((url) => url.pathname === '/');

    await openCharts(laptop, 'ar');
    const dayAfter = await perDay(laptop, 'ar');
    const zero = [0, 0, 0, 0];
    expect(dayAfter.get(yesterday)).toEqual((dayBefore.get(yesterday) ?? zero).map((n, i) => n + [1, 0, 0, 1][i]!));
    expect(dayAfter.get(cutSince)).toEqual((dayBefore.get(cutSince) ?? zero).map((n, i) => n + [0, 0, 1, 1][i]!));

    const peopleAfter = await people(laptop, 'ar');
    // Individuals, households, reports: over every row, and in Jableh's.
    expect([0, 1, 2].map((c) => sum(peopleAfter.values(), c) - sum(peopleBefore.values(), c))).toEqual([37, 8, 1]);
    expect(peopleAfter.get('جبلة')).toEqual((peopleBefore.get('جبلة') ?? [0, 0, 0]).map((n, i) => n + [37, 8, 1][i]!));

    const cutsAfter = await cuts(laptop, 'ar');
    const before = cutsBefore.get('الرعاية الصحية|بانياس');
    expect(cutsAfter.get('الرعاية الصحية|بانياس')).toEqual({
      days: Math.max(5, before?.days ?? 0),
      since: before && before.since < cutSince ? before.since : cutSince,
      reports: (before?.reports ?? 0) + 1,
    });
    expect(cutsAfter.size).toBe(cutsBefore.size + (before ? 0 : 1));
  });

  test('in English the same numbers are drawn left to right', async () => {
    const arDays = await perDay(laptop, 'ar');
    const arCuts = await cuts(laptop, 'ar');
    await laptop.getByLabel('اللغة').first().selectOption('en');
    // Opening the charts loads the page afresh: the choice must be stored by then, not only shown.
    await languageStored(laptop, 'en');
    await openCharts(laptop, 'en');
    for (const name of Object.values(NAMES.en)) await laptop.getByRole('img', { name, exact: true }).waitFor();

    const enDays = await perDay(laptop, 'en');
    expect([...enDays]).toEqual([...arDays]);
    expect([...(await cuts(laptop, 'en')).values()]).toEqual([...arCuts.values()]);
    const days = [...enDays.keys()];
    expect(await columnX(laptop, 'en', days[0]!)).toBeLessThan(await columnX(laptop, 'en', days.at(-1)!));
    const healthInBaniyas = [...(await cuts(laptop, 'en')).keys()].find((k) => k.startsWith('Health care|'));
    expect(healthInBaniyas).toBe('Health care|Banyas');
    // The tables opened above moved the page down; the picture starts with the first chart.
    await laptop.evaluate(() => window.scrollTo(0, 0));
    await screenshot(laptop, 'desk-charts-en');
  });
});

describe('the desk charts on a coordinator’s phone', () => {
  let phoneContext: BrowserContext;
  let phone: Page;

  afterAll(async () => {
    await phoneContext?.close();
  });

  test("another coordinator's phone joins the demo base, and reads its reports with the demo key file", async () => {
    // The reports the laptop added go to the base first, so the phone gets the same ones.
    await syncNow(laptop, 'en');
    await laptop.goto('/devices');
    await laptop.getByRole('button', { name: 'Enroll a new coordinator' }).click();
    const link = (await laptop.getByTestId('enrollment-link').textContent()) ?? '';
    expect(link).toMatch(/#code=[A-Za-z0-9_-]+&fp=/);
    phoneContext = await browser.newContext({ baseURL: server.baseUrl, ...PHONE, serviceWorkers: 'allow' });
    autoUnlock(phoneContext);
    phone = await phoneContext.newPage();
    // Another coordinator of the demo: it reads the demo's sealed reports with the demo key file too.
    await enrollByLink(phone, link);
    await importDemoKeyFile(phone, server);
    await syncNow(phone, 'ar');
  });

  test('in Arabic the charts fit a 360 px screen, with the same numbers as on the laptop', async () => {
    await openCharts(phone, 'ar');
    const widths = await phone
      .locator('figure.chart svg[role="img"]')
      .evaluateAll((svgs) => svgs.map((s) => s.getBoundingClientRect().width));
    expect(widths).toHaveLength(3);
    for (const w of widths) expect(w).toBeLessThanOrEqual(360);

    // The laptop is in English by now: the rows are in the same order, with the same numbers, once
    // the phone has opened every report that waited for the key file it took in.
    await openCharts(laptop, 'en');
    const numbers = async (page: Page, lang: 'ar' | 'en') => ({
      perDay: [...(await perDay(page, lang))],
      people: [...(await people(page, lang)).values()],
      cuts: [...(await cuts(page, lang)).values()],
    });
    const onLaptop = await numbers(laptop, 'en');
    await until(
      phone,
      () => numbers(phone, 'ar'),
      (onPhone) => expect(onPhone).toEqual(onLaptop),
    );
    // Nothing makes the page scroll sideways, not even the widest table, open.
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    // The first chart just below the app's sticky header, where a coordinator would scroll it.
    await figure(phone, NAMES.ar.perDay).evaluate((fig) => {
      const header = document.querySelector('header')?.getBoundingClientRect().height ?? 0;
      window.scrollTo(0, fig.getBoundingClientRect().top + window.scrollY - header);
    });
    await screenshot(phone, 'desk-charts-phone-ar');
  });
});

describe('the desk charts before any report has come in', () => {
  let empty: ServerProcess;

  afterAll(async () => {
    await empty?.stop();
  });

  test('each chart says in words that it has nothing to show, and draws no picture', async () => {
    empty = await startServer();
    const context = await browser.newContext({ baseURL: empty.baseUrl, ...LAPTOP, serviceWorkers: 'allow' });
    const page = await context.newPage();
    await enroll(page, empty.firstCoordinatorCode);
    await openCharts(page, 'ar');
    await figure(page, NAMES.ar.perDay).filter({ hasText: 'لا يوجد بعدُ تقرير له تاريخ حدث، فلا شيء يُرسم.' }).waitFor();
    expect(await figure(page, NAMES.ar.people).textContent()).toContain('لا توجد تقارير نزوح بعد.');
    expect(await figure(page, NAMES.ar.cuts).textContent()).toContain('لا يوجد انقطاع مستمر الآن.');
    expect(await page.locator('figure.chart svg[role="img"]').count()).toBe(0);
    await context.close();
  });
});
