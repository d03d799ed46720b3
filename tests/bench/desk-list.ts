/**
 * The desk holding a year of invented reports, in the real app: a base process whose store holds
 * them sealed (invented-base.ts), the built app it serves, and a coordinator's desk in Chromium that
 * joins as the demo's lines say (enrolled, key file, root file) and pulls every report through
 * sync, its list open while the pull goes on. Then, in the desk's list: the time to the first rows,
 * each filter change, each sort and each letter typed in the search (browser/desk-timing.ts), and
 * the JavaScript heap with the desk open. Run after `npm run build`: the server serves dist/.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { deskAr } from '../../src/app/i18n/desk.ar.ts';
import { ar } from '../../src/app/i18n/ar.ts';
import { SORTS } from '../../src/app/desk/filter.ts';
import { DEMO_ROOT_FILE, DEMO_ROOT_PASSPHRASE } from '../../src/server/demo/demo-keys.ts';
import { demoPlaces } from '../../src/server/demo/places.ts';
import { sampleGazetteer } from '../../src/server/demo/seed.ts';
import { normalizeDigits } from '../../src/domain/digits.ts';
import { appReady, enrollOnDemoBase, importDemoKeyFile, LAPTOP, launchBrowser, syncNow } from '../e2e/harness.ts';
import { startServer, type ServerProcess } from '../e2e/server-process.ts';
import { bundle } from './bundle.ts';
import { inventedBase } from './invented-base.ts';
import { partnerCsvAtTheDesk, type ClickToFile } from './partner-csv.ts';

interface Change {
  label: string;
  value: string | boolean;
}

/** One measured change: applied from `from`, which is restored before each round. */
interface Step {
  name: string;
  from: Change;
  to: Change;
}

export interface DeskFigures {
  reports: number;
  ops: number;
  /** Sealing and storing the ops in the base (ms). */
  seedMs: number;
  /** Enrolling, opening the key file, pulling every report through sync, and opening the root file (ms). */
  joinMs: number;
  /**
   * From the first pull's request to the desk's list showing its first rows and answering a filter
   * change, the pull still going on: when a coordinator on a new laptop can start working (ms).
   */
  usableMs: number;
  /** Reports the list held when it first showed. */
  usableWith: number;
  firstList: number[];
  /** From the last round's click until the list holds every report (ms). */
  wholeList: number[];
  /** ms per round, by what changed; `unmatched` counts rounds that did not end on what the first run showed. */
  changes: { name: string; ms: number[]; unmatched: number }[];
  /** JS heap used (bytes) after a garbage collection, on the Settings screen and then with the list open. */
  heapBefore: number;
  heapDesk: number;
  /** Last, a partner's CSV exported through the export screen (partner-csv.ts). */
  partnerCsv: ClickToFile;
}

interface InPage {
  setLabels(l: { list: string; loading: string; reading: string; watchMs: number }): void;
  timeChange(change: Change, expected?: string): { ms: number; result: string; matched: boolean };
  timeFirstList(name: string): number;
  timeWholeList(name: string, total: number): { first: number; whole: number };
  options(label: string): string[];
}

/** Calls the in-page part (browser/desk-timing.ts) by name, as run.ts calls its pages. */
const call = <K extends keyof InPage>(page: Page, name: K, ...args: Parameters<InPage[K]>): Promise<ReturnType<InPage[K]>> =>
  page.evaluate(
    ({ name, args }) => (globalThis as unknown as { deskBench: Record<string, (...a: unknown[]) => unknown> }).deskBench[name]!(...args),
    { name, args },
  ) as Promise<ReturnType<InPage[K]>>;

/** The root file opened on the Devices screen, which names this desk too and ends with a sync. */
async function openRootFile(page: Page, server: ServerProcess): Promise<void> {
  await page.goto('/devices');
  await appReady(page);
  const signing = page.getByRole('form', { name: deskAr['rootFile.title'] });
  await signing.getByLabel(deskAr['rootFile.file'], { exact: true }).setInputFiles(path.join(server.dataDir, DEMO_ROOT_FILE));
  await signing.getByLabel(deskAr['deploymentKey.rootPassphrase']).fill(DEMO_ROOT_PASSPHRASE);
  await signing.getByRole('button', { name: deskAr['rootFile.button'] }).click();
  await signing.getByRole('status').or(signing.getByRole('alert')).first().waitFor();
  const alerts = await signing.getByRole('alert').allTextContents();
  if (alerts.length > 0) throw new Error(`The root file did not open: ${alerts.join(' ')}`);
}

