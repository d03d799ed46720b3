/**
 * The deployment key in Chromium: the first coordinator makes it on the Devices screen; enrollment
 * links then carry its fingerprint; a phone refuses a base that shows another key, and enrolls with
 * the real one, keeping its own private keys only as wrapped blobs. A second coordinator imports the
 * key file the first saved, with the coordinator passphrase, and its desk then holds the key.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { deskAr } from '../../src/app/i18n/desk.ar.ts';
import { deskEn } from '../../src/app/i18n/desk.en.ts';
import { WORDS_AR } from '../../src/app/keys/word-lists/words.ar.ts';
import { deploymentKeyFileSchema, openKeyFile } from '../../src/domain/crypto/key-file.ts';
import { generateKeyPair } from '../../src/domain/crypto/keys.ts';
import {
  enroll,
  enrollByLink,
  LAPTOP,
  ownBrowserAndServer,
  PHONE,
  autoUnlock,
  passcodeField,
  readAllStored,
  sessionHistory,
  screenshot,
  syncNow,
  appReady,
  waitForCount,
} from './harness.ts';
import { startServer } from './server-process.ts';

const own = ownBrowserAndServer();

test('a phone refuses a base showing another deployment key than its link names, and enrolls against the real one', async () => {
  const desk = await own.browser.newContext({ baseURL: own.server.baseUrl, ...LAPTOP, serviceWorkers: 'allow' });
  const coordinator = await desk.newPage();
  await enroll(coordinator, own.server.firstCoordinatorCode);
  await coordinator.getByLabel('اللغة').first().selectOption('en');
  await coordinator.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
  // Keys before monitors: until the deployment has its root, no monitor can be enrolled, and the screen says where to go.
  await coordinator.getByRole('link', { name: /Make the deployment keys first/ }).waitFor();
  expect(await coordinator.getByRole('button', { name: 'Enroll a new monitor' }).isDisabled()).toBe(true);
  const section = coordinator.getByRole('region', { name: 'Deployment key' });
  await section.getByLabel('Coordinator passphrase', { exact: true }).fill('seven olive trees by the spring');
  await section.getByLabel('Coordinator passphrase again').fill('seven olive trees by the spring');
  // The root file's passphrase is its own: the coordinators' one is refused for it.
  await section.getByLabel('Root file passphrase', { exact: true }).fill('seven olive trees by the spring');
  await section.getByLabel('Root file passphrase again').fill('seven olive trees by the spring');
  await section.getByRole('button', { name: 'Make the deployment key' }).click();
  await section.getByRole('alert').getByText('The root file needs a passphrase of its own, not the coordinators’ one.').waitFor();
  await section.getByLabel('Root file passphrase', { exact: true }).fill('a well dug below the old mill');
  await section.getByLabel('Root file passphrase again').fill('a well dug below the old mill');
  await section.getByRole('button', { name: 'Make the deployment key' }).click();
  await section.getByText('Fingerprint of the deployment root:').waitFor();
  const shown = (await section.getByTestId('deployment-fingerprint').textContent()) ?? '';
  expect(shown).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
  await waitForCount(section.getByRole('link', { name: 'Save the key file' }), 1);
  // The root file is offered once, to keep offline; nothing of it stays on the desk.
  await waitForCount(section.getByRole('link', { name: 'Save the root file' }), 1);
  expect(await readAllStored(coordinator)).not.toContain('rasid-root-key');
  await screenshot(coordinator, 'deployment-key-en');

  expect(await coordinator.getByRole('link', { name: /Make the deployment keys first/ }).count()).toBe(0);
  // A code works for an hour unless the coordinator chooses otherwise; this one, for a visit.
  const lifetime = coordinator.getByLabel('A new code works for');
  expect(await lifetime.inputValue()).toBe('60');
  await lifetime.selectOption({ label: '15 minutes' });
  const made = coordinator.waitForResponse('**/api/v1/enrollment-codes');
  await coordinator.getByRole('button', { name: 'Enroll a new monitor' }).click();
  const { expiresAt } = (await (await made).json()) as { expiresAt: number };
  expect(expiresAt - Date.now()).toBeGreaterThan(14 * 60_000);
  expect(expiresAt - Date.now()).toBeLessThanOrEqual(15 * 60_000);
  const link = (await coordinator.getByTestId('enrollment-link').textContent()) ?? '';
  const fp = /[#&]fp=([A-Za-z0-9_-]{43})/.exec(link)?.[1];
  expect(fp).toBeTruthy();
  const path = link.slice(link.indexOf('/enroll'));

  // The code and fingerprint leave the address as the link opens, while the first start still
  // explains and asks for a passcode: an enrollment never finished leaves neither in the browser's history.
  const glance = await own.browser.newContext({ baseURL: own.server.baseUrl, ...PHONE });
  const locked = await glance.newPage();
  await locked.goto(path);
  await locked.getByRole('button', { name: 'تخطي' }).click();
  await passcodeField(locked).waitFor();
  expect(locked.url()).toBe(`${own.server.baseUrl}/enroll`);
  expect((await sessionHistory(locked)).join('\n')).not.toMatch(/code=|fp=/);
  await glance.close();

  const phoneContext = await own.browser.newContext({ baseURL: own.server.baseUrl, ...PHONE, serviceWorkers: 'allow' });
  autoUnlock(phoneContext);
  const phone = await phoneContext.newPage();
  const impostor = (await generateKeyPair('p256-ecdh')).publicKey;
  await phone.route('**/api/v1/deployment-key', (route) =>
    route.fulfill({ json: { key: impostor.text, fingerprint: impostor.fingerprint } }),
  );
  await phone.goto(path);
  await appReady(phone);
  await phone.getByRole('button', { name: 'سجّل هذا الجهاز' }).click();
  await phone
    .getByRole('alert')
    .getByText(/أظهر المركز مفتاح نشر غير الذي يسمّيه هذا الرابط/)
    .waitFor();
  await screenshot(phone, 'deployment-key-refused-ar');
  expect(await phone.evaluate(() => indexedDB.databases().then((d) => d.map((x) => x.name)))).toContain('keyval-store');
  expect(await readAllStored(phone)).not.toMatch(/keyval "?enrollment|"token"/);

  await phone.unrouteAll();
  await enrollByLink(phone, link);
  // Enrolled with what was read before the lock: nothing of the link is left in the session history.
  expect(phone.url()).toBe(`${own.server.baseUrl}/enroll`);
  expect((await sessionHistory(phone)).join('\n')).not.toMatch(/code=|fp=/);
  const stored = await readAllStored(phone);
  expect(stored).not.toContain('[CryptoKey');
  // Its agreement and signing keys, X25519 and Ed25519 where the browser has them, P-256 where not.
  expect(stored).toMatch(/"kind":"(x25519|p256-ecdh)"/);
  expect(stored).toMatch(/"kind":"(ed25519|p256-ecdsa)"/);
  // Its pins are sealed like its reports: a copied profile does not say which deployment it trusts.
  expect(stored).not.toMatch(new RegExp(`"fingerprint":"${fp}"`));
  expect(stored).not.toContain(fp);

  // Trust follows from the root: the phone's sealed report reaches the desk, which the root named coordinator.
  await phone.goto('/');
  await phone.getByRole('button', { name: 'تقرير جديد' }).click();
  await phone.getByRole('radiogroup', { name: 'نوع التقرير' }).getByRole('radio', { name: 'أضرار' }).check();
  await phone.getByLabel('تاريخ الحدث').fill('2025-03-06');
  await phone.getByLabel('اسم المكان', { exact: true }).fill('حي الجذر');
  await phone.getByRole('button', { name: 'حفظ' }).click();
  await syncNow(phone, 'ar');
  await syncNow(coordinator, 'en');
  await coordinator.goto('/');
  await coordinator.getByRole('list', { name: 'Reports' }).getByRole('listitem').filter({ hasText: 'حي الجذر' }).waitFor();
  await phoneContext.close();
  await desk.close();
});

