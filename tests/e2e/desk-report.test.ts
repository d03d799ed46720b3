/**
 * A coordinator's report screen on a laptop, against a base filled with the demo scenario: the
 * demo's sealed reports read once the desk imports the demo key file, while the base holds none of
 * their text; a conflict opened from the queue, its competing values side by side, one chosen (and still gone
 * after a reload); a report marked as a duplicate of a suggested candidate, linked both ways; the
 * history with devices, times and the changes from what to what (each from the value its author
 * replaced, when edits crossed). In Arabic, then in English.
 *
 * The demo's counts are not pinned: what is expected is read from the page first.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SQLITE_FILE_NAME } from '../../src/server/store/open.ts';
import { startServer, type ServerProcess } from './server-process.ts';
import {
  enrollOnDemoBase,
  importDemoKeyFile,
  LAPTOP,
  languageStored,
  launchBrowser,
  openDemoRootFile,
  screenshot,
  syncNow,
  until,
  waitForCount,
} from './harness.ts';

let server: ServerProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;

/** The report opened from the conflict queue and the value chosen for it. */
let resolved: { path: string; values: string[]; chosen: string; devices: string[] };
/** The report marked as a duplicate, and its original. */
let marked: { duplicate: string; original: string };

const items = (list: Locator) => list.getByRole('listitem');
/** Where each link leads, as paths. */
const pathsOf = (links: Locator) => links.evaluateAll((as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname));

