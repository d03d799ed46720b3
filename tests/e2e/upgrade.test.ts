/**
 * A phone and a desk kept from an earlier version of the app (scripts/make-upgrade-fixture.ts;
 * made.json names the commit), with the base they enrolled with, open in this version: every report
 * is there, the ones never sent still say so, and once synced the base holds all of them, sealed,
 * and the desk's offline correction too. Nothing is lost in the upgrade. Then the desk makes the
 * deployment's root, and the phone, enrolled long before, takes it from the desk's roster.
 */
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { SQLITE_FILE_NAME } from '../../src/server/store/open.ts';
import { UPGRADE_FIXTURE } from './fixtures/upgrade/fixture.ts';
import { LAPTOP, launchBrowser, PHONE, saveDamageReport, syncNow, waitForCount } from './harness.ts';
import { openKeptProfile, startKeptBase, SYNC } from './kept-profiles.ts';
import type { ServerProcess } from './server-process.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'upgrade');
const read = (name: string) => readFileSync(join(FIXTURE, name), 'utf8');
const made = JSON.parse(read('made.json')) as { commit: string; passcode: string };
const { port, sent, unsent, deskCorrection } = UPGRADE_FIXTURE;
let server: ServerProcess;
let browser: Browser;
beforeAll(async () => {
  server = await startKeptBase(FIXTURE, port);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const kept = (dump: string, device: typeof PHONE | typeof LAPTOP, opts: { offline?: boolean } = {}) =>
  openKeptProfile(browser, server, dump, device, made.passcode, opts);

const reports = (p: Page, name: string) => p.getByRole('list', { name }).getByRole('listitem');

test(`a phone and a desk kept from ${made.commit.slice(0, 7)} open, keep every report, sync what they had not sent, and take the deployment's root`, async () => {
  expect(server.baseUrl).toBe(`http://127.0.0.1:${port}`);
  const phone = await kept(read('phone.json'), PHONE, { offline: true });
  await waitForCount(reports(phone, 'التقارير'), sent.length + unsent.length);
  await waitForCount(reports(phone, 'التقارير').filter({ hasText: 'لم يُرسل' }), unsent.length);

  await phone.context().unroute(SYNC);
  await syncNow(phone, 'ar');
  await waitForCount(reports(phone, 'التقارير').filter({ hasText: 'لم يُرسل' }), 0);
  const desk = await kept(read('desk.json'), LAPTOP);
  await syncNow(desk, 'en');
  await desk.goto('/');
  await waitForCount(reports(desk, 'Reports'), sent.length + unsent.length);
  for (const r of unsent) await reports(desk, 'Reports').filter({ hasText: r.place }).waitFor();

  // The desk's correction, made offline before the upgrade, reached the phone through the base.
  await syncNow(phone, 'ar');
  await phone.goto('/');
  await reports(phone, 'التقارير').filter({ hasText: sent[0].place }).getByRole('link').click();
  await phone.getByRole('article').filter({ hasText: deskCorrection }).waitFor();

  const store = new Database(join(server.dataDir, SQLITE_FILE_NAME), { readonly: true, fileMustExist: true });
  try {
    const ops = store.prepare("select v, kind, body from ops where kind in ('create', 'edit') and status = 'ok'").all() as {
      v: number;
      kind: string;
      body: string;
    }[];
    expect(ops.filter((o) => o.kind === 'create')).toHaveLength(sent.length + unsent.length);
    expect(ops.filter((o) => o.kind === 'edit')).toHaveLength(1);
    const words: string[] = [...sent, ...unsent].flatMap((r) => [r.place, r.notes]);
    words.push(deskCorrection);
    for (const op of ops) {
      expect(op.v).toBe(2);
      for (const w of words) expect(op.body).not.toContain(w);
    }
  } finally {
    store.close();
  }

  // The deployment gets its root: the desk makes it; the phone, enrolled long before, takes it at its
  // next sync from the desk's roster, and its reports still reach the desk, judged by the root now.
  await desk.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
  const upgrade = desk.getByRole('form', { name: 'Make the deployment root' });
  await upgrade.getByLabel('Root file passphrase', { exact: true }).fill('a well dug below the old mill');
  await upgrade.getByLabel('Root file passphrase again').fill('a well dug below the old mill');
  await upgrade.getByRole('button', { name: 'Make the deployment root' }).click();
  const keys = desk.getByRole('region', { name: 'Deployment key' });
  await keys.getByRole('link', { name: 'Save the root file' }).waitFor();
  await keys.getByText('Fingerprint of the deployment root:').waitFor();
  await syncNow(desk, 'en');
  await syncNow(phone, 'ar');
  const pinnedRoot = () =>
    phone.evaluate(
      () =>
        new Promise<boolean>((resolve) => {
          const open = indexedDB.open('keyval-store');
          open.onsuccess = () => {
            const req = open.result.transaction('keyval').objectStore('keyval').getKey('deploymentRoot');
            req.onsuccess = () => resolve(req.result !== undefined);
          };
        }),
    );
  expect(await pinnedRoot()).toBe(true);
  await saveDamageReport(phone, { date: '2025-03-09', place: 'بعد الجذر', structures: '٢', notes: 'كُتب بعد ترقية النشر' });
  await syncNow(phone, 'ar');
  await syncNow(desk, 'en');
  await desk.goto('/');
  await reports(desk, 'Reports').filter({ hasText: 'بعد الجذر' }).waitFor();

  // The phone vouched for the two reports it sent before the root, which carry no outer signature;
  // the desk shows it and countersigns, so that a device pulling them afresh takes them in.
  await desk.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
  const vouching = desk.getByRole('region', { name: 'Changes from before the root' });
  const row = vouching.getByRole('listitem');
  await waitForCount(row, 1);
  await row.getByText('It vouches for 2 changes. 0 of them countersigned.').waitFor();
  await row.getByRole('button', { name: /^Countersign for / }).click();
  await vouching.getByRole('status').filter({ hasText: 'Countersigned.' }).waitFor();
  await row.getByText('It vouches for 2 changes. 2 of them countersigned.').waitFor();
  await waitForCount(row.getByRole('button'), 0);
  await Promise.all([phone.context().close(), desk.context().close()]);
});