test('a second coordinator imports the key file the first saved, in Arabic, and its desk then holds the key', async () => {
  // A base of its own: the shared one's deployment key is made by the test above.
  const base = await startServer();
  const passphrase = 'seven olive trees by the spring';
  try {
    const firstDesk = await own.browser.newContext({ baseURL: base.baseUrl, ...LAPTOP, serviceWorkers: 'allow', acceptDownloads: true });
    autoUnlock(firstDesk);
    const first = await firstDesk.newPage();
    await enroll(first, base.firstCoordinatorCode);
    await first.getByLabel('اللغة').first().selectOption('en');
    await first.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
    const made = first.getByRole('region', { name: deskEn['deploymentKey.title'] });
    await made.getByLabel(deskEn['deploymentKey.passphrase'], { exact: true }).fill(passphrase);
    await made.getByLabel(deskEn['deploymentKey.confirm']).fill(passphrase);
    await made.getByLabel(deskEn['deploymentKey.rootPassphrase'], { exact: true }).fill('a well dug below the old mill');
    await made.getByLabel(deskEn['deploymentKey.rootConfirm']).fill('a well dug below the old mill');
    await made.getByRole('button', { name: deskEn['deploymentKey.make'] }).click();
    // The maker's desk holds the key at once, without the passphrase being typed again.
    await made.getByRole('status').getByText(deskEn['deploymentKey.held']).waitFor();
    expect(await readAllStored(first)).not.toContain('[CryptoKey');
    const fingerprint = (await made.getByTestId('deployment-fingerprint').textContent()) ?? '';
    const [download] = await Promise.all([
      first.waitForEvent('download'),
      made.getByRole('link', { name: deskEn['deploymentKey.saveFile'] }).click(),
    ]);
    const keyFile = await download.path();

    await first.getByRole('button', { name: 'Enroll a new coordinator' }).click();
    const link = (await first.getByTestId('enrollment-link').textContent()) ?? '';
    const secondDesk = await own.browser.newContext({ baseURL: base.baseUrl, ...LAPTOP, serviceWorkers: 'allow' });
    autoUnlock(secondDesk);
    const second = await secondDesk.newPage();
    await enrollByLink(second, link);
    await second.getByRole('navigation', { name: 'القائمة الرئيسية' }).getByRole('link', { name: 'الأجهزة' }).click();
    expect(await second.locator('html').getAttribute('dir')).toBe('rtl');

    const section = second.getByRole('region', { name: deskAr['deploymentKey.title'] });
    await section.getByTestId('deployment-fingerprint').filter({ hasText: fingerprint }).waitFor();
    const form = section.getByRole('form', { name: deskAr['deploymentKey.import.title'] });
    await form.getByLabel(deskAr['deploymentKey.import.file']).setInputFiles(keyFile);
    const passphraseField = form.getByLabel(deskAr['deploymentKey.passphrase'], { exact: true });
    expect(await passphraseField.getAttribute('type')).toBe('password');
    await passphraseField.fill('seven olive trees by the river');
    await form.getByRole('button', { name: deskAr['deploymentKey.import.button'] }).click();
    await form.getByRole('alert').getByText(deskAr['deploymentKey.err.wrongPassphrase']).waitFor();
    await screenshot(second, 'deployment-key-import-wrong-ar');

    await passphraseField.fill(passphrase);
    await form.getByRole('button', { name: deskAr['deploymentKey.import.button'] }).click();
    await section.getByRole('status').getByText(deskAr['deploymentKey.imported']).waitFor();
    expect(await form.count()).toBe(0);
    // The file is kept too, so this coordinator can pass it on in turn.
    await waitForCount(section.getByRole('link', { name: deskAr['deploymentKey.saveFile'] }), 1);
    await screenshot(second, 'deployment-key-imported-ar');
    expect(await readAllStored(second)).not.toContain('[CryptoKey');

    // The first desk names the second coordinator with the root file it saved, which it did not keep.
    const [rootDownload] = await Promise.all([
      first.waitForEvent('download'),
      made.getByRole('link', { name: deskEn['deploymentKey.saveRootFile'] }).click(),
    ]);
    const rootFile = await rootDownload.path();
    await first.reload();
    await first.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
    const signing = first.getByRole('form', { name: deskEn['rootFile.title'] });
    await signing.getByLabel(deskEn['rootFile.file'], { exact: true }).setInputFiles(rootFile);
    await signing.getByLabel(deskEn['deploymentKey.rootPassphrase']).fill(passphrase);
    await signing.getByRole('button', { name: deskEn['rootFile.button'] }).click();
    await signing.getByRole('alert').getByText(deskEn['rootFile.err.wrongPassphrase']).waitFor();
    await signing.getByLabel(deskEn['deploymentKey.rootPassphrase']).fill('a well dug below the old mill');
    await signing.getByRole('button', { name: deskEn['rootFile.button'] }).click();
    await signing
      .getByRole('status')
      .getByText(/the root names 2 coordinators/)
      .waitFor();

    // After the app starts again, the key is unwrapped under the data key: no passphrase asked.
    await second.reload();
    await appReady(second);
    await second.getByRole('navigation', { name: 'القائمة الرئيسية' }).getByRole('link', { name: 'الأجهزة' }).click();
    await section.getByRole('status').getByText(deskAr['deploymentKey.held']).waitFor();
    expect(await section.getByRole('form', { name: deskAr['deploymentKey.import.title'] }).count()).toBe(0);

    // The first desk rotates the deployment key with the root file, under a new passphrase, and
    // offers the new key file; the second desk, holding only the old key, is asked for it.
    const rotate = first.getByRole('form', { name: deskEn['rotateKey.title'] });
    await rotate.getByLabel(deskEn['rootFile.file'], { exact: true }).setInputFiles(rootFile);
    await rotate.getByLabel(deskEn['deploymentKey.rootPassphrase']).fill('a well dug below the old mill');
    await rotate.getByLabel(deskEn['rotateKey.passphrase'], { exact: true }).fill('nine almond trees past the well');
    await rotate.getByLabel(deskEn['rotateKey.confirm']).fill('nine almond trees past the well');
    await rotate.getByRole('button', { name: deskEn['rotateKey.button'] }).click();
    await rotate.getByRole('status').getByText(deskEn['rotateKey.done']).waitFor();
    const [rotatedDownload] = await Promise.all([
      first.waitForEvent('download'),
      made.getByRole('link', { name: deskEn['deploymentKey.saveFile'] }).click(),
    ]);
    const rotatedFile = await rotatedDownload.path();
    const fingerprintOf = (path: string) => (JSON.parse(readFileSync(path, 'utf8')) as { fingerprint: string }).fingerprint;
    expect(fingerprintOf(rotatedFile)).not.toBe(fingerprintOf(keyFile));

    await syncNow(second, 'ar');
    await second.reload();
    await appReady(second);
    await second.getByRole('navigation', { name: 'القائمة الرئيسية' }).getByRole('link', { name: 'الأجهزة' }).click();
    const again = section.getByRole('form', { name: deskAr['deploymentKey.import.title'] });
    await again.getByLabel(deskAr['deploymentKey.import.file']).setInputFiles(rotatedFile);
    await again.getByLabel(deskAr['deploymentKey.passphrase'], { exact: true }).fill('nine almond trees past the well');
    await again.getByRole('button', { name: deskAr['deploymentKey.import.button'] }).click();
    await section.getByRole('status').getByText(deskAr['deploymentKey.imported']).waitFor();
    await Promise.all([firstDesk.close(), secondDesk.close()]);
  } finally {
    await base.stop();
  }
});

