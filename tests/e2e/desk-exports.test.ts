/**
 * The desk's exports screen in Chromium, on a laptop, against a base filled with the demo's invented
 * reports: a coordinator makes a partner profile in the app (after a name the app refuses), exports
 * CSV with the internal profile and with the partner profile, and the downloaded files are read back:
 * BOM, header and HXL rows, one row per report the desk counts, and nothing in the partner's file
 * that the data says must stay at base (narratives, device ids, exact points). A partner's file of
 * reports stops before it is written to say how many small groups it holds, and its rows follow the
 * coordinator's choice. The export log lists every export, also after a reload. Once in Arabic, once
 * in English. The Arabic partner profile is named in Arabic, and its files' dates, given as weeks,
 * are never labelled exact; the coordinator's own device is "this device", never a phone.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isoWeekOf } from '../../src/export/coarsen.ts';
import { joinDemoBase, LAPTOP, launchBrowser, screenshot, syncNow, until, waitForCount, setOffline } from './harness.ts';
import { startServer, type ServerProcess } from './server-process.ts';

let server: ServerProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;

/**
 * What the storage of the coordinator's device keeps in clear, also where rows are sealed at rest:
 * the id of every report, and the device that wrote each op.
 */
interface Stored {
  reportIds: string[];
  /** Report rows kept sealed under the data key. */
  sealed: number;
  /** Every device that wrote a report or an edit. */
  devices: string[];
}

/**
 * What the coordinator's own (internal) file says, once it is shown to hold every report the device
 * stores: what the partner's file is searched for.
 */
interface Known {
  /** Reports a partner file holds: every one not deleted. */
  notDeleted: number;
  narratives: string[];
  /** Devices that created a report: the internal file's `device` column. */
  creators: string[];
  /** Coordinates as written, with their decimals (a bare integer could be a count). */
  coordinates: string[];
}

const UI = {
  ar: {
    newProfile: 'ملف تعريفي جديد لشريك',
    name: 'اسم الملف التعريفي',
    save: 'احفظ الملف التعريفي',
    badName: 'استعمل حروفًا من أي لغة أو أرقامًا أو مسافات مفردة',
    saved: (name: string) => `حُفظ الملف التعريفي ${name}.`,
    profiles: 'الملفات التعريفية',
    profile: 'الملف التعريفي',
    internal: 'internal (داخلي)',
    partner: (name: string) => `${name} (شريك)`,
    csv: 'CSV: جداول البيانات و HDX',
    start: 'صدِّر',
    // The count, not the offline notice, which says where reports are kept too.
    count: /^[٠-٩٬]+ (تقرير|تقارير)\S* على هذا الجهاز$/,
    log: 'سجل التصدير',
    exported: /صُدِّر|صُدِّرت/,
    smallGroups: 'صفوف المجموعات الصغيرة',
    keep: 'أبقِها كما هي',
    coarsen: 'اذكرها بالمحافظة فقط: بلا منطقة ولا ناحية ولا اسم مكان ولا نقطة',
    drop: 'احذفها من الملف',
    write: 'اكتب الملف',
  },
  en: {
    newProfile: 'New partner profile',
    name: 'Profile name',
    save: 'Save profile',
    badName: 'Use letters of any language, digits, single spaces',
    saved: (name: string) => `Profile ${name} saved.`,
    profiles: 'Profiles',
    profile: 'Profile',
    internal: 'internal',
    partner: (name: string) => `${name} (partner)`,
    csv: 'CSV: spreadsheets, HDX',
    start: 'Export',
    count: /^[\d,]+ reports? on this device$/,
    log: 'Export log',
    exported: /Exported/,
    smallGroups: 'Rows of small groups',
    keep: 'Keep them as they are',
    coarsen: 'Give them by governorate only: no district, sub-district, place name or point',
    drop: 'Leave them out of the file',
    write: 'Write the file',
  },
} as const;
type Lang = keyof typeof UI;
/** The partner profile made in Arabic, named in Arabic as a coordinator would name it. */
const SHELTER = 'مجموعة المأوى';

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

