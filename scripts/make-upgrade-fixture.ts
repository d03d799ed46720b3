/**
 * Makes tests/e2e/fixtures/upgrade/: a monitor's phone and the first coordinator's desk as this
 * version of the app leaves them, each with ops not yet sent, and the base they enrolled with. The
 * upgrade test rebuilds all three and checks that a newer app opens them and loses nothing.
 *
 * Made once, from the commit named in meta.json, and kept: running it again on a later version
 * would make a fixture of that version instead. Needs a build (`npx vite build`) and Chromium.
 *
 *   npx tsx scripts/make-upgrade-fixture.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { deskEn } from '../src/app/i18n/desk.en.ts';
import { SQLITE_FILE_NAME } from '../src/server/store/open.ts';
import {
  autoUnlock,
  enroll,
  enrollByLink,
  LAPTOP,
  launchBrowser,
  PHONE,
  saveDamageReport,
  syncNow,
  TEST_PASSCODE,
} from '../tests/e2e/harness.ts';
import { dumpDatabases } from '../tests/e2e/idb-dump.ts';
import { startServer } from '../tests/e2e/server-process.ts';
import { UPGRADE_FIXTURE } from '../tests/e2e/fixtures/upgrade/fixture.ts';

const OUT = join(import.meta.dirname, '..', 'tests', 'e2e', 'fixtures', 'upgrade');

const reports = (p: Page, name: string) => p.getByRole('list', { name }).getByRole('listitem');

async function main(): Promise<void> {
  const { port, passphrase, sent, unsent, deskCorrection } = UPGRADE_FIXTURE;
  const server = await startServer({ port });
  const browser = await launchBrowser();
  try {
    const desk = await browser.newContext({ baseURL: server.baseUrl, ...LAPTOP, serviceWorkers: 'allow' });
    const coordinator = await desk.newPage();
    await enroll(coordinator, server.firstCoordinatorCode);
    await coordinator.getByLabel('اللغة').first().selectOption('en');
    await coordinator.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
    const section = coordinator.getByRole('region', { name: deskEn['deploymentKey.title'] });
    await section.getByLabel(deskEn['deploymentKey.passphrase'], { exact: true }).fill(passphrase);
    await section.getByLabel(deskEn['deploymentKey.confirm']).fill(passphrase);
    await section.getByRole('button', { name: deskEn['deploymentKey.make'] }).click();
    await section.getByRole('status').getByText(deskEn['deploymentKey.held']).waitFor();
    await coordinator.getByRole('button', { name: 'Enroll a new monitor' }).click();
    const link = (await coordinator.getByTestId('enrollment-link').textContent()) ?? '';

    const phoneContext = await browser.newContext({ baseURL: server.baseUrl, ...PHONE, serviceWorkers: 'allow' });
    autoUnlock(phoneContext);
    const phone = await phoneContext.newPage();
    await enrollByLink(phone, link);
    for (const r of sent) await saveDamageReport(phone, r);
    await syncNow(phone, 'ar');
    await reports(phone, 'التقارير').filter({ hasText: 'لم يُرسل' }).first().waitFor({ state: 'detached' });

    // The desk takes the reports in, then corrects one while offline: an op it has not sent.
    await syncNow(coordinator, 'en');
    await desk.setOffline(true);
    await coordinator.goto('/');
    await reports(coordinator, 'Reports').filter({ hasText: sent[0].place }).getByRole('link').click();
    await coordinator.getByRole('button', { name: 'Edit' }).click();
    await coordinator.getByLabel('Notes').fill(deskCorrection);
    await coordinator.getByRole('button', { name: 'Save' }).click();
    await coordinator.getByRole('article').filter({ hasText: deskCorrection }).waitFor();

    // The phone goes out of reach and records more.
    await phoneContext.setOffline(true);
    for (const r of unsent) await saveDamageReport(phone, r);
    await phone.goto('/');
    await reports(phone, 'التقارير')
      .filter({ hasText: 'لم يُرسل' })
      .nth(unsent.length - 1)
      .waitFor();

    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, 'phone.json'), JSON.stringify(await dumpDatabases(phone)));
    writeFileSync(join(OUT, 'desk.json'), JSON.stringify(await dumpDatabases(coordinator)));
    writeFileSync(join(OUT, 'base.sql'), execFileSync('sqlite3', [join(server.dataDir, SQLITE_FILE_NAME), '.dump'], { encoding: 'utf8' }));
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    writeFileSync(join(OUT, 'made.json'), JSON.stringify({ commit, passcode: TEST_PASSCODE }, null, 2) + '\n');
    await Promise.all([phoneContext.close(), desk.close()]);
  } finally {
    await browser.close();
    await server.stop();
  }
}

await main();