test('in Arabic, the first coordinator is told why the passphrase matters, four words are refused, and a suggested one of six makes the key file', async () => {
  const base = await startServer();
  try {
    const context = await own.browser.newContext({ baseURL: base.baseUrl, ...LAPTOP, serviceWorkers: 'allow', acceptDownloads: true });
    autoUnlock(context);
    const page = await context.newPage();
    const scripts: Promise<string>[] = [];
    page.on('response', (r) => void (r.url().endsWith('.js') && scripts.push(r.text().catch(() => ''))));
    // The Arabic list's three longest words, in whatever form the build writes the list: found together only in its chunk.
    const markers = [...WORDS_AR].sort((a, b) => b.length - a.length).slice(0, 3);
    const listLoaded = async () => (await Promise.all(scripts)).some((text) => markers.every((w) => text.includes(w)));

    await enroll(page, base.firstCoordinatorCode);
    await page.getByRole('navigation', { name: 'القائمة الرئيسية' }).getByRole('link', { name: 'الأجهزة' }).click();
    const section = page.getByRole('region', { name: deskAr['deploymentKey.title'] });
    await waitForCount(section.getByText(deskAr['passphrase.why']), 2);
    const field = section.getByLabel(deskAr['deploymentKey.passphrase'], { exact: true });
    expect(await field.getAttribute('aria-describedby')).toBeTruthy();
    expect(await listLoaded()).toBe(false);

    // Four words for the key file: refused, in Arabic, and no key is made.
    const four = 'زيتون نافذة جسر قمح';
    await field.fill(four);
    await section.getByLabel(deskAr['deploymentKey.confirm']).fill(four);
    const suggest = section.getByRole('button', { name: deskAr['passphrase.suggest'] });
    const shown = section.getByRole('status').filter({ hasText: deskAr['passphrase.suggested'] });
    await suggest.nth(1).click();
    // The root's passphrase is suggested once the word list has loaded: until then it is empty, and
    // Make would be refused for that instead.
    await waitForCount(shown, 1);
    await section.getByRole('button', { name: deskAr['deploymentKey.make'] }).click();
    await section.getByRole('alert').getByText(deskAr['deploymentKey.err.fewWords']).waitFor();
    expect(await section.getByTestId('deployment-fingerprint').count()).toBe(0);

    // The suggestion: six different words of the Arabic list, filled into both fields and shown to copy.
    await suggest.nth(0).click();
    await waitForCount(shown, 2);
    const suggested = ((await shown.nth(0).textContent()) ?? '').replace(deskAr['passphrase.suggested'], '').trim();
    const words = suggested.split(' ');
    expect(new Set(words).size).toBe(6);
    for (const w of words) expect(WORDS_AR).toContain(w);
    expect(await field.inputValue()).toBe(suggested);
    expect(await section.getByLabel(deskAr['deploymentKey.confirm']).inputValue()).toBe(suggested);
    expect(await listLoaded()).toBe(true);
    await screenshot(page, 'deployment-key-suggested-ar');

    await section.getByRole('button', { name: deskAr['deploymentKey.make'] }).click();
    await section.getByRole('status').getByText(deskAr['deploymentKey.held']).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      section.getByRole('link', { name: deskAr['deploymentKey.saveFile'] }).click(),
    ]);
    const file = deploymentKeyFileSchema.parse(JSON.parse(readFileSync(await download.path(), 'utf8')));
    expect(await openKeyFile(file, suggested)).toMatchObject({ ok: true });
    // Kept on the desk to pass on, but sealed: the profile holds no copy to guess the passphrase against.
    expect(await readAllStored(page)).not.toContain(file.wrapped.ct);
    await context.close();
  } finally {
    await base.stop();
  }
});