beforeAll(async () => {
  server = await startServer({ args: ['--demo'] });
  browser = await launchBrowser();
  context = await browser.newContext({ baseURL: server.baseUrl, ...LAPTOP });
  page = await context.newPage();
  await enrollOnDemoBase(page, server);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('a coordinator at the desk, in Arabic', () => {
  test("a new coordinator reads the demo base's sealed reports once its desk imports the demo key file; the base holds none of their text", async () => {
    // The first sync brings every op, and the desk can open none yet: they wait for the key.
    await syncNow(page, 'ar');
    await page.goto('/');
    const list = page.getByRole('list', { name: 'التقارير' });
    await page.getByText('لا تقارير بعد').or(items(list).first()).waitFor();
    expect(await items(list).count()).toBe(0);

    await importDemoKeyFile(page, server);
    await page.goto('/');
    await items(list).first().getByRole('link').click();
    const narrative = page
      .locator('dl.values > div')
      .filter({ has: page.locator('dt', { hasText: /^ملاحظات$/ }) })
      .locator('dd');
    await narrative.waitFor();
    const text = (await narrative.textContent()) ?? '';
    expect(text.length).toBeGreaterThan(20);
    const store = new Database(join(server.dataDir, SQLITE_FILE_NAME), { readonly: true });
    try {
      const bodies = store.prepare('SELECT body FROM ops').all() as { body: string }[];
      expect(bodies.length).toBeGreaterThan(300);
      expect(bodies.filter((b) => b.body.includes(text))).toEqual([]);
    } finally {
      store.close();
    }
    // The root names this coordinator too, so that its verifications below count.
    await openDemoRootFile(page, server);
    await syncNow(page, 'ar');
  });

  test('opens a conflict from the queue, sees the competing values side by side, picks one, and the conflict is gone, after a reload too', async () => {
    await page.getByRole('navigation', { name: 'القائمة الرئيسية' }).getByRole('link', { name: 'التعارضات' }).click();
    const queue = page.getByRole('list', { name: 'التعارضات' });
    await items(queue).first().waitFor();
    const before = await items(queue).count();
    const competing = page.getByRole('list', { name: /^القيم المتنافسة: / });
    // The first report in the queue whose conflict is between values of a field (not a crossed delete).
    for (let i = 0; i < before && (await competing.count()) === 0; i++) {
      await page.goto('/conflicts');
      await items(queue).nth(i).getByRole('link').click();
      await page.getByRole('region', { name: 'التحقق' }).waitFor();
    }
    expect(await competing.count()).toBeGreaterThan(0);
    const path = new URL(page.url()).pathname;
    const listName = (await competing.first().getAttribute('aria-label'))!;
    const heads = items(competing.first());
    expect(await heads.count()).toBeGreaterThanOrEqual(2);
    // Each value is named by the button that chooses it.
    const choose = 'اختر هذه القيمة: ';
    const values = (
      await heads.getByRole('button', { name: choose }).evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label') ?? ''))
    ).map((n) => n.slice(choose.length));
    expect(values).toHaveLength(await heads.count());
    // Who set each value: a device id, isolated from the sentence around it.
    const devices = (await heads.allTextContents()).map((t) => /\u2068([^\u2069]+)\u2069/.exec(t)?.[1] ?? '');
    expect(devices.every(Boolean)).toBe(true);
    // Side by side on a laptop: the first two values share a row, one beside the other.
    const [a, b] = [(await heads.nth(0).boundingBox())!, (await heads.nth(1).boundingBox())!];
    expect(Math.abs(a.y - b.y)).toBeLessThan(2);
    expect(Math.abs(a.x - b.x)).toBeGreaterThan(a.width / 2);
    await screenshot(page, 'desk-report-ar');

    const chosen = values[values.length - 1]!;
    await page.getByRole('button', { name: `${choose}${chosen}`, exact: true }).click();
    await waitForCount(page.getByRole('list', { name: listName }), 0);
    const shown = page.getByRole('article').getByRole('definition').filter({ hasText: chosen });
    await shown.first().waitFor();
    resolved = { path, values, chosen, devices };

    /** The queue's length once read: an empty list counts only once the queue says it has none (not while the app loads). */
    const queueLength = async () => {
      if ((await page.getByText('لا تعارض في أي تقرير.').count()) > 0) return 0;
      const n = await items(queue).count();
      return n > 0 ? n : -1;
    };
    await page.getByRole('link', { name: 'التعارضات' }).click();
    await until(page, queueLength, (n) => expect(n).toBe(before - 1));
    await syncNow(page, 'ar');
    await page.reload();
    await until(page, queueLength, (n) => expect(n).toBe(before - 1));
    await page.goto(resolved.path);
    await page.getByRole('region', { name: 'التحقق' }).waitFor();
    expect(await page.getByRole('list', { name: listName }).count()).toBe(0);
  });
});

describe('a coordinator at the desk, in English', () => {
  beforeAll(async () => {
    await page.getByLabel('اللغة').first().selectOption('en');
    await page.getByRole('link', { name: 'Reports', exact: true }).first().waitFor();
    // The tests below open pages afresh: the choice must be stored, not only shown.
    await languageStored(page, 'en');
  });

  test('marks a report as a duplicate of a suggested candidate, and sees the link both ways', async () => {
    await page.goto('/');
    const reports = page.getByRole('list', { name: 'Reports' });
    await items(reports).first().waitFor();
    const total = await items(reports).count();
    const candidates = page.getByRole('region', { name: 'Possible duplicates' }).getByRole('list');
    let opened = '';
    // The first report (newest first) with a suggested duplicate and not yet marked as one.
    for (let i = 0; i < total && !opened; i++) {
      await page.goto('/');
      await items(reports).nth(i).getByRole('link').click();
      const region = page.getByRole('region', { name: 'Possible duplicates' });
      await region.waitFor();
      await waitForCount(region.getByText('Looking for similar reports…'), 0);
      const status =
        (await page
          .getByRole('region', { name: 'Verification' })
          .getByText(/^Status: /)
          .textContent()) ?? '';
      if ((await candidates.count()) > 0 && (await items(candidates).count()) > 0 && status !== 'Status: Duplicate')
        opened = new URL(page.url()).pathname;
    }
    expect(opened).not.toBe('');

    const first = items(candidates).first();
    const originalName = ((await first.getByRole('link').textContent()) ?? '').trim();
    const [originalPath] = await pathsOf(first.getByRole('link'));
    const reason = (await first.textContent()) ?? '';
    expect(reason).toMatch(/same sub-district|same district| m apart| km apart/);
    expect(reason).toMatch(/same date|days? apart/);
    await first.getByRole('button', { name: `Mark as duplicate of this report: ${originalName}` }).click();

    const verification = page.getByRole('region', { name: 'Verification' });
    await verification.getByText('Status: Duplicate', { exact: true }).waitFor();
    const toOriginal = verification.getByRole('link', { name: originalName });
    await until(
      page,
      () => pathsOf(toOriginal),
      (paths) => expect(paths).toContain(originalPath),
    );
    await screenshot(page, 'desk-report-en');

    // The original lists this report among its duplicates, and its link leads back.
    await toOriginal.nth((await pathsOf(toOriginal)).indexOf(originalPath!)).click();
    await page.waitForURL((url) => url.pathname === originalPath);
    const back = page
      .getByRole('region', { name: 'Verification' })
      .getByRole('list', { name: 'Duplicates of this report' })
      .getByRole('link');
    await until(
      page,
      () => pathsOf(back),
      (paths) => expect(paths).toContain(opened),
    );
    marked = { duplicate: opened, original: originalPath! };
    await back.nth((await pathsOf(back)).indexOf(opened)).click();
    await page.waitForURL((url) => url.pathname === opened);

    // The mark is an op like any other: it reaches the base, and survives a reload.
    await syncNow(page, 'en');
    await page.reload();
    await page.getByRole('region', { name: 'Verification' }).getByText('Status: Duplicate', { exact: true }).waitFor();
  });

  test('sets a status with the form; a duplicate given by a pasted id must name another report on this device', async () => {
    // A report neither of the two just linked.
    await page.goto('/');
    const list = page.getByRole('list', { name: 'Reports' });
    await items(list).nth(3).waitFor({ state: 'attached' });
    const links = await items(list)
      .getByRole('link')
      .evaluateAll((as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
    const path = links.find((l) => l !== marked.duplicate && l !== marked.original && l !== resolved.path)!;
    await page.goto(path);
    const verification = page.getByRole('region', { name: 'Verification' });
    const status = verification.getByLabel('Verification status');
    await status.selectOption({ label: 'Disputed' });
    await verification.getByRole('button', { name: 'Save verification' }).click();
    await verification.getByText('Status: Disputed', { exact: true }).waitFor();
    await verification.getByRole('status').getByText('Saved. The other coordinators see it after their next sync.').waitFor();

    await status.selectOption({ label: 'Duplicate' });
    await verification.getByRole('button', { name: 'Save verification' }).click();
    await verification.getByRole('alert').getByText('Pick the report this one duplicates.').waitFor();
    await verification.getByLabel('Original report').selectOption({ label: 'Another report (enter its id)' });
    const pasted = verification.getByLabel('Id of the original report');
    const attempts: [string, string][] = [
      ['not-a-report-id', 'Not a valid report id.'],
      [path.slice('/reports/'.length), 'A report cannot be a duplicate of itself.'],
      ['01957a3c-0000-7000-8000-000000000000', 'No report with this id is on this device.'],
    ];
    for (const [id, message] of attempts) {
      await pasted.fill(id);
      await verification.getByRole('button', { name: 'Save verification' }).click();
      await verification.getByRole('alert').getByText(message).waitFor();
      expect(await verification.getByText(/^Status: /).textContent()).toBe('Status: Disputed');
    }
    // Pasted with spaces around and in capitals, as ids are when copied from a message.
    await pasted.fill(`  ${marked.original.slice('/reports/'.length).toUpperCase()} `);
    await verification.getByRole('button', { name: 'Save verification' }).click();
    await verification.getByText('Status: Duplicate', { exact: true }).waitFor();
    expect(await verification.getByRole('alert').count()).toBe(0);
    expect(await pathsOf(verification.getByRole('link'))).toContain(marked.original);
  });

  test('sees the history of the resolved report: devices, device and base times, and each change from what to what', async () => {
    await page.goto(resolved.path);
    // The entries, not the lists of values inside them.
    const history = items(page.getByRole('list', { name: 'History' })).filter({ hasText: /Device time: / });
    await history.nth(2).waitFor({ state: 'attached' });
    const entries = await history.allTextContents();
    expect(entries[0]).toMatch(/^Created/);
    for (const entry of entries) {
      // As the list shows it: a random id by its first 8 digits, a short chosen one (the demo's) whole.
      expect(entry).toMatch(/Device \u2068[\w-]{1,24}\u2069/);
      expect(entry).toMatch(/Device time: \S/);
      expect(entry).toMatch(/Received at the base: \S|Not yet received at the base/);
    }
    // The devices that set the competing values each have their change in the history.
    for (const device of resolved.devices) expect(entries.some((e) => e.includes(`Device \u2068${device}\u2069`))).toBe(true);
    // The choice was synced before: every op of this report has reached the base.
    expect(entries.join('\n')).not.toContain('Not yet received at the base');

    // The last op is the choice, by this coordinator: from every competing value to the one chosen.
    const last = history.last();
    expect(await last.textContent()).toMatch(/\(coordinator\)/);
    const choice = last.getByRole('row').filter({ has: page.getByRole('rowheader') });
    expect(await choice.count()).toBe(1);
    const [from, to] = [choice.getByRole('cell').nth(0), choice.getByRole('cell').nth(1)];
    const fromValues = (await from.getByRole('listitem').allTextContents()).map((t) => t.trim());
    expect(fromValues).toHaveLength(resolved.values.length);
    expect((await to.textContent())?.trim()).toBe(fromValues[fromValues.length - 1]);

    // The field was set at creation and then changed apart by two devices: each change is a row of its own.
    const field = (await choice.getByRole('rowheader').textContent())!;
    const rows = page
      .getByRole('list', { name: 'History' })
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: field, exact: true }) });
    expect(await rows.count()).toBeGreaterThanOrEqual(4);
    // Those two changes were made apart, each from the value its author saw: neither is shown as a
    // change from the other's value, whichever of them the clock lists first.
    // Each cell's value without the notes after it ("Now in conflict...").
    const changes = await rows.evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.firstElementChild?.textContent?.trim() ?? '')),
    );
    const apart = changes.slice(0, -1).filter(([, to]) => fromValues.includes(to!));
    expect(apart.length).toBeGreaterThanOrEqual(2);
    for (const [from, to] of apart) expect(fromValues.filter((v) => v !== to)).not.toContain(from);
    await page.getByRole('heading', { name: 'History (chain of custody)' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'desk-history-en');
  });
});