/** Reads the report ids and op authors through the page, from the app's IndexedDB. */
function readStored(p: Page): Promise<Stored> {
  return p.evaluate(
    () =>
      new Promise<Stored>((resolve, reject) => {
        const open = indexedDB.open('rasid');
        open.onerror = () => reject(open.error ?? new Error('indexedDB.open failed'));
        open.onsuccess = () => {
          const tx = open.result.transaction(['reports', 'ops']);
          const ids = tx.objectStore('reports').getAllKeys();
          const rows = tx.objectStore('reports').getAll();
          const ops = tx.objectStore('ops').getAll();
          tx.oncomplete = () => {
            open.result.close();
            const devices = new Set<string>();
            for (const op of ops.result as { kind: string; device: string }[])
              if (op.kind === 'create' || op.kind === 'edit') devices.add(op.device);
            const sealed = (rows.result as Record<string, unknown>[]).filter((r) => '$sealed' in r).length;
            resolve({ reportIds: (ids.result as string[]).map(String), sealed, devices: [...devices] });
          };
          tx.onerror = () => reject(tx.error ?? new Error('transaction failed'));
        };
      }),
  );
}

function knownFrom(rows: string[][]): Known {
  const [header, , ...data] = rows;
  const column = (name: string) => {
    const i = header!.indexOf(name);
    if (i < 0) throw new Error(`The internal file has no ${name} column`);
    return data.map((r) => r[i]!);
  };
  const deleted = column('deleted');
  return {
    notDeleted: deleted.filter((d) => d !== 'true').length,
    // A narrative that began like a formula carries the apostrophe that neutralised it, in either file.
    narratives: column('narrative').filter((n) => n !== ''),
    creators: [...new Set(column('device').filter((d) => d !== ''))],
    coordinates: [...column('lat'), ...column('lon')].filter((c) => c.includes('.')),
  };
}

/** A file's rows by column name, after its header and HXL rows. */
function byColumn(rows: string[][]): Record<string, string>[] {
  const [header, , ...data] = rows;
  return data.map((r) => Object.fromEntries(header!.map((name, i) => [name, r[i]!])));
}

/** The (type, ISO week, district) a row falls in: the district by p-code, by its names where it has none. */
function groupOf(row: Record<string, string>, week: string): string {
  const district = row.adm2_pcode ? `p:${row.adm2_pcode}` : `n:${row.adm2_name_en}/${row.adm2_name_ar}`;
  return `${row.type}|${week}|${district}`;
}

/**
 * The small groups a partner's file of reports holds, worked out from the internal file: reports not
 * deleted, by type, ISO week and district, fewer than 5 of them not marked duplicate.
 */
function smallGroupsIn(internal: string[][]): { groups: Set<string>; rows: number } {
  const members = new Map<string, { rows: number; counted: number }>();
  for (const row of byColumn(internal)) {
    if (row.deleted === 'true') continue;
    const key = groupOf(row, isoWeekOf(row.date!) ?? '');
    const m = members.get(key) ?? { rows: 0, counted: 0 };
    m.rows++;
    if (row.verification !== 'duplicate') m.counted++;
    members.set(key, m);
  }
  const small = [...members].filter(([, m]) => m.counted < 5);
  return { groups: new Set(small.map(([key]) => key)), rows: small.reduce((sum, [, m]) => sum + m.rows, 0) };
}

/** A cell's text as a CSV file holds it inside its quotes. */
const quoted = (text: string) => text.replace(/"/g, '""');

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
  await nameBox.and(page.locator('[aria-invalid="true"]')).waitFor();
  // Said beside the field, in the coordinator's language, and what was typed stays.
  const description = await nameBox.evaluate((el) =>
    (el.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' '),
  );
  expect(description).toContain(ui.badName);
  expect(await nameBox.inputValue()).toBe('Shelter Cluster!');
  await page.waitForFunction((el) => el === document.activeElement, await nameBox.elementHandle());
  await screenshot(page, `desk-exports-profile-error-${lang}`);

  await nameBox.fill(name);
  await page.getByRole('button', { name: ui.save }).click();
  await page
    .getByRole('status')
    .filter({ hasText: ui.saved(name) })
    .waitFor();
  await page.getByRole('list', { name: ui.profiles }).getByRole('listitem', { name }).waitFor();
}

/**
 * The step a partner's file of reports with small groups stops at, before a row is written: what it
 * says of them (the radio group's description), Keep chosen until another choice is made, then
 * `choice` and Write.
 */
