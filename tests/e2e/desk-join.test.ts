/**
 * A coordinator's new desk joining a base that holds more than one pull's worth of sealed reports
 * (the invented year, tests/bench/invented-base.ts): page after page, each next page is opened in a
 * worker while the page before it is taken in (src/app/sync/open-worker.ts), and at the end the desk
 * lists every report, none left waiting or refused.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { deskAr } from '../../src/app/i18n/desk.ar.ts';
import { ar } from '../../src/app/i18n/ar.ts';
import { normalizeDigits } from '../../src/domain/digits.ts';
import { MAX_BATCH } from '../../src/domain/op/sync.ts';
import { inventedBase } from '../bench/invented-base.ts';
import { enrollOnDemoBase, importDemoKeyFile, LAPTOP, launchBrowser, openDemoRootFile, syncNow, until } from './harness.ts';
import { startServer, type ServerProcess } from './server-process.ts';

/** Enough for several pulls of MAX_BATCH ops each: about one and a half ops a report. */
const REPORTS = 1_200;

let server: ServerProcess;
let browser: Browser;

beforeAll(async () => {
  const base = await inventedBase({ reports: REPORTS, seed: 5, now: Date.now() });
  expect(base.ops).toBeGreaterThan(3 * MAX_BATCH);
  server = await startServer({ dataDir: base.dataDir });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

test('a new desk opens each next page in a worker while it takes in the one before, and lists every report', async () => {
  const context = await browser.newContext({ ...LAPTOP, baseURL: server.baseUrl });
  const page = await context.newPage();
  const workers: string[] = [];
  page.on('worker', (w) => workers.push(w.url()));
  // The pull waits for the key file, so that its pages open as they come rather than from the
  // quarantine at the end (which a desk whose key file comes first never needs).
  await page.route('**/api/v1/sync', (route) => route.abort());
  await enrollOnDemoBase(page, server);
  await importDemoKeyFile(page, server);
  await page.unroute('**/api/v1/sync');
  await syncNow(page, 'ar');
  expect(workers.filter((url) => url.includes('open.worker'))).not.toHaveLength(0);

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
  await context.close();
});