/**
 * The desk's list opened while the first pull goes on: its first rows shown, and a filter answered
 * on what has arrived. Returns when that was done, and how many reports the list held then.
 */
async function listUsable(page: Page): Promise<{ at: number; total: number }> {
  await page.getByRole('navigation', { name: ar['nav.main'] }).getByRole('link', { name: deskAr['nav.desk'] }).click();
  await page.getByRole('list', { name: deskAr['desk.list.label'] }).getByRole('listitem').first().waitFor();
  const status = page.getByRole('main').getByRole('status').first();
  await page.getByLabel(deskAr['desk.filter.type'], { exact: true }).selectOption('damage');
  // The desk filters in memory: the frame after the change shows its answer.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
  const at = performance.now();
  const numbers = [...normalizeDigits((await status.textContent()) ?? '').matchAll(/\d+/g)].map((m) => Number(m[0]));
  await page.getByLabel(deskAr['desk.filter.type'], { exact: true }).selectOption('');
  return { at, total: numbers[numbers.length - 1] ?? 0 };
}

async function heapUsed(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize;
  } finally {
    await cdp.detach();
  }
}

/** Every change measured, each from a state one step before it; `clear` is where the list goes back to after it. */
function steps(options: { adm1: string; device: string }, dateFrom: string, letters: number): (Step & { clear: Change })[] {
  const t = deskAr;
  const word = demoPlaces(sampleGazetteer()).get('SY060201')!.ar.slice(0, letters);
  const search = t['desk.search'];
  const pair = (name: string, label: string, from: string | boolean, to: string | boolean, clear = from) => ({
    name,
    from: { label, value: from },
    to: { label, value: to },
    clear: { label, value: clear },
  });
  return [
    pair('filter: type', t['desk.filter.type'], '', 'damage'),
    pair('filter: governorate (adm1)', t['desk.filter.adm1'], '', options.adm1),
    pair('filter: date from (its last digit typed)', t['desk.filter.from'], dateFrom.slice(0, -1), dateFrom, ''),
    pair('filter: device', t['desk.filter.device'], '', options.device),
    pair('filter: no admin area', t['desk.filter.noArea'], false, true),
    ...SORTS.map((s) => pair(`sort: ${s}`, t['desk.sort'], s === 'written' ? 'eventOldest' : 'written', s, 'written')),
    ...[...word].map((_, i) => pair('search: one more letter', search, word.slice(0, i), word.slice(0, i + 1), '')),
  ];
}

