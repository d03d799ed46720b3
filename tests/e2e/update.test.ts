/**
 * A new version of the app, as a deployment ships it: the server's service worker script changes.
 * The running app offers "Reload to update" and keeps working on the old version until the monitor
 * chooses, so nothing half-typed is lost to an update.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, newPhoneContext, waitForValue } from './harness.ts';
import { startServer, type ServerProcess } from './server-process.ts';

// A copy of the built app with a server of its own: the other test files run beside this one, and
// their servers must not ship them the next release.
let dist: string;
let server: ServerProcess;
let browser: Browser;
let original: string;
const sw = () => path.join(dist, 'sw.js');

beforeAll(async () => {
  dist = await mkdtemp(path.join(tmpdir(), 'rasid-update-dist-'));
  await cp(process.env.RASID_DIST ?? 'dist', dist, { recursive: true });
  [browser, server] = await Promise.all([launchBrowser(), startServer({ env: { RASID_DIST: dist } })]);
  original = await readFile(sw(), 'utf8');
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await rm(dist, { recursive: true, force: true });
});

test('a new version is offered with "Reload to update", never forced mid-form', async () => {
  const context = await newPhoneContext(browser, { locale: 'en', baseURL: server.baseUrl });
  const page = await context.newPage();
  await page.goto('/');
  await page.waitForFunction(() => navigator.serviceWorker?.controller !== null);
  const firstWorker = await page.evaluate(() => navigator.serviceWorker.controller!.scriptURL);

  await page.getByRole('button', { name: 'تقرير جديد' }).click();
  await page.getByRole('radio', { name: 'أضرار' }).check();
  await page.getByLabel('اسم المكان', { exact: true }).fill('قرية المزيرعة');

  await writeFile(sw(), `${original}\n// next release\n`);
  await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.update()));
  const offer = page.getByRole('status').filter({ hasText: 'نسخة جديدة من التطبيق جاهزة' });
  await offer.waitFor();
  // Not forced: the form is still there with what was typed.
  expect(await page.getByLabel('اسم المكان', { exact: true }).inputValue()).toBe('قرية المزيرعة');

  // The last words typed, and the tap on reload at once: the reload waits for them to be kept.
  await page.getByLabel('ملاحظات').fill('احترق المخزن والبيت المجاور.');
  // Waiting for the reload starts with the click: the new version may take over before a later wait begins.
  await Promise.all([page.waitForEvent('load'), offer.getByRole('button', { name: 'أعد التحميل للتحديث' }).click()]);
  await page.waitForFunction(() => navigator.serviceWorker?.controller !== null);
  const state = await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.getRegistration();
    return { waiting: reg?.waiting !== null, active: reg?.active?.state };
  });
  expect(state).toEqual({ waiting: false, active: 'activated' });
  expect(await page.evaluate(() => navigator.serviceWorker.controller!.scriptURL)).toBe(firstWorker);
  // The reload opens the form the monitor was on, with what was typed before choosing to update.
  await waitForValue(page.getByLabel('اسم المكان', { exact: true }), 'قرية المزيرعة');
  await waitForValue(page.getByLabel('ملاحظات'), 'احترق المخزن والبيت المجاور.');
  expect(await page.getByRole('radio', { name: 'أضرار' }).isChecked()).toBe(true);
  await context.close();
});
