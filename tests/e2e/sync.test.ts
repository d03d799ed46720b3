/**
 * Sync between devices through the real server, in a deployment with its keys and root as every
 * deployment has them before its first monitor: a monitor on a phone (Arabic, offline while it
 * edits) and a coordinator (English) edit one report apart, sync, see the merge, and the conflict the
 * coordinator resolves; then a second phone with no network at all syncs by file through the
 * coordinator, and reading either file twice changes nothing.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { SyncResponse } from '../../src/domain/op/sync.ts';
import {
  baseUrl,
  enroll,
  enrollByLink,
  launchBrowser,
  makeDeploymentKeys,
  newPhoneContext,
  saveDamageReport,
  screenshot,
  syncNow,
  waitForCount,
  waitForServiceWorker,
  waitForValue,
  setOffline,
} from './harness.ts';

let browser: Browser;
let coordinatorContext: BrowserContext;
let coordinator: Page;
let phoneContext: BrowserContext;
let phone: Page;

const reports = (p: Page, name: string) => p.getByRole('list', { name }).getByRole('listitem');

/** Makes a one-time monitor link on the coordinator's Devices screen (with the root's fingerprint) and returns it. */
async function monitorLink(): Promise<string> {
  await coordinator.getByRole('link', { name: 'Devices' }).click();
  await coordinator.getByRole('button', { name: 'Enroll a new monitor' }).click();
  await coordinator.getByRole('img', { name: 'QR code of the enrollment link' }).waitFor();
  await screenshot(coordinator, 'devices-code-en');
  const link = (await coordinator.getByTestId('enrollment-link').textContent()) ?? '';
  expect(link).toMatch(/#code=[A-Za-z0-9_-]+&fp=/);
  return link;
}

async function openReport(p: Page, listName: string, text: string) {
  await p.goto('/');
  await reports(p, listName).filter({ hasText: text }).getByRole('link').click();
}

beforeAll(async () => {
  browser = await launchBrowser();
  coordinatorContext = await browser.newContext({ baseURL: baseUrl(), serviceWorkers: 'allow' });
  coordinator = await coordinatorContext.newPage();
  await enroll(coordinator, inject('firstCoordinatorCode'));
  await coordinator.getByLabel('اللغة').first().selectOption('en');
  await coordinator.getByRole('heading', { name: 'Enroll this device' }).waitFor();
  // Keys before monitors: the deployment has its root before the first phone enrolls.
  const first = await makeDeploymentKeys(coordinator, 'three cisterns under the mosque');

  phoneContext = await newPhoneContext(browser);
  phone = await phoneContext.newPage();
  await phone.goto('/');
  await waitForServiceWorker(phone);
  await enrollByLink(phone, first);
});

afterAll(async () => {
  await browser?.close();
});

describe('a monitor and a coordinator edit one report apart', () => {
  let place: string;

  test("the monitor's report reaches the coordinator", async () => {
    place = 'سوق جبلة';
    await saveDamageReport(phone, { date: '2025-03-07', place, structures: '٧', notes: 'احترقت المحلات ليلًا' });
    await waitForCount(reports(phone, 'التقارير'), 1);
    await syncNow(phone, 'ar');
    await reports(phone, 'التقارير').first().filter({ hasNotText: 'لم يُرسل' }).waitFor();

    await syncNow(coordinator, 'en');
    await coordinator.goto('/');
    await waitForCount(reports(coordinator, 'Reports'), 1);
  });

  test('edits of different fields merge, and the same field becomes a conflict the coordinator resolves', async () => {
    // The monitor goes offline and edits the count and the notes.
    await setOffline(phoneContext, true);
    await openReport(phone, 'التقارير', place);
    await phone.getByRole('button', { name: 'تعديل' }).click();
    await waitForValue(phone.getByLabel('عدد المباني'), '7');
    await phone.getByLabel('عدد المباني').fill('٩');
    await phone.getByLabel('ملاحظات').fill('رواية المراقب');
    await phone.getByRole('button', { name: 'حفظ' }).click();
    await phone.getByRole('article').filter({ hasText: '٩' }).waitFor();

    // Meanwhile the coordinator edits the damage level and the notes.
    await openReport(coordinator, 'Reports', place);
    await coordinator.getByRole('button', { name: 'Edit' }).click();
    await coordinator.getByLabel('Damage level').selectOption({ label: 'Severe' });
    await coordinator.getByLabel('Notes').fill('Coordinator account');
    await coordinator.getByRole('button', { name: 'Save' }).click();
    await coordinator.getByRole('article').filter({ hasText: 'Severe' }).waitFor();

    // Back online, the phone syncs by itself; then the coordinator syncs.
    await setOffline(phoneContext, false);
    await syncNow(phone, 'ar');
    await syncNow(coordinator, 'en');
    await syncNow(phone, 'ar');

    await openReport(coordinator, 'Reports', place);
    const article = coordinator.getByRole('article');
    await article.filter({ hasText: 'Severe' }).waitFor();
    expect(await article.textContent()).toContain('9');
    const heads = coordinator.getByRole('list', { name: 'Competing values: Notes' }).getByRole('listitem');
    await waitForCount(heads, 2);
    const texts = await heads.allTextContents();
    expect(texts.join('\n')).toContain('رواية المراقب');
    expect(texts.join('\n')).toContain('Coordinator account');
    // No labels given here: the desk names each device by its short id.
    for (const t of texts) expect(t).toMatch(/Set by device \u2068[\w-]+\u2069, /);
    await screenshot(coordinator, 'sync-conflict-coordinator-en');

    await openReport(phone, 'التقارير', place);
    await phone.getByRole('article').filter({ hasText: 'شديد' }).waitFor();
    expect(await phone.getByRole('article').textContent()).toContain('قيم متعارضة');
    // The phone names no device: its own value is "you", the other "a coordinator".
    const phoneHeads = await phone.getByRole('list', { name: 'القيم المتنافسة: ملاحظات' }).getByRole('listitem').allTextContents();
    expect(phoneHeads).toHaveLength(2);
    expect(phoneHeads.find((t) => t.includes('رواية المراقب'))).toContain('وضعتها أنت، ');
    expect(phoneHeads.find((t) => t.includes('Coordinator account'))).toContain('وضعها منسق، ');
    for (const t of phoneHeads) expect(t).not.toContain('الجهاز');
    await screenshot(phone, 'sync-conflict-monitor-ar');

    // The coordinator's conflict queue lists it; choosing the monitor's account resolves it.
    await coordinator.getByRole('link', { name: 'Conflicts' }).click();
    await waitForCount(reports(coordinator, 'Conflicts'), 1);
    await reports(coordinator, 'Conflicts').getByRole('link').click();
    await coordinator.getByRole('button', { name: 'Choose this value: رواية المراقب' }).click();
    await waitForCount(coordinator.getByRole('list', { name: 'Competing values: Notes' }), 0);
    await syncNow(coordinator, 'en');
    await coordinator.getByRole('link', { name: 'Conflicts' }).click();
    await waitForCount(reports(coordinator, 'Conflicts'), 0);

    // The monitor sees the outcome after its next sync.
    await syncNow(phone, 'ar');
    await openReport(phone, 'التقارير', place);
    await phone.getByRole('article').filter({ hasNotText: 'قيم متعارضة' }).waitFor();
    expect(await phone.getByRole('article').textContent()).toContain('رواية المراقب');
    await phone.goto('/');
    expect(await reports(phone, 'التقارير').first().textContent()).not.toContain('تعارض');
  });
});

describe('deployment settings', () => {
  test("the gazetteer a coordinator imports reaches the monitor's phone at its next sync", async () => {
    await coordinator.getByRole('link', { name: 'Settings' }).click();
    await coordinator.getByRole('button', { name: 'Load the sample gazetteer' }).click();
    await coordinator
      .getByRole('status')
      .getByText(/will reach every enrolled device/)
      .waitFor();
    await syncNow(coordinator, 'en');

    await syncNow(phone, 'ar');
    await phone.getByRole('link', { name: 'الإعدادات' }).click();
    await phone.getByText('يأتي الدليل الجغرافي من منسقك ويصل مع كل مزامنة.').waitFor();
    // A monitor enrolled in a deployment cannot load a gazetteer of its own.
    expect(await phone.getByRole('button', { name: 'حمّل الدليل الجغرافي التجريبي' }).count()).toBe(0);
    await phone.goto('/new');
    await phone.getByRole('radiogroup', { name: 'نوع التقرير' }).getByRole('radio', { name: 'أضرار' }).check();
    await phone.getByLabel('المحافظة', { exact: true }).locator('option').nth(1).waitFor({ state: 'attached' });
  });
});

describe('sync by file', () => {
  test('a phone with no network syncs through files; reading either file twice changes nothing', async () => {
    const link = await monitorLink();
    const offlineContext = await newPhoneContext(browser);
    const offline = await offlineContext.newPage();
    await offline.goto('/');
    await waitForServiceWorker(offline);
    await enrollByLink(offline, link);
    await setOffline(offlineContext, true);

    await offline.goto('/');
    await offline.getByRole('button', { name: 'تقرير جديد' }).click();
    await offline.getByRole('radiogroup', { name: 'نوع التقرير' }).getByRole('radio', { name: 'أضرار' }).check();
    await offline.getByLabel('تاريخ الحدث').fill('2025-03-05');
    await offline.getByLabel('اسم المكان', { exact: true }).fill('قرية بلا شبكة');
    await offline.getByRole('button', { name: 'حفظ' }).click();
    await waitForCount(reports(offline, 'التقارير'), 1);

    // The phone saves its request file.
    await offline.getByRole('link', { name: 'المزامنة' }).click();
    const [requestDownload] = await Promise.all([
      offline.waitForEvent('download'),
      offline.getByRole('button', { name: 'احفظ ملف مزامنة' }).click(),
    ]);
    const requestPath = await requestDownload.path();
    await offline
      .getByRole('status')
      .getByText(/حُفظ ملف مزامنة/)
      .waitFor();

    // The coordinator answers it, twice: the second answer changes nothing at the base.
    const answer = async () => {
      await coordinator.getByRole('link', { name: 'Sync' }).click();
      const [reply] = await Promise.all([
        coordinator.waitForEvent('download'),
        coordinator.getByLabel('Answer a phone’s sync file').setInputFiles(requestPath),
      ]);
      await coordinator
        .getByRole('status')
        .getByText(/Sent 1 of 1 changes/)
        .waitFor();
      return reply.path();
    };
    const replyPath = await answer();
    await coordinator.goto('/');
    await waitForCount(reports(coordinator, 'Reports').filter({ hasText: 'قرية بلا شبكة' }), 1);

    // The same file with one op more, in another device's name: refused whole, with a message.
    const request = JSON.parse(await readFile(requestPath, 'utf8')) as { ops: { id: string; device: string; reportId: string }[] };
    const [op] = request.ops;
    const forged = {
      ...op!,
      id: '01957a3c-9000-7000-8000-0000000000f1',
      reportId: '01957a3c-9000-7000-8000-0000000000f2',
      device: 'another-device-01',
    };
    const forgedPath = `${requestPath}.forged.json`;
    await writeFile(forgedPath, JSON.stringify({ ...request, ops: [...request.ops, forged] }));
    await coordinator.getByRole('link', { name: 'Sync' }).click();
    await coordinator.getByLabel('Answer a phone’s sync file').setInputFiles(forgedPath);
    await coordinator
      .getByRole('status')
      .getByText('This request file holds changes that its device did not write. It was refused whole; nothing was changed.')
      .waitFor();
    await coordinator.goto('/');
    await waitForCount(reports(coordinator, 'Reports').filter({ hasText: 'قرية بلا شبكة' }), 1);
    const secondReply = await answer();
    // The same answers again; the ops served are the same, plus any deployment op written meanwhile
    // (the coordinator's app adds the new phone to the roster as it syncs).
    const readReply = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as { response: SyncResponse };
    const [first, second] = [await readReply(replyPath), await readReply(secondReply)];
    expect(second.response.results).toEqual(first.response.results);
    expect(second.response.ops).toEqual(expect.arrayContaining(first.response.ops));
    await coordinator.goto('/');
    await waitForCount(reports(coordinator, 'Reports'), 2);

    // A reply whose watermark was raised on the way is refused: the phone's report stays unsent.
    const raised = JSON.parse(await readFile(replyPath, 'utf8')) as { response: SyncResponse };
    raised.response.watermark = 1_000_000;
    const raisedPath = `${replyPath}.raised.json`;
    await writeFile(raisedPath, JSON.stringify(raised));
    await offline.getByLabel('افتح ملف رد').setInputFiles(raisedPath);
    await offline.getByRole('status').getByText('لم يوقّع ملف الرد هذا أيّ منسق في هذا النشر. لم يتغير شيء.').waitFor();
    await offline.goto('/');
    await reports(offline, 'التقارير').first().filter({ hasText: 'لم يُرسل' }).waitFor();
    await offline.getByRole('link', { name: 'المزامنة' }).click();

    // The phone reads the reply: its report is synced; reading it again changes nothing.
    await offline.getByLabel('افتح ملف رد').setInputFiles(replyPath);
    await offline
      .getByRole('status')
      .getByText(/قُرئ الرد/)
      .waitFor();
    await offline.goto('/');
    await reports(offline, 'التقارير').first().filter({ hasNotText: 'لم يُرسل' }).waitFor();
    const count = () =>
      offline.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const open = indexedDB.open('rasid');
            open.onsuccess = () => {
              const req = open.result.transaction('ops').objectStore('ops').count();
              req.onsuccess = () => {
                open.result.close();
                resolve(req.result);
              };
            };
          }),
      );
    const opsBefore = await count();
    await offline.getByRole('link', { name: 'المزامنة' }).click();
    await offline.getByLabel('افتح ملف رد').setInputFiles(replyPath);
    await offline.getByRole('status').getByText('قُرئ الرد: لم يُستلم أي تعديل جديد.').waitFor();
    expect(await count()).toBe(opsBefore);

    // A file of the wrong kind is refused in the phone's language, and nothing changes.
    await offline.getByLabel('افتح ملف رد').setInputFiles(requestPath);
    await offline.getByRole('status').getByText('هذا ليس نوع ملف المزامنة المنتظر هنا.').waitFor();
    expect(await count()).toBe(opsBefore);
    await screenshot(offline, 'sync-by-file-ar');

    // The phone was lost long ago, and nobody knew: the coordinator revokes it from then on, and the base lists it as revoked.
    const id = (
      await offline.evaluate(
        () =>
          new Promise<string>((resolve) => {
            const open = indexedDB.open('keyval-store');
            open.onsuccess = () => {
              const req = open.result.transaction('keyval').objectStore('keyval').get('deviceId');
              req.onsuccess = () => resolve(req.result as string);
            };
          }),
      )
    ).slice(0, 8);
    await coordinator.getByRole('link', { name: 'Devices' }).click();
    await coordinator.getByRole('button', { name: `Revoke ${id}` }).click();
    const revoke = coordinator.getByRole('alertdialog', { name: 'Revoke this device?' });
    await revoke.getByLabel('Lost or stolen since (leave empty when it was not)').fill('2020-01-01T00:00');
    await revoke.getByRole('status').getByText('1 change of it held here came after that and will stop counting.').waitFor();
    await revoke.getByRole('button', { name: `Revoke ${id}` }).click();
    await coordinator
      .getByRole('list', { name: 'Enrolled devices' })
      .getByRole('listitem')
      .filter({ hasText: id })
      .filter({ hasText: 'Revoked' })
      .filter({ hasText: /\(its changes after no\. \d+ do not count\)/ })
      .waitFor();
    await screenshot(coordinator, 'devices-en');
    // Who has gone quiet: each device's last contact and its latest change received, as dates. The
    // lost phone's change came through the desk's relay, today; the desk itself was in touch today.
    const enrolled = coordinator.getByRole('list', { name: 'Enrolled devices' }).getByRole('listitem');
    const today = new Date();
    const inEnglish = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(today);
    await enrolled
      .filter({ hasText: id })
      .filter({ hasText: `its latest change received on ${inEnglish}` })
      .waitFor();
    await enrolled
      .filter({ hasText: 'This device' })
      .filter({ hasText: `Last in touch with the base on ${inEnglish}` })
      .waitFor();
    await coordinator.getByRole('combobox', { name: 'Language' }).selectOption('ar');
    const inArabic = new Intl.DateTimeFormat('ar-SY', { dateStyle: 'medium', timeZone: 'UTC' }).format(today);
    expect(inArabic).toMatch(/[٠-٩]/);
    const arabicList = coordinator.getByRole('list', { name: 'الأجهزة المسجّلة' }).getByRole('listitem');
    await arabicList
      .filter({ hasText: id })
      .filter({ hasText: `آخر تعديل منه استُلم في ${inArabic}` })
      .waitFor();
    await arabicList
      .filter({ hasText: 'هذا الجهاز' })
      .filter({ hasText: `آخر اتصال بالمركز في ${inArabic}` })
      .waitFor();
    await screenshot(coordinator, 'devices-ar');
    await coordinator.getByRole('combobox', { name: 'اللغة' }).selectOption('en');
    await enrolled.first().waitFor();
    // The roster carries the cut-off to the desk itself: the lost phone's report stops counting here too.
    await syncNow(coordinator, 'en');
    await syncNow(coordinator, 'en');
    await coordinator.goto('/');
    await waitForCount(reports(coordinator, 'Reports'), 1);
    await waitForCount(reports(coordinator, 'Reports').filter({ hasText: 'قرية بلا شبكة' }), 0);
    await offlineContext.close();
  });
});
