/**
 * The desk's exports screen in Chromium, on a laptop, against a base filled with the demo's invented
 * reports: a coordinator makes a partner profile in the app (after a name the app refuses), exports
 * CSV with the internal profile and with the partner profile, and the downloaded files are read back:
 * BOM, header and HXL rows, one row per report the desk counts, and nothing in the partner's file
 * that the data says must stay at base (narratives, device ids, exact points). The export log lists
 * every export, also after a reload. Once in Arabic, once in English.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { enroll, LAPTOP, launchBrowser, screenshot, syncNow } from './harness.ts';
import { startServer, type ServerProcess } from './server-process.ts';

let server: ServerProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;

/** What the test knows from the coordinator's own copy of the data, read from its IndexedDB. */
interface Known {
  reports: number;
  /** Reports a partner file holds: every one not deleted. */
  notDeleted: number;
  narratives: string[];
  /** Devices that created a report: the internal file's `device` column. */
  creators: string[];
  /** Every device that wrote a report or an edit. */
  devices: string[];
  points: { lat: number; lon: number }[];
}

const UI = {
  ar: {
    newProfile: 'ملف تعريفي جديد لشريك',
    name: 'اسم الملف التعريفي',
    save: 'احفظ الملف التعريفي',
    badName: 'استعمل من ١ إلى ٤٠ من الحروف اللاتينية الصغيرة',
    saved: (name: string) => `حُفظ الملف التعريفي ${name}.`,
    profiles: 'الملفات التعريفية',
    profile: 'الملف التعريفي',
    internal: 'internal (داخلي)',
    partner: (name: string) => `${name} (شريك)`,
    csv: 'CSV: جداول البيانات و HDX',
    start: 'صدِّر',
    count: /على هذا الجهاز/,
    log: 'سجل التصدير',
    exported: /صُدِّر|صُدِّرت/,
  },
  en: {
    newProfile: 'New partner profile',
    name: 'Profile name',
    save: 'Save profile',
    badName: 'Use 1 to 40 lower-case Latin letters',
    saved: (name: string) => `Profile ${name} saved.`,
    profiles: 'Profiles',
    profile: 'Profile',
    internal: 'internal',
    partner: (name: string) => `${name} (partner)`,
    csv: 'CSV: spreadsheets, HDX',
    start: 'Export',
    count: /on this device/,
    log: 'Export log',
    exported: /Exported/,
  },
} as const;
type Lang = keyof typeof UI;

/** Arabic-Indic digits and separators, as the Arabic screen shows numbers, read as a number. */
function numberIn(text: string): number {
  const ascii = text.replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660)).replace(/[\u066c,]/g, '');
  const match = /\d+/.exec(ascii);
  if (!match) throw new Error(`No number in "${text}"`);
  return Number(match[0]);
}

/** RFC 4180: quoted cells may hold commas, quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/** Every report and op on the coordinator's device, read through the page: what the files are checked against. */
function readKnown(p: Page): Promise<Known> {
  return p.evaluate(
    () =>
      new Promise<Known>((resolve, reject) => {
        const open = indexedDB.open('rasid');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(['reports', 'ops']);
          const reports = tx.objectStore('reports').getAll();
          const ops = tx.objectStore('ops').getAll();
          tx.oncomplete = () => {
            open.result.close();
            type Heads = { heads: { value: unknown }[] } | undefined;
            const values = (f: Heads) => (f?.heads ?? []).map((h) => h.value);
            const known: Known = { reports: 0, notDeleted: 0, narratives: [], creators: [], devices: [], points: [] };
            const creators = new Set<string>();
            for (const row of reports.result as { state: { created?: { device: string }; fields: Record<string, Heads> } }[]) {
              known.reports++;
              if (row.state.created) creators.add(row.state.created.device);
              if (!values(row.state.fields.deleted).includes(true)) known.notDeleted++;
              for (const v of values(row.state.fields.narrative)) if (typeof v === 'string') known.narratives.push(v);
              for (const v of values(row.state.fields.point)) {
                const pt = v as { lat?: unknown; lon?: unknown };
                if (typeof pt?.lat === 'number' && typeof pt.lon === 'number') known.points.push({ lat: pt.lat, lon: pt.lon });
              }
            }
            const ids = new Set<string>();
            for (const op of ops.result as { kind: string; device: string }[]) if (op.kind === 'create' || op.kind === 'edit') ids.add(op.device);
            known.devices = [...ids];
            known.creators = [...creators];
            resolve(known);
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
}

async function deskCount(lang: Lang): Promise<number> {
  const text = await page.getByText(UI[lang].count).first().textContent();
  return numberIn(text ?? '');
}

/** A partner profile made in the form, after a name the app refuses beside the field. */
async function makeProfile(lang: Lang, name: string): Promise<void> {
  const ui = UI[lang];
  await page.getByRole('button', { name: ui.newProfile }).click();
  const nameBox = page.getByRole('textbox', { name: ui.name });
  await nameBox.fill('Shelter Cluster!');
  await page.getByRole('button', { name: ui.save }).click();
  await expect.poll(() => nameBox.getAttribute('aria-invalid')).toBe('true');
  // Said beside the field, in the coordinator's language, and what was typed stays.
  const description = await nameBox.evaluate((el) =>
    (el.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' '),
  );
  expect(description).toContain(ui.badName);
  expect(await nameBox.inputValue()).toBe('Shelter Cluster!');
  await expect.poll(() => nameBox.evaluate((el) => el === document.activeElement)).toBe(true);
  await screenshot(page, `desk-exports-profile-error-${lang}`);

  await nameBox.fill(name);
  await page.getByRole('button', { name: ui.save }).click();
  await page.getByRole('status').filter({ hasText: ui.saved(name) }).waitFor();
  await page.getByRole('list', { name: ui.profiles }).getByRole('listitem', { name }).waitFor();
}

/** Exports CSV with a profile through the form; returns the download and its bytes. */
async function exportCsv(lang: Lang, option: string): Promise<{ download: Download; bytes: Buffer; text: string; rows: string[][] }> {
  const ui = UI[lang];
  await page.getByRole('combobox', { name: ui.profile, exact: true }).selectOption({ label: option });
  await page.getByRole('radio', { name: ui.csv }).check();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: ui.start, exact: true }).click()]);
  const path = await download.path();
  const bytes = await readFile(path);
  const text = bytes.toString('utf8');
  return { download, bytes, text, rows: parseCsv(text.replace(/^\uFEFF/, '')) };
}

