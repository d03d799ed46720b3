/**
 * A monitor's day with no connection, on a phone-sized Chromium against the real server: the app is
 * loaded once online, then everything happens offline and in Arabic, with reloads in between.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  countRows,
  launchBrowser,
  loadSampleGazetteer,
  newPhoneContext,
  screenshot,
  waitForCount,
  waitForServiceWorker,
  waitForValue,
  setOffline,
} from './harness.ts';

let browser: Browser;
let context: BrowserContext;
let page: Page;

const reports = (p: Page) => p.getByRole('list', { name: 'التقارير' }).getByRole('listitem');

async function pickType(p: Page, label: string) {
  await p.getByRole('button', { name: 'تقرير جديد' }).click();
  await p.getByRole('radiogroup', { name: 'نوع التقرير' }).getByRole('radio', { name: label }).check();
}

beforeAll(async () => {
  browser = await launchBrowser();
  context = await newPhoneContext(browser);
  page = await context.newPage();
  await page.goto('/');
  await waitForServiceWorker(page);
  // The coordinator's gazetteer reaches a phone with sync; until then the sample stands in for it.
  await loadSampleGazetteer(page);
  await setOffline(context, true);
  await page.reload();
});

afterAll(async () => {
  await browser?.close();
});

describe('offline field capture in Arabic', () => {
  test('the app reloads offline from the service worker, in Arabic, right to left', async () => {
    await page.goto('/');
    await page.waitForFunction(() => document.documentElement.lang === 'ar' && document.documentElement.dir === 'rtl');
    await page.getByRole('button', { name: 'تقرير جديد' }).waitFor();
    // The page was reloaded with the network cut, so the service worker served it. It answers the
    // app, never the API: offline, an API call fails instead of showing old data.
    expect(
      await page.evaluate(() =>
        fetch('/api/v1/health').then(
          () => 'answered',
          () => 'failed',
        ),
      ),
    ).toBe('failed');
  });

  test('one report of each type is saved offline, with Eastern Arabic and Persian digits', async () => {
    await pickType(page, 'نزوح');
    await page.getByLabel('عدد الأسر').fill('١٢');
    await page.getByLabel('عدد الأفراد').fill('٦٠');
    await page.getByLabel('المأوى', { exact: true }).selectOption({ label: 'قاعدة عسكرية' });
    await page.getByLabel('تاريخ الحدث').fill('2025-03-08');
    await page.getByLabel('اسم المكان', { exact: true }).fill('قرية الصنوبر');
    await page.getByLabel('ملاحظات').fill('عائلات لجأت إلى القاعدة بعد إحراق البيوت، "كما قال الشهود"، والطريق مقطوع.');
    await screenshot(page, 'form-displacement-ar');
    await page.getByRole('button', { name: 'حفظ' }).click();
    await waitForCount(reports(page), 1);

    await pickType(page, 'أضرار');
    await page.getByLabel('عدد المباني').fill('۷');
    await page.getByLabel('درجة الضرر').selectOption({ label: 'مدمّر' });
    await page.getByLabel('سبب الضرر').selectOption({ label: 'حرق' });
    await page.getByLabel('تعرّض للنهب').selectOption({ label: 'نعم' });
    await page.getByLabel('تاريخ الحدث').fill('2025-03-07');
    await page.getByLabel('اسم المكان', { exact: true }).fill('بيت ياشوط');
    await screenshot(page, 'form-damage-ar');
    await page.getByRole('button', { name: 'حفظ' }).click();
    await waitForCount(reports(page), 2);

    await pickType(page, 'انقطاع خدمات');
    await page.getByLabel('الخدمة', { exact: true }).selectOption({ label: 'الخبز' });
    await page.getByLabel('حالة الخدمة').selectOption({ label: 'مقطوعة' });
    await page.getByLabel('منقطعة منذ').fill('2025-03-07');
    await page.getByLabel('تاريخ الحدث').fill('2025-03-09');
    await page.getByLabel('المحافظة', { exact: true }).selectOption({ label: 'اللاذقية' });
    await page.getByLabel('المنطقة', { exact: true }).selectOption({ label: 'جبلة' });
    await page.getByLabel('عدد الأفراد').fill('3٥٠٠');
    await screenshot(page, 'form-access-cut-ar');
    await page.getByRole('button', { name: 'حفظ' }).click();
    await waitForCount(reports(page), 3);
    await screenshot(page, 'list-ar');
    // Saving removed each draft: nothing is offered back as unsaved.
    expect(await page.getByRole('region', { name: /لم يُحفظ/ }).count()).toBe(0);

    await page.reload();
    await waitForCount(reports(page), 3);
    const texts = await reports(page).allTextContents();
    // Newest first: the access cut was saved last.
    expect(texts[0]).toContain('انقطاع خدمات');
    expect(texts[0]).toContain('جبلة');
    expect(texts[1]).toContain('بيت ياشوط');
    expect(texts[2]).toContain('قرية الصنوبر');
    for (const t of texts) expect(t).toContain('لم يُرسل');
    expect(await countRows(page, 'ops')).toBe(3);
  });

  test('an edit and a deletion made offline hold after a reload', async () => {
    await reports(page).filter({ hasText: 'بيت ياشوط' }).getByRole('link').click();
    await page.getByRole('button', { name: 'تعديل' }).click();
    await waitForValue(page.getByLabel('عدد المباني'), '7');
    await page.getByLabel('عدد المباني').fill('٩');
    await page.getByRole('button', { name: 'حفظ' }).click();
    await page
      .getByRole('heading', { level: 1 })
      .filter({ hasText: /^أضرار$/ })
      .waitFor();
    await page.getByRole('article').filter({ hasText: '٩' }).waitFor();

    await page.goto('/');
    await reports(page).filter({ hasText: 'انقطاع خدمات' }).getByRole('link').click();
    await page.getByRole('button', { name: 'حذف' }).click();
    await page.getByRole('alertdialog', { name: 'حذف هذا التقرير؟' }).getByRole('button', { name: 'حذف' }).click();
    await waitForCount(reports(page), 2);

    await page.reload();
    await waitForCount(reports(page), 2);
    const texts = await reports(page).allTextContents();
    expect(texts.join('\n')).not.toContain('انقطاع خدمات');
    expect(texts[0]).toContain('عدد المباني: ٩');
    // Both are ops kept for sync: three creates, one edit, one delete.
    expect(await countRows(page, 'ops')).toBe(5);
  });

  test('a page killed mid-form offers the draft back when reopened', async () => {
    await pickType(page, 'نزوح');
    // Marked after the form's own handler has asked for the draft write of each keystroke.
    await page.evaluate(() => addEventListener('input', () => performance.mark('typed')));
    await page.getByLabel('عدد الأسر').fill('٤٠');
    await page.getByLabel('اسم المكان', { exact: true }).fill('حي القصور');
    await page.getByLabel('ملاحظات').fill('نزوح ليلي نحو الجبل');
    // Killed before the last write lands, the page would lose the notes: wait for the app's mark that
    // the draft's writes have all landed, one made after the last keystroke.
    await page.waitForFunction(() => {
      const typed = performance.getEntriesByName('typed').at(-1)!.startTime;
      return performance.getEntriesByName('draft:settled').some((m) => m.startTime > typed);
    });
    expect(await countRows(page, 'drafts')).toBe(1);
    await page.close({ runBeforeUnload: false });

    page = await context.newPage();
    await page.goto('/');
    // Named by its type and the place typed, with when it was last typed into.
    const offer = page.getByRole('region', { name: /^نزوح في حي القصور، لم يُحفظ، من .*[٠-٩]/ });
    await offer.waitFor();
    await offer.getByRole('button', { name: 'متابعة' }).click();
    await waitForValue(page.getByLabel('عدد الأسر'), '٤٠');
    expect(await page.getByLabel('ملاحظات').inputValue()).toBe('نزوح ليلي نحو الجبل');
    await page.getByLabel('تاريخ الحدث').fill('2025-03-10');
    await page.getByRole('button', { name: 'حفظ' }).click();
    await waitForCount(reports(page), 3);
    expect(await countRows(page, 'drafts')).toBe(0);
  });

  test('a deep link opens offline', async () => {
    const href = await reports(page).filter({ hasText: 'بيت ياشوط' }).getByRole('link').getAttribute('href');
    const deep = await context.newPage();
    await deep.goto(href!);
    await deep
      .getByRole('heading', { level: 1 })
      .filter({ hasText: /^أضرار$/ })
      .waitFor();
    expect(await deep.getByRole('article').textContent()).toContain('مدمّر');
    await deep.close();
  });
});
