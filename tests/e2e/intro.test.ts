/**
 * First start, as a monitor meets it on a phone in Arabic: the introduction before any passcode
 * (what the app keeps and where, how to lock and wipe, and the install when the browser offers it),
 * skippable, never shown again at a later start, and shown again from Settings.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CHROMIUM_ARGS, chromiumPath, launchBrowser } from '../chromium.ts';
import { baseUrl, languageStored, newPhoneContext, passcodeField, PHONE, screenshot, unlock } from './harness.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name, exact: true });
const focusedText = (page: Page) => page.evaluate(() => document.activeElement?.textContent ?? '');

/**
 * A phone's browser with a profile on disk: Chromium offers no install in a private profile, which
 * is what every other test's context is. The engagement Chromium waits for before offering (a tap
 * and half a minute on the site) is skipped; the rest of its checks (manifest, icons, service
 * worker) are the browser's own.
 */
async function installablePhone(): Promise<{ context: BrowserContext; done: () => Promise<void> }> {
  const profile = await mkdtemp(path.join(tmpdir(), 'rasid-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    args: [...CHROMIUM_ARGS, '--bypass-app-banner-engagement-checks'],
    baseURL: baseUrl(),
    ...PHONE,
    serviceWorkers: 'allow',
  });
  return {
    context,
    done: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

test('first start explains before the passcode, offers the install, and comes back only from Settings', async () => {
  const { context, done } = await installablePhone();
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto('/');
    await heading(page, 'ما يحفظه راصد وأين').waitFor();
    // The browser's offer arrives once its checks are done: a third step then joins the two.
    await page.getByText('الخطوة ١ من ٣', { exact: true }).waitFor();
    expect(await passcodeField(page).count()).toBe(0);
    await screenshot(page, 'intro-keeps-ar');

    await page.getByRole('button', { name: 'التالي' }).click();
    await heading(page, 'القفل والمسح').waitFor();
    // The new step's title takes the focus, so a screen reader says where the monitor is.
    expect(await focusedText(page)).toBe('القفل والمسح');
    // The buttons named as the header names them.
    await page.getByText('زر «قفل» في أعلى كل شاشة', { exact: false }).waitFor();
    await page.getByText('زر «امسح بيانات الهاتف» بجانبه', { exact: false }).waitFor();
    await screenshot(page, 'intro-lock-ar');

    await page.getByRole('button', { name: 'التالي' }).click();
    await heading(page, 'أضف راصد إلى الشاشة الرئيسية').waitFor();
    // The plain name, chosen before the home screen keeps one.
    await page.getByRole('checkbox', { name: 'اعرض هذا التطبيق باسم «ملاحظات» وبأيقونة عادية' }).check();
    await heading(page, 'أضف ملاحظات إلى الشاشة الرئيسية').waitFor();
    await page.waitForFunction(
      () =>
        document.title === 'ملاحظات' &&
        document.querySelector('link[rel="manifest"]')?.getAttribute('href') === '/manifest-neutral.webmanifest',
    );
    await screenshot(page, 'intro-install-ar');
    await page.getByRole('button', { name: 'أضف إلى الشاشة الرئيسية' }).click();
    // Whatever the browser's dialog was answered, the monitor is told.
    const answer = page
      .getByRole('status')
      .filter({ hasText: /^(أُضيف إلى الشاشة الرئيسية\.|لم يُضف\. قد يعرضه المتصفح مرة أخرى لاحقًا\.)$/ });
    await answer.waitFor();

    await page.getByRole('button', { name: 'اختر رمز القفل' }).click();
    await passcodeField(page).waitFor();
    await unlock(page);
    await page.getByRole('banner').getByRole('link', { name: 'ملاحظات' }).waitFor();

    // From Settings, the same steps again; skipped, back to Settings.
    await page.getByRole('link', { name: 'الإعدادات' }).click();
    await page.getByRole('link', { name: 'اعرض التعريف مرة أخرى' }).click();
    await heading(page, 'ما يحفظه ملاحظات وأين').waitFor();
    await page.getByRole('button', { name: 'تخطي' }).click();
    await heading(page, 'الإعدادات').waitFor();

    // A later start asks for the passcode at once.
    await page.reload();
    await page.getByRole('button', { name: 'افتح' }).waitFor();
    expect(await page.getByRole('button', { name: 'تخطي' }).count()).toBe(0);
  } finally {
    await done();
  }
});

test('with no install offer, two steps; the language chosen there is the lock screen’s and the app’s', async () => {
  const context = await newPhoneContext(browser, { locked: true });
  try {
    const page = await context.newPage();
    await page.goto('/');
    await heading(page, 'ما يحفظه راصد وأين').waitFor();
    await page.getByText('الخطوة ١ من ٢', { exact: true }).waitFor();
    await page.getByRole('combobox', { name: 'اللغة' }).selectOption('en');
    await heading(page, 'What Rasid keeps, and where').waitFor();
    await page.getByText('Step 1 of 2', { exact: true }).waitFor();
    expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(['en', 'ltr']);
    await languageStored(page, 'en');
    await screenshot(page, 'intro-keeps-en');

    await page.getByRole('button', { name: 'Skip' }).click();
    await page.getByRole('heading', { name: 'Choose a passcode' }).waitFor();
    await unlock(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).waitFor();
  } finally {
    await context.close();
  }
});

test('English chosen and Skip tapped before its messages arrive: the lock screen and the app are in English', async () => {
  // The phone's service worker is kept out so that the English messages come over the network,
  // where they are held back as on a slow phone until Skip has been tapped.
  const context = await browser.newContext({ baseURL: baseUrl(), ...PHONE, serviceWorkers: 'block' });
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held = 0;
  await context.route(/\/assets\/(screens\.)?en-[\w-]+\.js$/, async (route) => {
    held++;
    await released;
    await route.continue();
  });
  try {
    const page = await context.newPage();
    await page.goto('/');
    await heading(page, 'ما يحفظه راصد وأين').waitFor();
    await page.getByRole('combobox', { name: 'اللغة' }).selectOption('en');
    await page.getByRole('button', { name: 'تخطي' }).click();
    expect(held).toBeGreaterThan(0);
    release();
    await page.getByRole('heading', { name: 'Choose a passcode' }).waitFor();
    await unlock(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).waitFor();
    // The introduction, done with, never comes back over the app.
    expect(await heading(page, 'What Rasid keeps, and where').count()).toBe(0);
    await page.reload();
    await page.getByRole('button', { name: 'Unlock' }).waitFor();
  } finally {
    release();
    await context.close();
  }
});