export async function deskFigures({
  reports,
  rounds,
  watchMs = 10_000,
  letters = Infinity,
  log = () => undefined,
}: {
  reports: number;
  rounds: number;
  /** How many letters of a place name are typed in the search, one change each. */
  letters?: number;
  /** How long a change that shows nothing new is watched for a late result: small lists settle at once. */
  watchMs?: number;
  /** Told each phase as it ends: a run at 100,000 lasts long enough to want to know where it is. */
  log?: (line: string) => void;
}): Promise<DeskFigures> {
  const now = Date.now();
  const base = await inventedBase({ reports, seed: 1, now });
  log(`desk: base filled, ${base.ops} ops in ${(base.ms / 1000).toFixed(0)} s`);
  const server = await startServer({ dataDir: base.dataDir });
  const browser = await launchBrowser();
  let atTheDesk: ReturnType<typeof setInterval> | undefined;
  try {
    const context = await browser.newContext({ ...LAPTOP, baseURL: server.baseUrl });
    // A bench waits for as long as the work takes: 100,000 reports pull for minutes on a busy machine.
    context.setDefaultTimeout(0);
    const page = await context.newPage();
    // The app locks itself after five idle minutes, and pulling 100,000 reports takes longer: the
    // coordinator is at the desk, so a key is pressed now and then, one that changes nothing on screen.
    atTheDesk = setInterval(() => void page.keyboard.press('Shift').catch(() => undefined), 60_000);

    const t0 = performance.now();
    await enrollOnDemoBase(page, server);
    // From the first pull's request: what a desk pulls before its key and root files are open waits
    // in the quarantine, and opens with them.
    let pullStarted = Infinity;
    page.on('request', (r) => {
      if (pullStarted === Infinity && r.url().endsWith('/api/v1/sync')) pullStarted = performance.now();
    });
    await importDemoKeyFile(page, server);
    // The coordinator goes to the list while the pull goes on, and opens the root file after it.
    const usable = await listUsable(page);
    log(`desk: list usable ${((usable.at - pullStarted) / 1000).toFixed(1)} s after the first pull began, with ${usable.total} reports`);
    await openRootFile(page, server);
    // The root file's sync reopens what waited for it; one more finds nothing left to pull. Whether
    // every report arrived is checked when the whole list is read, below: reading it here would
    // count the list's own reading in the join, a figure of its own.
    await syncNow(page, 'ar');
    const joinMs = performance.now() - t0;
    log(`desk: joined and pulled in ${(joinMs / 1000).toFixed(0)} s`);

    const settings = page.getByRole('navigation', { name: ar['nav.main'] }).getByRole('link', { name: ar['nav.settings'] });
    const timing = await bundle(path.resolve('tests/bench/browser/desk-timing.ts'));
    let heapBefore = 0;
    const firstList: number[] = [];
    const wholeList: number[] = [];
    for (let i = 0; i < rounds; i++) {
      // Each round opens the list as after an unlock: the desk holds its reports only while a desk
      // screen is open, and a reload lets go of them.
      await page.reload();
      await appReady(page);
      await settings.click();
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      await page.evaluate(timing);
      await call(page, 'setLabels', {
        list: deskAr['desk.list.label'],
        loading: deskAr['desk.sort.loading'],
        reading: deskAr['desk.loading'],
        watchMs,
      });
      if (i === 0) heapBefore = await heapUsed(page);
      // Until the whole list is held once, in the last round: at 100,000 that is most of a minute,
      // and the changes measured next must find every report held, not the list still filling. It
      // fails when the list has read everything and holds fewer: the join left some behind.
      if (i === rounds - 1) {
        const opened = await call(page, 'timeWholeList', deskAr['nav.desk'], reports);
        firstList.push(opened.first);
        wholeList.push(opened.whole);
      } else firstList.push(await call(page, 'timeFirstList', deskAr['nav.desk']));
    }

    const dateFrom = new Date(now - 182 * 86_400_000).toISOString().slice(0, 10);
    const second = async (label: string) => (await call(page, 'options', label))[1]!;
    const options = { adm1: await second(deskAr['desk.filter.adm1']), device: await second(deskAr['desk.filter.device']) };
    log(
      `desk: first rows in ${firstList.map((ms) => ms.toFixed(0)).join(', ')} ms, all in ${wholeList.map((ms) => ms.toFixed(0)).join(', ')} ms`,
    );
    const changes = new Map<string, { ms: number[]; unmatched: number }>();
    for (const step of steps(options, dateFrom, letters)) {
      const start = (await call(page, 'timeChange', step.from)).result;
      const first = await call(page, 'timeChange', step.to);
      const end = first.result;
      const seen = changes.get(step.name) ?? { ms: [], unmatched: 0 };
      // The first change is one of the figures: it is what a coordinator meets first, and what a
      // change reads once (the order of receipt) it reads then. One that showed nothing new has no
      // time to give (the list was watched for a while and did not change).
      if (first.result !== start || rounds === 1) seen.ms.push(first.ms);
      for (let i = 1; i < rounds; i++) {
        await call(page, 'timeChange', step.from, start);
        const timed = await call(page, 'timeChange', step.to, end);
        seen.ms.push(timed.ms);
        if (!timed.matched) seen.unmatched++;
      }
      changes.set(step.name, seen);
      log(`desk: ${step.name} ${seen.ms.map((ms) => ms.toFixed(0)).join(', ')} ms`);
      await call(page, 'timeChange', step.clear);
    }
    const heapDesk = await heapUsed(page);
    const partnerCsv = await partnerCsvAtTheDesk(page);
    log(`desk: a partner's CSV from the click to the file in ${partnerCsv.ms.toFixed(0)} ms`);
    return {
      reports,
      ops: base.ops,
      seedMs: base.ms,
      joinMs,
      usableMs: usable.at - pullStarted,
      usableWith: usable.total,
      firstList,
      wholeList,
      changes: [...changes].map(([name, c]) => ({ name, ...c })),
      heapBefore,
      heapDesk,
      partnerCsv,
    };
  } finally {
    clearInterval(atTheDesk);
    await browser.close();
    await server.stop();
  }
}
