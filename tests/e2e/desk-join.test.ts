/**
 * A coordinator's new desk joining a base that holds more than one pull's worth of sealed reports
 * (the invented year, tests/bench/invented-base.ts): page after page, each next page is opened in a
 * worker while the page before it is taken in (src/app/sync/open-worker.ts), and at the end the desk
 * lists every report, none left waiting or refused; so it does when the worker cannot start.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { deskAr } from '../../src/app/i18n/desk.ar.ts';
import { ar } from '../../src/app/i18n/ar.ts';
import { screensAr } from '../../src/app/i18n/screens.ar.ts';
import { normalizeDigits } from '../../src/domain/digits.ts';
import { MAX_BATCH } from '../../src/domain/op/sync.ts';
import { inventedBase } from '../bench/invented-base.ts';
import { enrollOnDemoBase, importDemoKeyFile, LAPTOP, launchBrowser, openDemoRootFile, syncNow, until } from './harness.ts';
import { startServer, type ServerProcess } from './server-process.ts';

/** Enough for several pulls of MAX_BATCH ops each: about one and a half ops a report. */
const REPORTS = 1_200;

let browser: Browser;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  for (const server of servers) await server.stop();
});

/** A base of its own for each desk: the first coordinator's link enrolls one device. */
async function inventedServer(): Promise<ServerProcess> {
  const base = await inventedBase({ reports: REPORTS, seed: 5, now: Date.now() });
  expect(base.ops).toBeGreaterThan(3 * MAX_BATCH);
  const server = await startServer({ dataDir: base.dataDir });
  servers.push(server);
  return server;
}

/** Joins as a coordinator does, the pull held back until the key file is open, and counts what the desk lists in the end. */
async function join(page: Page, server: ServerProcess): Promise<void> {
  // The pull waits for the key file, so that its pages open as they come rather than from the
  // quarantine at the end (which a desk whose key file comes first never needs).
  await page.route('**/api/v1/sync', (route) => route.abort());
  await enrollOnDemoBase(page, server);
  await importDemoKeyFile(page, server);
  await page.unroute('**/api/v1/sync');
  // That sync pulled every page to the end: the bar tells it done, not failed.
  expect(await syncNow(page, 'ar')).toContain(screensAr['sync.last'].split('{')[0]!.trim());
}

async function listsEveryReport(page: Page, server: ServerProcess): Promise<void> {
  // The root file names the coordinators: what they wrote opens with it, and the desk holds everything.
  await openDemoRootFile(page, server, {});
  await syncNow(page, 'ar');
  await page.getByRole('navigation', { name: ar['nav.main'] }).getByRole('link', { name: deskAr['nav.desk'] }).click();
  const status = page.getByRole('main').getByRole('status').first();
  const total = async () => {
    const numbers = [...normalizeDigits((await status.textContent()) ?? '').matchAll(/\d+/g)].map((m) => Number(m[0]));
    return numbers.at(-1);
  };
  await until(page, total, (n) => expect(n).toBe(REPORTS));
}

test('a new desk opens each next page in a worker while it takes in the one before, and lists every report', async () => {
  const server = await inventedServer();
  const context = await browser.newContext({ ...LAPTOP, baseURL: server.baseUrl });
  const page = await context.newPage();
  const workers: string[] = [];
  page.on('worker', (w) => workers.push(w.url()));
  await join(page, server);
  expect(workers.filter((url) => url.includes('open.worker'))).not.toHaveLength(0);
  await listsEveryReport(page, server);
  await context.close();
});

test('a desk whose opening worker cannot start opens every page itself, and lists every report all the same', async () => {
  const server = await inventedServer();
  // Its script would come from the app's offline cache, out of the route's reach: that cache is kept out.
  const context = await browser.newContext({ ...LAPTOP, baseURL: server.baseUrl, serviceWorkers: 'block' });
  const page = await context.newPage();
  let refused = 0;
  await page.route('**/assets/open.worker-*.js', (route) => {
    refused += 1;
    return route.fulfill({ status: 404, body: '' });
  });
  await join(page, server);
  expect(refused).toBeGreaterThan(0);
  await listsEveryReport(page, server);
  await context.close();
});