async function chooseSmallGroups(lang: Lang, choice: string): Promise<string> {
  const ui = UI[lang];
  const group = page.getByRole('group', { name: ui.smallGroups });
  await group.waitFor();
  const said = await group.evaluate((el) =>
    (el.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' '),
  );
  expect(await group.getByRole('radio', { name: ui.keep }).isChecked()).toBe(true);
  await group.getByRole('radio', { name: choice }).check();
  await screenshot(page, `desk-exports-small-groups-${lang}`);
  await page.getByRole('button', { name: ui.write }).click();
  return said;
}

/**
 * Exports through the form: a format and a profile (the one chosen before when none is given), and
 * for a partner's file of reports what becomes of its small groups; returns the download, its bytes
 * and what the screen said of the small groups before writing.
 */
async function exportFile(
  lang: Lang,
  format: string,
  option?: string,
  smallGroups?: string,
): Promise<{ download: Download; bytes: Buffer; text: string; said?: string }> {
  const ui = UI[lang];
  await page.getByRole('radio', { name: format }).check();
  if (option) await page.getByRole('combobox', { name: ui.profile, exact: true }).selectOption({ label: option });
  let said: string | undefined;
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    (async () => {
      await page.getByRole('button', { name: ui.start, exact: true }).click();
      if (smallGroups) said = await chooseSmallGroups(lang, smallGroups);
    })(),
  ]);
  const bytes = await readFile(await download.path());
  return { download, bytes, text: bytes.toString('utf8'), ...(said === undefined ? {} : { said }) };
}

