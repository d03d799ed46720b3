/**
 * A partner's CSV file of every report, in Chromium: (a) from the export records in memory to the
 * finished file, through the desk's own writer in a worker as the desk runs it (browser/partner-csv*.ts),
 * the page's main-thread long tasks counted meanwhile; (b) in the built app on the desk that
 * desk-list.ts fills, a partner profile made and a CSV exported through the export screen as a
 * coordinator does it, from the click on Export to the file's download, long tasks counted too.
 * Budget: the file within 2 s of the records, no main-thread task over 200 ms.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { deskAr } from '../../src/app/i18n/desk.ar.ts';
import { exportsAr } from '../../src/app/i18n/exports.ar.ts';
import { newPseudonymKey } from '../../src/export/pseudonym.ts';
import { launchBrowser } from '../chromium.ts';
import { bundle } from './bundle.ts';
import type { PartnerCsvJob, PartnerCsvMessage } from './browser/partner-csv.worker.ts';

/** From the records in memory to the file (ms). */
export const FILE_BUDGET_MS = 2000;
/** A main-thread task longer than this is a page that stops answering. */
export const LONG_TASK_MS = 200;

const GAZETTEER = new URL('../../public/gazetteer/sample-gazetteer-syrian-coast.csv', import.meta.url);
const randomBytes = (n: number) => crypto.getRandomValues(new Uint8Array(n));

export interface PartnerCsvRound {
  /** From the records in memory to the finished Blob, in the worker (ms). */
  ms: number;
  /** From the page asking to the page holding the file, the Blob's crossing included (ms). */
  pageMs: number;
  rows: number;
  bytes: number;
  /** The page's main-thread tasks over 50 ms meanwhile, their lengths (ms). */
  longTasks: number[];
}

interface InMemory {
  records: number;
  recordsMs: number;
  rounds: PartnerCsvRound[];
}

/**
 * In the page: starts the worker from its bundled text, and while each file is written collects the
 * page's own long tasks (`PerformanceObserver`, type `longtask`), as a coordinator's desk would see them.
 */
async function inPage({ workerCode, job }: { workerCode: string; job: PartnerCsvJob }): Promise<InMemory> {
  const tasks: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => tasks.push(...list.getEntries()));
  observer.observe({ type: 'longtask' });
  const url = URL.createObjectURL(new Blob([workerCode], { type: 'text/javascript' }));
  const worker = new Worker(url, { type: 'module' });
  const rounds: PartnerCsvRound[] = [];
  let records = 0;
  let recordsMs = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let since = 0;
      worker.onerror = (e) => reject(new Error(e.message || 'the worker did not load'));
      worker.onmessage = (e: MessageEvent<PartnerCsvMessage>) => {
        const m = e.data;
        if (m.type === 'error') reject(new Error(m.message));
        else if (m.type === 'records') ({ records, ms: recordsMs } = m);
        else if (m.type === 'writing') since = performance.now();
        else {
          const end = performance.now();
          const longTasks = tasks.filter((t) => t.startTime + t.duration >= since && t.startTime <= end).map((t) => t.duration);
          rounds.push({ ms: m.ms, pageMs: end - since, rows: m.rows, bytes: m.blob.size, longTasks });
          if (rounds.length === job.rounds) resolve();
        }
      };
      worker.postMessage(job);
    });
  } finally {
    worker.terminate();
    observer.disconnect();
    URL.revokeObjectURL(url);
  }
  return { recordsMs, records, rounds };
}

/** (a): the records made in a worker in a Chromium page, then the file written from them `rounds` times. */
async function inMemory(reports: number, rounds: number): Promise<InMemory> {
  const workerCode = await bundle(path.resolve('tests/bench/browser/partner-csv.worker.ts'));
  // The page needs an origin of its own for a module worker; it holds nothing else.
  const server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>bench</title>'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const browser = await launchBrowser();
  try {
    const tab = await browser.newPage();
    await tab.goto(`http://127.0.0.1:${port}/`);
    const job = { gazetteerCsv: await readFile(GAZETTEER, 'utf8'), reports, now: Date.now(), rounds, key: newPseudonymKey(randomBytes) };
    return await tab.evaluate(inPage, { workerCode, job });
  } finally {
    await browser.close();
    server.close();
  }
}

export interface ClickToFile {
  /** From the click on Export to the download of the file (ms). */
  ms: number;
  /** Of it, the small groups' question on screen until Write was clicked: the coordinator's time (ms). */
  askedMs: number;
  bytes: number;
  /** Main-thread tasks over 50 ms between the click and the download, their lengths (ms). */
  longTasks: number[];
}

/** What the page notes of an export: when it was asked for, asked about, answered and downloaded. */
interface Noted {
  clicked?: number;
  asked?: number;
  written?: number;
  downloaded?: number;
  longTasks: { start: number; ms: number }[];
}

/**
 * (b), on a desk already holding its reports, in Arabic: a partner profile made in the export
 * screen's form, then a CSV with it, small groups kept. The times are the page's own, from events
 * on its controls: the submit of the export form, the small groups' question shown and answered,
 * and the click on the download link the app makes for the file.
 */
