/**
 * The deployment key in Chromium: the first coordinator makes it on the Devices screen; enrollment
 * links then carry its fingerprint; a phone refuses a base that shows another key, and enrolls with
 * the real one, keeping its own private keys only as wrapped blobs.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { generateKeyPair } from '../../src/domain/crypto/keys.ts';
import { enroll, LAPTOP, launchBrowser, PHONE, autoUnlock, readAllStored, screenshot, appReady } from './harness.ts';
import { startServer, type ServerProcess } from './server-process.ts';

let browser: Browser;
let server: ServerProcess;

beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startServer()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

test('a phone refuses a base showing another deployment key than its link names, and enrolls against the real one', async () => {
  const desk = await browser.newContext({ baseURL: server.baseUrl, ...LAPTOP, serviceWorkers: 'allow' });
  const coordinator = await desk.newPage();
  await enroll(coordinator, server.firstCoordinatorCode);
  await coordinator.getByLabel('اللغة').first().selectOption('en');
  await coordinator.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
  const section = coordinator.getByRole('region', { name: 'Deployment key' });
  await section.getByLabel('Coordinator passphrase', { exact: true }).fill('seven olive trees by the spring');
  await section.getByLabel('Coordinator passphrase again').fill('seven olive trees by the spring');
  await section.getByRole('button', { name: 'Make the deployment key' }).click();
  const shown = (await section.getByTestId('deployment-fingerprint').textContent()) ?? '';
  expect(shown).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
  await expect.poll(() => section.getByRole('link', { name: 'Save the key file' }).count()).toBe(1);
  await screenshot(coordinator, 'deployment-key-en');

  await coordinator.getByRole('button', { name: 'Enroll a new monitor' }).click();
  const link = (await coordinator.getByTestId('enrollment-link').textContent()) ?? '';
  const fp = /[#&]fp=([A-Za-z0-9_-]{43})/.exec(link)?.[1];
  expect(fp).toBeTruthy();

  const phoneContext = await browser.newContext({ baseURL: server.baseUrl, ...PHONE, serviceWorkers: 'allow' });
  autoUnlock(phoneContext);
  const phone = await phoneContext.newPage();
  const impostor = (await generateKeyPair('p256-ecdh')).publicKey;
  await phone.route('**/api/v1/deployment-key', (route) => route.fulfill({ json: { key: impostor.text, fingerprint: impostor.fingerprint } }));
  const path = link.slice(link.indexOf('/enroll'));
  await phone.goto(path);
  await appReady(phone);
  await phone.getByRole('button', { name: 'سجّل هذا الجهاز' }).click();
  await phone.getByRole('alert').getByText(/أظهر المركز مفتاح نشر غير الذي يسمّيه هذا الرابط/).waitFor();
  await screenshot(phone, 'deployment-key-refused-ar');
  expect(await phone.evaluate(() => indexedDB.databases().then((d) => d.map((x) => x.name)))).toContain('keyval-store');
  expect(await readAllStored(phone)).not.toMatch(/keyval "?enrollment|"token"/);

  await phone.unrouteAll();
  await phone.goto(path);
  await appReady(phone);
  await phone.getByRole('button', { name: 'سجّل هذا الجهاز' }).click();
  await phone.getByRole('status').getByText(/سُجّل هذا الجهاز بصفة/).waitFor();
  const stored = await readAllStored(phone);
  expect(stored).not.toContain('[CryptoKey');
  // Its agreement and signing keys, X25519 and Ed25519 where the browser has them, P-256 where not.
  expect(stored).toMatch(/"kind":"(x25519|p256-ecdh)"/);
  expect(stored).toMatch(/"kind":"(ed25519|p256-ecdsa)"/);
  expect(stored).toMatch(new RegExp(`"fingerprint":"${fp}"`));
  await phoneContext.close();
  await desk.close();
});