async function exportCsv(lang: Lang, option: string, smallGroups?: string) {
  const file = await exportFile(lang, UI[lang].csv, option, smallGroups);
  return { ...file, rows: parseCsv(file.text.replace(/^\uFEFF/, '')) };
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

/**
 * Keeps a read-write transaction on the ops open from the page until `releaseOps()`: the export
 * worker's read of when the base received each report waits behind it, so the export stays in its
 * first phase as long as the test needs, with no timing involved.
 */
function holdOps(p: Page): Promise<void> {
  return p.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('rasid');
        open.onerror = () => reject(open.error ?? new Error('indexedDB.open failed'));
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction('ops', 'readwrite');
          const store = tx.objectStore('ops');
          let held = true;
          (window as unknown as { releaseOps(): void }).releaseOps = () => {
            held = false;
          };
          // A transaction with a request pending stays open.
          const spin = () => {
            if (held) store.count().onsuccess = spin;
          };
          spin();
          tx.oncomplete = () => db.close();
          resolve();
        };
      }),
  );
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
  let known: Known | undefined;
  /** The internal file's rows, header and hashtags first. */
  let internalRows: string[][] | undefined;

  test("a coordinator's new device receives the demo's reports", async () => {
    await joinDemoBase(page, server);
    await syncNow(page, 'ar');
    expect((await readStored(page)).reportIds.length).toBeGreaterThan(100);
  }, 120_000);

  test.each<[Lang, string]>([
    ['ar', SHELTER],
    ['en', 'water-partner'],
  ])(
    'in %s: a partner profile made in the app, and CSV files with the internal and the partner profile',
    async (lang, partner) => {
      const ui = UI[lang];
      // Arabic first, as the app starts; then the same screen switched to English in place.
      if (lang === 'ar') await page.goto('/desk/exports');
      else await page.getByRole('combobox', { name: 'اللغة' }).selectOption('en');
      await page.getByRole('heading', { level: 1, name: lang === 'ar' ? 'التصدير' : 'Exports' }).waitFor();
      await waitForCount(page.getByText(ui.count), 1);
      const stored = await readStored(page);
      const count = await deskCount(lang);
      expect(count).toBe(stored.reportIds.length);
      // Sealed at rest, as on every device with a passcode: the worker must open them under the page's key.
      expect(stored.sealed).toBe(count);

      await makeProfile(lang, partner);

      const internal = await exportCsv(lang, ui.internal);
      expect(internal.download.suggestedFilename()).toMatch(/^rasid-internal-\d{4}-\d{2}-\d{2}\.csv$/);
      checkCsvShape(internal, count);
      await page.getByRole('status').filter({ hasText: ui.exported }).waitFor();
      // The coordinator's file holds every report this device stores, each named by its real id ...
      expect(
        internal.rows
          .slice(2)
          .map((r) => r[0])
          .sort(),
      ).toEqual([...stored.reportIds].sort());
      known = knownFrom(internal.rows);
      internalRows = internal.rows;
      // ... and what the partner's must not: the demo gives the searches below plenty to find.
      expect(known.narratives.length).toBeGreaterThan(10);
      expect(known.coordinates.length).toBeGreaterThan(10);
      expect(known.creators.length).toBeGreaterThan(1);
      expect(known.creators.every((d) => stored.devices.includes(d))).toBe(true);
      logged.unshift(['internal', count]);

      const shared = await exportCsv(lang, ui.partner(partner), ui.keep);
      expect(shared.download.suggestedFilename()).toMatch(new RegExp(`^rasid-${partner}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
      checkCsvShape(shared, known.notDeleted);
      expect(known.notDeleted).toBeLessThan(count);
      for (const n of known.narratives) expect(shared.text).not.toContain(quoted(n));
      for (const d of stored.devices) expect(shared.text).not.toContain(d);
      for (const c of known.coordinates) expect(shared.text).not.toContain(c);
      expect(shared.rows[0]).not.toContain('narrative');
      expect(shared.rows[0]).not.toContain('device');
      expect(shared.rows[0]).not.toContain('lat');
      // Ids are pseudonyms: no row of the partner's file names a report as the base does.
      const internalIds = new Set(internal.rows.slice(2).map((r) => r[0]));
      expect(shared.rows.slice(2).filter((r) => internalIds.has(r[0]))).toEqual([]);
      // Dates go to the partner as weeks, and a week is not labelled as an exact date.
      const precisions = (rows: string[][]) => new Set(byColumn(rows).map((r) => r.date_precision));
      expect(precisions(internal.rows)).toContain('exact');
      expect(byColumn(shared.rows).every((r) => /^\d{4}-W\d{2}$/.test(r.date!))).toBe(true);
      expect(precisions(shared.rows)).not.toContain('exact');
      expect(precisions(shared.rows)).toContain('week');
      logged.unshift([partner, known.notDeleted]);

      await until(
        page,
        () => logRows(lang),
        (rows) => expect(rows).toEqual(logged),
      );
      await screenshot(page, `desk-exports-${lang}`);
      await page.reload();
      await until(
        page,
        () => logRows(lang),
        (rows) => expect(rows).toEqual(logged),
      );
    },
    120_000,
  );

  test('GeoJSON with a partner profile, and the aggregate counts with no count under 5', async () => {
    if (!known) throw new Error('The tests before this one read the internal file');
    const geo = await exportFile('en', 'GeoJSON: maps, QGIS', `${SHELTER} (partner)`, UI.en.keep);
    expect(geo.download.suggestedFilename()).toMatch(new RegExp(`^rasid-${SHELTER}-\\d{4}-\\d{2}-\\d{2}\\.geojson$`));
    const collection = JSON.parse(geo.text) as { type: string; features: { geometry: unknown; properties: Record<string, unknown> }[] };
    expect(collection.type).toBe('FeatureCollection');
    expect(collection.features).toHaveLength(known.notDeleted);
    // A profile of admin areas only shares no point at all.
    expect(collection.features.every((f) => f.geometry === null)).toBe(true);
    expect(collection.features.some((f) => 'narrative' in f.properties || 'device' in f.properties)).toBe(false);
    logged.unshift([SHELTER, known.notDeleted]);

    // Counts belong to a profile, at the deployment's one level: the form offers no other.
    const counts = await exportFile('en', 'Counts by area and week, CSV', `${SHELTER} (partner)`);
    expect(counts.download.suggestedFilename()).toMatch(new RegExp(`^rasid-${SHELTER}-aggregate-adm2-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
    expect(await page.getByRole('combobox', { name: 'Count by' }).count()).toBe(0);
    expect([...counts.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, hashtags, ...cells] = parseCsv(counts.text.replace(/^\uFEFF/, ''));
    expect(header).toEqual(['adm2_pcode', 'adm2_name_en', 'adm2_name_ar', 'week', 'type', 'reports']);
    expect(hashtags?.[5]).toBe('#event+num');
    expect(cells.length).toBeGreaterThan(0);
    expect(cells.filter((c) => Number(c[5]) < 5)).toEqual([]);
    logged.unshift([SHELTER, cells.length]);
    // How many cells were left out is said on the screen, and in the JSON file, never which.
    const said = page.getByRole('status').getByText(/cells? of fewer than 5 reports (was|were) left out/);
    const left = numberIn((await said.textContent()) ?? '');
    expect(left).toBeGreaterThan(0);
    const json = await exportFile('en', 'Counts by area and week, JSON', 'water-partner (partner)');
    const file = JSON.parse(json.text) as { profile: string; level: number; suppressedCells: number; records: unknown[] };
    expect([file.profile, file.level, file.suppressedCells, file.records.length]).toEqual(['water-partner', 2, left, cells.length]);
    await page
      .getByRole('status')
      .filter({ hasText: `${left} cells of fewer than 5 reports were left out` })
      .waitFor();
    logged.unshift(['water-partner', cells.length]);
    await until(
      page,
      () => logRows('en'),
      (rows) => expect(rows).toEqual(logged),
    );
  });

  test('a partner file says how many small groups it holds before it is written, and leaves them out or gives them by governorate as chosen', async () => {
    if (!known || !internalRows) throw new Error('The tests before this one read the internal file');
    const expected = smallGroupsIn(internalRows);
    // The demo's fortnight on the coast has small groups, and groups of 5 or more beside them.
    expect(expected.groups.size).toBeGreaterThan(0);
    expect(expected.rows).toBeLessThan(known.notDeleted);
    const partner = `${SHELTER} (partner)`;

    const kept = await exportCsv('en', partner, UI.en.keep);
    // Said before a row was written, with how many rows the groups hold.
    expect(kept.said).toContain(`This file would hold ${expected.groups.size} small groups`);
    expect(kept.said).toContain(`Rows in them: ${expected.rows}.`);
    await page
      .getByRole('status')
      .filter({ hasText: `${expected.groups.size} small groups were kept as they are.` })
      .waitFor();
    checkCsvShape(kept, known.notDeleted);

    const dropped = await exportCsv('en', partner, UI.en.drop);
    // A CSV cannot say it, so the screen does.
    const status = page.getByRole('status');
    await status
      .filter({ hasText: `${expected.groups.size} small groups were left out of the file. Rows in them: ${expected.rows}.` })
      .waitFor();
    await status.filter({ hasText: 'A CSV file has no place to say so' }).waitFor();
    checkCsvShape(dropped, known.notDeleted - expected.rows);

    const coarsened = await exportCsv('en', partner, UI.en.coarsen);
    await status.filter({ hasText: `${expected.groups.size} small groups were given by governorate only.` }).waitFor();
    checkCsvShape(coarsened, known.notDeleted);

    // Rows are named by the partner's pseudonyms, the same in all three files (one key).
    const keptRows = new Map(byColumn(kept.rows).map((r) => [r.id!, r]));
    const droppedRows = new Map(byColumn(dropped.rows).map((r) => [r.id!, r]));
    const coarsenedRows = new Map(byColumn(coarsened.rows).map((r) => [r.id!, r]));
    const left = [...keptRows.keys()].filter((id) => !droppedRows.has(id));
    expect(left).toHaveLength(expected.rows);
    expect([...coarsenedRows.keys()].sort()).toEqual([...keptRows.keys()].sort());
    const district = ['adm2_pcode', 'adm2_name_en', 'adm2_name_ar'];
    for (const [id, row] of keptRows) {
      // A row whose week or district is empty in the partner's file (unknown, or in conflict) does
      // not show its group; the counts above hold it.
      const shown = row.date !== '' && (row.adm2_pcode !== '' || row.adm2_name_en !== '');
      const small = !droppedRows.has(id);
      if (shown) expect(expected.groups.has(groupOf(row, row.date!)), `row ${id} in a small group: ${small}`).toBe(small);
      if (small) {
        // Given by governorate: the district emptied, everything else as kept.
        expect(coarsenedRows.get(id)).toEqual({ ...row, ...Object.fromEntries(district.map((c) => [c, ''])) });
      } else {
        expect(droppedRows.get(id)).toEqual(row);
        expect(coarsenedRows.get(id)).toEqual(row);
      }
    }
    expect(left.some((id) => keptRows.get(id)!.adm2_pcode !== '')).toBe(true);
    // Newest first: coarsened, dropped, kept.
    logged.unshift([SHELTER, known.notDeleted], [SHELTER, known.notDeleted - expected.rows], [SHELTER, known.notDeleted]);

    // In Arabic, right to left, the count in the digits the screen uses; the JSON file says how many
    // groups were left out, never which.
    await page.getByRole('combobox', { name: 'Language' }).selectOption('ar');
    await page.getByRole('heading', { level: 1, name: 'التصدير' }).waitFor();
    const json = await exportFile('ar', 'JSON: البرامج وسلاسل المعالجة', `${SHELTER} (شريك)`, UI.ar.drop);
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    expect(json.said).toMatch(/^سيحوي هذا الملف/);
    expect(json.said).toContain(`عدد صفوفها: ${expected.rows.toLocaleString('ar-SY')}.`);
    expect(numberIn(json.said!)).toBe(expected.groups.size);
    expect(json.said).not.toMatch(/[0-9]/);
    const file = JSON.parse(json.text) as { smallGroups: unknown; records: { id: string }[] };
    expect(file.smallGroups).toEqual({ choice: 'drop', groups: expected.groups.size });
    expect(file.records.map((r) => r.id).sort()).toEqual([...droppedRows.keys()].sort());
    await page.getByRole('status').getByText('ويذكر الملف ذلك أيضًا').waitFor();
    logged.unshift([SHELTER, known.notDeleted - expected.rows]);
    await page.getByRole('combobox', { name: 'اللغة' }).selectOption('en');
    await page.getByRole('heading', { level: 1, name: 'Exports' }).waitFor();
    await until(
      page,
      () => logRows('en'),
      (rows) => expect(rows).toEqual(logged),
    );
  });

  test('a new key gives the partner new ids for the same rows, and a removed profile can no longer be chosen', async () => {
    const first = await exportCsv('en', `${SHELTER} (partner)`, UI.en.keep);
    const again = await exportCsv('en', `${SHELTER} (partner)`, UI.en.keep);
    // Stable under one key, so a partner can match a corrected row to the one it replaces.
    expect(again.rows).toEqual(first.rows);

    await page.getByRole('button', { name: `New key for ${SHELTER}` }).click();
    const dialog = page.getByRole('alertdialog', { name: `Give ${SHELTER} a new key?` });
    expect(await dialog.textContent()).toContain('will no longer match');
    await screenshot(page, 'desk-exports-rotate-en');
    await dialog.getByRole('button', { name: 'Make a new key' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `New key saved for ${SHELTER}.` })
      .waitFor();

    const rotated = await exportCsv('en', `${SHELTER} (partner)`, UI.en.keep);
    const data = (f: { rows: string[][] }) => f.rows.slice(2);
    expect(data(rotated)).toHaveLength(data(first).length);
    const oldIds = new Set(data(first).map((r) => r[0]));
    expect(data(rotated).filter((r) => oldIds.has(r[0]))).toEqual([]);
    // The same rows otherwise, in another order: the order follows the partner's pseudonyms.
    const rest = (f: { rows: string[][] }) =>
      data(f)
        .map((r) => JSON.stringify(r.slice(1)))
        .sort();
    expect(rest(rotated)).toEqual(rest(first));
    const rows = data(first).length;
    logged.unshift([SHELTER, rows], [SHELTER, rows], [SHELTER, rows]);
    await until(
      page,
      () => logRows('en'),
      (rows) => expect(rows).toEqual(logged),
    );

    await page.getByRole('button', { name: 'Remove water-partner' }).click();
    await page
      .getByRole('alertdialog', { name: 'Remove profile water-partner?' })
      .getByRole('button', { name: 'Remove the profile' })
      .click();
    await page.getByRole('status').filter({ hasText: 'Profile water-partner removed.' }).waitFor();
    await waitForCount(page.getByRole('list', { name: 'Profiles' }).getByRole('listitem', { name: 'water-partner' }), 0);
    const options = await page.getByRole('combobox', { name: 'Profile', exact: true }).getByRole('option').allTextContents();
    expect(options).toContain(`${SHELTER} (partner)`);
    expect(options).not.toContain('water-partner (partner)');
  });

  test('an export shows its progress and stops on Cancel, saving no file and logging nothing', async () => {
    const downloads: Download[] = [];
    const onDownload = (d: Download) => downloads.push(d);
    page.on('download', onDownload);
    await holdOps(page);
    await page.getByRole('radio', { name: UI.en.csv }).check();
    await page.getByRole('combobox', { name: 'Profile', exact: true }).selectOption({ label: 'internal' });
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const bar = page.getByRole('progressbar', { name: 'Export progress' });
    await bar.waitFor();
    expect(await bar.getAttribute('aria-valuetext')).toBe('Reading the reports…');
    // Still reading: how far it is cannot be known yet, and the bar does not pretend.
    expect(await bar.getAttribute('aria-valuenow')).toBeNull();
    await screenshot(page, 'desk-exports-progress-en');
    await page.getByRole('button', { name: 'Cancel export' }).click();
    await page.getByRole('status').filter({ hasText: 'Export cancelled. No file was saved.' }).waitFor();
    await waitForCount(bar, 0);
    await page.evaluate(() => (window as unknown as { releaseOps(): void }).releaseOps());

    // The next export runs to its end: its file is the only one saved since the cancelled one began.
    const count = await deskCount('en');
    const file = await exportCsv('en', 'internal');
    checkCsvShape(file, count);
    expect(downloads).toHaveLength(1);
    page.off('download', onDownload);
    logged.unshift(['internal', count]);
    await until(
      page,
      () => logRows('en'),
      (rows) => expect(rows).toEqual(logged),
    );
  });

  test('a worker that fails is said in words, and nothing is saved, logged or lost from the form', async () => {
    // From the next load on, while the flag is set, the export worker fails as one out of memory does.
    await context.addInitScript(() => {
      if (sessionStorage.getItem('crash-workers') !== '1') return;
      const Real = window.Worker;
      window.Worker = class extends Real {
        private readonly crash: boolean;
        constructor(url: string | URL, options?: WorkerOptions) {
          super(url, options);
          this.crash = String(url).includes('export.worker');
        }
        override postMessage(message: unknown, options?: StructuredSerializeOptions | Transferable[]): void {
          if (!this.crash) return super.postMessage(message, options as StructuredSerializeOptions);
          queueMicrotask(() => this.dispatchEvent(new ErrorEvent('error', { message: 'out of memory' })));
        }
      };
    });
    await page.evaluate(() => sessionStorage.setItem('crash-workers', '1'));
    await page.reload();
    const downloads: Download[] = [];
    const onDownload = (d: Download) => downloads.push(d);
    page.on('download', onDownload);

    await page.getByRole('radio', { name: 'JSON: scripts and pipelines' }).check();
    await page.getByRole('combobox', { name: 'Profile', exact: true }).selectOption({ label: `${SHELTER} (partner)` });
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'The export stopped unexpectedly (out of memory). No report was changed: try again.' })
      .waitFor();
    expect(downloads).toEqual([]);
    expect(await page.getByRole('radio', { name: 'JSON: scripts and pipelines' }).isChecked()).toBe(true);
    expect(await page.getByRole('combobox', { name: 'Profile', exact: true }).inputValue()).toBe(SHELTER);
    expect(await page.getByRole('button', { name: 'Export', exact: true }).isEnabled()).toBe(true);
    await until(
      page,
      () => logRows('en'),
      (rows) => expect(rows).toEqual(logged),
    );
    await screenshot(page, 'desk-exports-error-en');
    page.off('download', onDownload);
    await page.evaluate(() => sessionStorage.removeItem('crash-workers'));
  });

  test("a coordinator's device is this device, not a phone, in English and in Arabic", async () => {
    await page.goto('/settings');
    const main = page.getByRole('main');
    await main.getByRole('heading', { name: 'Storage on this device' }).waitFor();
    expect(await main.textContent()).not.toMatch(/phone/i);
    await page.getByRole('combobox', { name: 'Language' }).selectOption('ar');
    await main.getByRole('heading', { name: 'التخزين على هذا الجهاز' }).waitFor();
    expect(await main.textContent()).not.toMatch(/هاتف/);
    await page.getByRole('combobox', { name: 'اللغة' }).selectOption('en');
    await main.getByRole('heading', { name: 'Storage on this device' }).waitFor();
    await page.goto('/desk/exports');
  });

  test('an export runs offline, worker and all, from what this device holds', async () => {
    // Offline, the page comes from the service worker's cache: it must have finished installing first.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller)
        await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    });
    await setOffline(context, true);
    try {
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Exports' }).waitFor();
      const count = await deskCount('en');
      const file = await exportCsv('en', 'internal');
      checkCsvShape(file, count);
      logged.unshift(['internal', count]);
      await until(
        page,
        () => logRows('en'),
        (rows) => expect(rows).toEqual(logged),
      );
    } finally {
      await setOffline(context, false);
    }
  });
});