function checkCsvShape(file: { bytes: Buffer; rows: string[][] }, expectedRows: number): void {
  // UTF-8 with a BOM, so spreadsheet programs read Arabic as Arabic.
  expect([...file.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const [header, hashtags, ...data] = file.rows;
  expect(header?.[0]).toBe('id');
  expect(header).toContain('type');
  expect(hashtags).toHaveLength(header!.length);
  expect(hashtags!.every((tag) => /^#[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*$/.test(tag))).toBe(true);
  expect(hashtags![0]).toBe('#meta+id');
  expect(data).toHaveLength(expectedRows);
  expect(data.every((r) => r.length === header!.length)).toBe(true);
}

/** The log's rows as [profile, rows], newest first. */
async function logRows(lang: Lang): Promise<[string, number][]> {
  const table = page.getByRole('table', { name: UI[lang].log });
  await table.waitFor();
  const rows = await table.getByRole('row').all();
  const out: [string, number][] = [];
  for (const row of rows.slice(1)) {
    const cells = await row.getByRole('cell').allTextContents();
    out.push([cells[2]!.trim(), numberIn(cells[4]!)]);
  }
  return out;
}

beforeAll(async () => {
  server = await startServer({ args: ['--demo'] });
  browser = await launchBrowser();
  context = await browser.newContext({ baseURL: server.baseUrl, acceptDownloads: true, serviceWorkers: 'allow', ...LAPTOP });
  page = await context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('exports from the desk', () => {
  const logged: [string, number][] = [];

  test("a coordinator's new device receives the demo's reports", async () => {
    await enroll(page, server.firstCoordinatorCode);
    await syncNow(page, 'ar');
    expect((await readKnown(page)).reports).toBeGreaterThan(100);
  }, 120_000);

  test.each<[Lang, string]>([
    ['ar', 'shelter-cluster'],
    ['en', 'water-partner'],
  ])('in %s: a partner profile made in the app, and CSV files with the internal and the partner profile', async (lang, partner) => {
    const ui = UI[lang];
    if (lang === 'en') await page.getByRole('combobox', { name: 'اللغة' }).selectOption('en');
    await page.goto('/desk/exports');
    await page.getByRole('heading', { level: 1, name: lang === 'ar' ? 'التصدير' : 'Exports' }).waitFor();
    await expect.poll(() => page.getByText(ui.count).count()).toBe(1);
    const known = await readKnown(page);
    // The demo must give the checks below something to find, or they would prove nothing.
    expect(known.reports).toBeGreaterThan(100);
    expect(known.narratives.length).toBeGreaterThan(10);
    expect(known.devices.length).toBeGreaterThan(1);
    expect(known.points.length).toBeGreaterThan(10);
    const count = await deskCount(lang);
    expect(count).toBe(known.reports);

    await makeProfile(lang, partner);

    const internal = await exportCsv(lang, ui.internal);
    expect(internal.download.suggestedFilename()).toMatch(/^rasid-internal-\d{4}-\d{2}-\d{2}\.csv$/);
    checkCsvShape(internal, count);
    await page.getByRole('status').filter({ hasText: ui.exported }).waitFor();
    // The coordinator's own file holds what the partner's must not: the search below can find them.
    expect(known.narratives.some((n) => internal.text.includes(n.replace(/"/g, '""')))).toBe(true);
    expect(known.creators.length).toBeGreaterThan(1);
    expect(known.creators.every((d) => internal.text.includes(d))).toBe(true);
    logged.unshift(['internal', count]);

    const shared = await exportCsv(lang, ui.partner(partner));
    expect(shared.download.suggestedFilename()).toMatch(new RegExp(`^rasid-${partner}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
    checkCsvShape(shared, known.notDeleted);
    for (const n of known.narratives) expect(shared.text).not.toContain(n.replace(/"/g, '""'));
    for (const d of known.devices) expect(shared.text).not.toContain(d);
    for (const { lat, lon } of known.points) {
      expect(shared.text).not.toContain(String(lat));
      expect(shared.text).not.toContain(String(lon));
    }
    expect(shared.rows[0]).not.toContain('narrative');
    expect(shared.rows[0]).not.toContain('device');
    expect(shared.rows[0]).not.toContain('lat');
    // Ids are pseudonyms: no row of the partner's file names a report as the base does.
    const internalIds = new Set(internal.rows.slice(2).map((r) => r[0]));
    expect(shared.rows.slice(2).some((r) => internalIds.has(r[0]))).toBe(false);
    logged.unshift([partner, known.notDeleted]);

    await expect.poll(() => logRows(lang)).toEqual(logged);
    await screenshot(page, `desk-exports-${lang}`);
    await page.reload();
    await expect.poll(() => logRows(lang)).toEqual(logged);
  }, 120_000);
});
