/**
 * Sealed sync in Chromium, on a base that has its deployment key: a monitor's report, typed in
 * Arabic on a phone, reaches the desk that made the key and opens there; the coordinator's
 * correction reaches the phone, sealed to it too; and the base's store holds every op in version 2,
 * with none of the report's words.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { SQLITE_FILE_NAME } from '../../src/server/store/open.ts';
import { deskAndPhone, ownBrowserAndServer, saveDamageReport, screenshot, syncNow, waitForCount } from './harness.ts';

const own = ownBrowserAndServer();

const reports = (p: Page, name: string) => p.getByRole('list', { name }).getByRole('listitem');
const PLACE = 'مخبز الحي الشرقي';
const NOTES = 'توقف المخبز عن العمل بعد قطع الطحين';
const CORRECTION = 'Reopened two days later, per the baker';

test("a sealed report reaches the desk and the coordinator's correction reaches the phone, while the base keeps ciphertext only", async () => {
  const { desk, coordinator, phoneContext, phone } = await deskAndPhone(own, 'seven olive trees by the spring');
  // The phone's key, as its Settings show it, is the one the desk lists beside it.
  await phone.getByRole('navigation', { name: 'القائمة الرئيسية' }).getByRole('link', { name: 'الإعدادات' }).click();
  const phoneKey = (await phone.getByTestId('device-key').textContent()) ?? '';
  expect(phoneKey).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
  await screenshot(phone, 'device-key-settings-ar');
  await coordinator.getByRole('button', { name: 'Enroll a new monitor' }).waitFor();
  await coordinator.reload();
  const listed = coordinator.getByRole('list', { name: 'Enrolled devices' }).getByRole('listitem').filter({ hasText: 'Monitor' });
  await listed.getByTestId('device-key').filter({ hasText: phoneKey }).waitFor();
  await saveDamageReport(phone, { date: '2025-03-07', place: PLACE, structures: '١', notes: NOTES });
  await waitForCount(reports(phone, 'التقارير'), 1);
  await syncNow(phone, 'ar');
  await reports(phone, 'التقارير').first().filter({ hasNotText: 'لم يُرسل' }).waitFor();

  // The desk opens it with the deployment key it made.
  await syncNow(coordinator, 'en');
  await coordinator.goto('/');
  await waitForCount(reports(coordinator, 'Reports'), 1);
  await reports(coordinator, 'Reports').filter({ hasText: PLACE }).getByRole('link').click();
  await coordinator.getByRole('article').filter({ hasText: NOTES }).waitFor();
  await coordinator.getByRole('button', { name: 'Edit' }).click();
  await coordinator.getByLabel('Notes').fill(CORRECTION);
  await coordinator.getByRole('button', { name: 'Save' }).click();
  await coordinator.getByRole('article').filter({ hasText: CORRECTION }).waitFor();
  await syncNow(coordinator, 'en');

  // The phone opens the correction: it was sealed to the monitor's key as well.
  await syncNow(phone, 'ar');
  await phone.goto('/');
  await reports(phone, 'التقارير').filter({ hasText: PLACE }).getByRole('link').click();
  await phone.getByRole('article').filter({ hasText: CORRECTION }).waitFor();
  await screenshot(phone, 'sealed-sync-correction-ar');

  const store = new Database(join(own.server.dataDir, SQLITE_FILE_NAME), { readonly: true, fileMustExist: true });
  try {
    const ops = store.prepare('select v, kind, report_id, body, sig from ops order by seq').all() as {
      v: number;
      kind: string;
      report_id: string;
      body: string;
      sig: string | null;
    }[];
    for (const op of ops) for (const words of [PLACE, NOTES, CORRECTION]) expect(op.body).not.toContain(words);
    const reportOps = ops.filter((o) => o.kind === 'create' || o.kind === 'edit');
    expect(reportOps).toHaveLength(2);
    for (const o of reportOps) expect(JSON.parse(o.body)).toMatchObject({ v: 2, ct: expect.any(String) });
    // The roster the desk wrote when it enrolled, before the keys existed, went in clear and unsigned;
    // then the root's first statement, naming the desk, and the desk's own naming the phone, both signed.
    const roster = ops.filter((o) => o.kind === 'deployment' && o.report_id === 'roster');
    expect(roster.map((o) => o.v)).toEqual([1, 2, 2]);
    for (const o of roster.slice(1)) expect(o.sig).toMatch(/^[A-Za-z0-9_-]{86}$/);
    // The desk vouched for its roster in clear once it had the root: one vouching, signed.
    const vouchings = ops.filter((o) => o.kind === 'deployment' && o.report_id === 'vouches');
    expect(vouchings.map((o) => [o.v, JSON.parse(o.body).changes.vouched.length])).toEqual([[2, 1]]);
    expect(vouchings[0]!.sig).toMatch(/^[A-Za-z0-9_-]{86}$/);
    // Both apps said, enrolling and syncing, that they open every body codec: the report and its
    // correction above were sealed with the dictionary's, and opened so on the other side.
    const said = store.prepare('select codecs from devices order by created_at').all() as { codecs: string | null }[];
    expect(said.map((d) => d.codecs)).toEqual(['0,1,2', '0,1,2']);
  } finally {
    store.close();
  }
  await Promise.all([phoneContext.close(), desk.close()]);
});