export async function partnerCsvAtTheDesk(page: Page): Promise<ClickToFile> {
  const t = exportsAr;
  const partner = 'bench-partner';
  await page.getByRole('navigation', { name: deskAr['desk.nav'] }).getByRole('link', { name: deskAr['desk.nav.exports'] }).click();
  await page.getByRole('button', { name: t['profile.new'] }).click();
  await page.getByRole('textbox', { name: t['profile.form.name'] }).fill(partner);
  await page.getByRole('button', { name: t['profile.form.save'] }).click();
  await page.getByRole('list', { name: t['profile.title'] }).getByRole('listitem', { name: partner }).waitFor();
  await page.getByRole('radio', { name: t['exports.format.csv'] }).check();
  await page
    .getByRole('combobox', { name: t['exports.run.profile'], exact: true })
    .selectOption({ label: t['profile.partner'].replace('{name}', partner) });

  await page.evaluate(
    ({ legend, write }) => {
      const noted: Noted = { longTasks: [] };
      (globalThis as unknown as { partnerCsvNoted: Noted }).partnerCsvNoted = noted;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) noted.longTasks.push({ start: e.startTime, ms: e.duration });
      }).observe({ type: 'longtask' });
      document.addEventListener('submit', () => (noted.clicked ??= performance.now()), { capture: true });
      document.addEventListener(
        'click',
        (e) => {
          const target = e.target as HTMLElement;
          if (target instanceof HTMLAnchorElement && target.download) noted.downloaded ??= performance.now();
          else if (target.closest('button')?.textContent?.trim() === write) noted.written ??= performance.now();
        },
        { capture: true },
      );
      new MutationObserver(() => {
        if (noted.asked === undefined && [...document.querySelectorAll('legend')].some((l) => l.textContent === legend))
          noted.asked = performance.now();
      }).observe(document.body, { childList: true, subtree: true });
    },
    { legend: t['exports.smallGroups.legend'], write: t['exports.smallGroups.write'] },
  );
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: t['exports.run.start'], exact: true }).click();
  const group = page.getByRole('group', { name: t['exports.smallGroups.legend'] });
  // The question comes once the reports are read and counted; a file with no small group is
  // written without it.
  if ((await Promise.race([group.waitFor().then(() => 'asked' as const), downloading.then(() => 'written' as const)])) === 'asked') {
    await group.getByRole('radio', { name: t['exports.smallGroups.keep'] }).check();
    await page.getByRole('button', { name: t['exports.smallGroups.write'] }).click();
  }
  const download = await downloading;
  const bytes = (await readFile(await download.path())).length;
  const noted = await page.evaluate(() => (globalThis as unknown as { partnerCsvNoted: Noted }).partnerCsvNoted);
  const { clicked, downloaded, asked, written } = noted;
  if (clicked === undefined || downloaded === undefined) throw new Error('The export was not seen from its click to its file');
  return {
    ms: downloaded - clicked,
    askedMs: asked !== undefined && written !== undefined ? written - asked : 0,
    bytes,
    longTasks: noted.longTasks.filter((l) => l.start + l.ms >= clicked && l.start <= downloaded).map((l) => l.ms),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const spread = (ms: number[]) => `${median(ms).toFixed(0)} (${Math.min(...ms).toFixed(0)}–${Math.max(...ms).toFixed(0)})`;
const overBudget = (tasks: number[]) => tasks.filter((ms) => ms > LONG_TASK_MS).length;
const longest = (tasks: number[]) => Math.max(0, ...tasks);

/** The rows: (a) measured here, (b) as desk-list.ts measured it on its desk (absent when it did not). */
export async function partnerCsvRows({
  reports,
  rounds,
  atTheDesk,
  log = () => undefined,
}: {
  reports: number;
  rounds: number;
  atTheDesk?: ClickToFile;
  log?: (line: string) => void;
}): Promise<[string, string, string, string, string][]> {
  const a = await inMemory(reports, rounds);
  log(
    `partner CSV: ${a.records} records made in ${(a.recordsMs / 1000).toFixed(1)} s; files in ${a.rounds.map((r) => r.ms.toFixed(0)).join(', ')} ms`,
  );
  if (a.rounds.some((r) => r.rows === 0)) throw new Error('A partner CSV came out without rows');
  const n = a.records.toLocaleString('en');
  const ms = a.rounds.map((r) => r.ms);
  const tasks = a.rounds.flatMap((r) => r.longTasks);
  const rows: [string, string, string, string, string][] = [
    [
      `partner CSV, ${n} reports: records in memory to the file, in the export worker (ms)`,
      spread(ms),
      `budget ${FILE_BUDGET_MS}`,
      (median(ms) / FILE_BUDGET_MS).toFixed(2),
      `≤ ${FILE_BUDGET_MS}`,
    ],
    [
      `  the same, main-thread tasks over ${LONG_TASK_MS} ms (longest, ms)`,
      `${overBudget(tasks)} (${longest(tasks).toFixed(0)})`,
      '',
      '',
      '0',
    ],
  ];
  if (atTheDesk) {
    const d = atTheDesk;
    const desk = `partner CSV in the built desk, ${n} reports`;
    rows.push([
      `${desk}: click on Export to the file (ms)`,
      d.ms.toFixed(0),
      `records to file ${median(ms).toFixed(0)}`,
      (d.ms / median(ms)).toFixed(2),
      '',
    ]);
    rows.push([`  of which the small groups' question answered (ms)`, d.askedMs.toFixed(0), '', '', '']);
    rows.push([
      `  main-thread tasks over ${LONG_TASK_MS} ms meanwhile (longest, ms)`,
      `${overBudget(d.longTasks)} (${longest(d.longTasks).toFixed(0)})`,
      '',
      '',
      '0',
    ]);
  }
  return rows;
}
