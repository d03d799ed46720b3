/**
 * Makes tests/e2e/fixtures/at-rest/: the first coordinator's desk, which made the deployment key and
 * root on its Devices screen, and a monitor's phone enrolled by link after them, as this version of
 * the app seals them at rest; each holds ops not yet sent, the phone a draft too, and the base they
 * enrolled with is kept beside them. The desk holds the pinned root and deployment key, its wrapped
 * deployment private key and the key file it passes on; the key file and the root file it was
 * offered are kept as text (key-file.json, root-file.json), their passphrases in fixture.ts. The
 * at-rest upgrade test rebuilds all of it and checks that a newer app opens it and loses nothing.
 *
 * Made once, from the commit named in made.json, and kept: running it again on a later version would
 * make a fixture of that version instead. It refuses to run when the app's sources differ from the
 * commit it would name. Needs a build of that commit (`npx vite build`) and Chromium.
 *
 *   npx tsx scripts/make-at-rest-fixture.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  makeDeploymentKeys,
  PHONE,
  saveDamageReport,
  syncNow,
} from '../tests/e2e/harness.ts';
import { dumpDatabases } from '../tests/e2e/idb-dump.ts';
import { startServer } from '../tests/e2e/server-process.ts';
import { AT_REST_FIXTURE } from '../tests/e2e/fixtures/at-rest/fixture.ts';

const ROOT = join(import.meta.dirname, '..');
const OUT = join(ROOT, 'tests', 'e2e', 'fixtures', 'at-rest');
/** The passcode both profiles are locked with, recorded in made.json. */
const PASSCODE = 'fig-terraces-2026';
/** What the build is made of: the commit named in made.json must be what was built. */
const APP_SOURCES = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json', 'package-lock.json'];

const reports = (p: Page, name: string) => p.getByRole('list', { name }).getByRole('listitem');

/** The text of a file the page offers by a link: what the coordinator would save. */
async function savedText(page: Page, link: ReturnType<Page['getByRole']>): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  return readFileSync(await download.path(), 'utf8');
}

async function main(): Promise<void> {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  if (git('status', '--porcelain', '--', ...APP_SOURCES) !== '') throw new Error('The app differs from HEAD: commit or set aside first.');
  const commit = git('rev-parse', 'HEAD');
  const { port, passphrase, rootPassphrase, sent, unsent, draft, deskCorrection } = AT_REST_FIXTURE;
  const server = await startServer({ port });
  const browser = await launchBrowser();
  try {
    const desk = await browser.newContext({ baseURL: server.baseUrl, ...LAPTOP, serviceWorkers: 'allow', acceptDownloads: true });
    autoUnlock(desk, PASSCODE);
    const coordinator = await desk.newPage();
    await enroll(coordinator, server.firstCoordinatorCode);
    await coordinator.getByLabel('اللغة').first().selectOption('en');
    const link = await makeDeploymentKeys(coordinator, passphrase, rootPassphrase);
    // Both files as the Devices screen offers them: the key file, kept on the desk too, and the root
    // file, offered once and kept nowhere on it.
    const section = coordinator.getByRole('region', { name: deskEn['deploymentKey.title'] });
    const keyFile = await savedText(coordinator, section.getByRole('link', { name: deskEn['deploymentKey.saveFile'] }));
    const rootFile = await savedText(coordinator, section.getByRole('link', { name: deskEn['deploymentKey.saveRootFile'] }));

    const phoneContext = await browser.newContext({ baseURL: server.baseUrl, ...PHONE, serviceWorkers: 'allow' });
    autoUnlock(phoneContext, PASSCODE);
    const phone = await phoneContext.newPage();
    await enrollByLink(phone, link);
    for (const r of sent) await saveDamageReport(phone, r);
    await syncNow(phone, 'ar');
    await reports(phone, 'التقارير').filter({ hasText: 'لم يُرسل' }).first().waitFor({ state: 'detached' });

    // The desk takes the reports in, opening them with the deployment key, then corrects one while
    // offline: an op it has not sent.
    await syncNow(coordinator, 'en');
    await desk.setOffline(true);
    await coordinator.goto('/');
    await reports(coordinator, 'Reports').filter({ hasText: sent[0].place }).getByRole('link').click();
    await coordinator.getByRole('article').filter({ hasText: sent[0].notes }).waitFor();
    await coordinator.getByRole('button', { name: 'Edit' }).click();
    await coordinator.getByLabel('Notes').fill(deskCorrection);
    await coordinator.getByRole('button', { name: 'Save' }).click();
    await coordinator.getByRole('article').filter({ hasText: deskCorrection }).waitFor();

    // The phone goes out of reach and records more, and begins one more report it leaves unsaved.
    await phoneContext.setOffline(true);
    for (const r of unsent) await saveDamageReport(phone, r);
    await phone.goto('/');
    await reports(phone, 'التقارير')
      .filter({ hasText: 'لم يُرسل' })
      .nth(unsent.length - 1)
      .waitFor();
    await phone.getByRole('button', { name: 'تقرير جديد' }).click();
    await phone.getByRole('radiogroup', { name: 'نوع التقرير' }).getByRole('radio', { name: 'أضرار' }).check();
    await phone.evaluate(() => addEventListener('input', () => performance.mark('typed')));
    await phone.getByLabel('اسم المكان', { exact: true }).fill(draft.place);
    await phone.getByLabel('ملاحظات').fill(draft.notes);
    // Kept once the app marks its draft writes as landed, after the last keystroke.
    await phone.waitForFunction(() => {
      const typed = performance.getEntriesByName('typed').at(-1)!.startTime;
      return performance.getEntriesByName('draft:settled').some((m) => m.startTime > typed);
    });

    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, 'phone.json'), JSON.stringify(await dumpDatabases(phone)));
    writeFileSync(join(OUT, 'desk.json'), JSON.stringify(await dumpDatabases(coordinator)));
    writeFileSync(join(OUT, 'key-file.json'), keyFile);
    writeFileSync(join(OUT, 'root-file.json'), rootFile);
    writeFileSync(join(OUT, 'base.sql'), execFileSync('sqlite3', [join(server.dataDir, SQLITE_FILE_NAME), '.dump'], { encoding: 'utf8' }));
    writeFileSync(join(OUT, 'made.json'), JSON.stringify({ commit, passcode: PASSCODE }, null, 2) + '\n');
    await Promise.all([phoneContext.close(), desk.close()]);
  } finally {
    await browser.close();
    await server.stop();
  }
}

await main();
