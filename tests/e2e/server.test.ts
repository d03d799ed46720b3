/**
 * Smoke test of the real server in a phone-sized Chromium: the app page arrives in Arabic, right
 * to left, and the API answers in JSON from the page's own origin.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchBrowser, newPhoneContext, screenshot } from './harness.ts';

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

test('the app page loads in Arabic, right to left, on a phone', async () => {
  const context = await newPhoneContext(browser);
  const page = await context.newPage();
  const response = await page.goto('/');
  expect(response?.status()).toBe(200);
  const html = page.locator('html');
  expect(await html.getAttribute('lang')).toBe('ar');
  expect(await html.getAttribute('dir')).toBe('rtl');
  await screenshot(page, 'server-home');
  await context.close();
});

test('a deep link to a report opens the app page', async () => {
  const context = await newPhoneContext(browser);
  const page = await context.newPage();
  const response = await page.goto('/reports/0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b');
  expect(response?.status()).toBe(200);
  expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
  await context.close();
});

test('an unknown API path answers 404 JSON to the page', async () => {
  const context = await newPhoneContext(browser);
  const page = await context.newPage();
  await page.goto('/');
  const answer = await page.evaluate(async () => {
    const res = await fetch('/api/nope');
    return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
  });
  expect(answer.status).toBe(404);
  expect(answer.type).toMatch(/^application\/json/);
  expect(answer.body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  await context.close();
});
