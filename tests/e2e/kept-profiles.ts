/**
 * A base and browser profiles kept by a fixture script (scripts/make-*-fixture.ts), rebuilt for a
 * test of this version: the base from its SQLite dump, each profile from its IndexedDB dump.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SQLITE_FILE_NAME } from '../../src/server/store/open.ts';
import { autoUnlock, type LAPTOP, type PHONE } from './harness.ts';
import { restoreDatabases, type DumpedDatabase } from './idb-dump.ts';
import { startServer, type ServerProcess } from './server-process.ts';

export const SYNC = '**/api/v1/sync';

/** The base from `base.sql` in `folder`, on the port its profiles enrolled with (each keeps its base's origin). */
export async function startKeptBase(folder: string, port: number): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rasid-kept-'));
  const store = new Database(join(dataDir, SQLITE_FILE_NAME));
  store.exec(readFileSync(join(folder, 'base.sql'), 'utf8'));
  store.close();
  return startServer({ port, dataDir });
}

/** A browser profile rebuilt from a kept dump, unlocked with the passcode it was kept under. */
export async function openKeptProfile(
  browser: Browser,
  server: ServerProcess,
  dump: string,
  device: typeof PHONE | typeof LAPTOP,
  passcode: string,
  opts: { offline?: boolean } = {},
): Promise<Page> {
  const context = await browser.newContext({ baseURL: server.baseUrl, ...device, serviceWorkers: 'allow', acceptDownloads: true });
  // The app syncs as soon as it opens: a phone that must first show what it has not sent gets no
  // answer from the base until the test lets it through.
  if (opts.offline) await context.route(SYNC, (route) => route.abort('internetdisconnected'));
  const page = await context.newPage();
  // A page of the origin that is not the app, so nothing opens the databases before they are back.
  await page.goto('/api/v1/health');
  await restoreDatabases(page, JSON.parse(dump) as DumpedDatabase[]);
  autoUnlock(context, passcode);
  await page.goto('/');
  return page;
}
