/**
 * A phone and a desk kept from an earlier version of the app, sealed at rest as that version sealed
 * them (scripts/make-at-rest-fixture.ts; made.json names the commit), with the base they enrolled
 * with, open in this version. The desk had made the deployment key and root; the phone enrolled by
 * link after them. Every report is there, readable, the ones never sent still say so, the phone's
 * draft is offered back, and once synced the base holds all of them, sealed, and the desk's offline
 * correction too. The desk still holds what it kept outside its tables: its deployment key opens
 * the phone's reports sent only after the upgrade, its key file is the one it saved, and its pinned
 * root takes the root file's signature. The phone, made before photos, takes one on a new report,
 * which reaches the desk and verifies there. And all of it is then sealed as this version seals it.
 */
import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { deskEn } from '../../src/app/i18n/desk.en.ts';
import { SQLITE_FILE_NAME } from '../../src/server/store/open.ts';
import { AT_REST_FIXTURE } from './fixtures/at-rest/fixture.ts';
import { photo } from '../domain/photo/jpeg-fixture.ts';
import { browserJpeg, LAPTOP, launchBrowser, PHONE, saveDamageReport, syncNow, until, waitForCount, waitForValue } from './harness.ts';
import { dumpDatabases } from './idb-dump.ts';
import { openKeptProfile, startKeptBase, SYNC } from './kept-profiles.ts';
import type { ServerProcess } from './server-process.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'at-rest');
const read = (name: string) => readFileSync(join(FIXTURE, name), 'utf8');
const made = JSON.parse(read('made.json')) as { commit: string; passcode: string };
const { port, rootPassphrase, sent, unsent, draft, deskCorrection } = AT_REST_FIXTURE;
let server: ServerProcess;
let browser: Browser;
beforeAll(async () => {
  server = await startKeptBase(FIXTURE, port);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const kept = (dump: string, device: typeof PHONE | typeof LAPTOP, opts: { offline?: boolean } = {}) =>
  openKeptProfile(browser, server, dump, device, made.passcode, opts);

const reports = (p: Page, name: string) => p.getByRole('list', { name }).getByRole('listitem');
const devices = (p: Page) => p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();

/** Every report named by its place, readable, and none the list could not read. */
async function allReadable(p: Page, name: string, places: readonly string[], unreadable: RegExp): Promise<void> {
  await waitForCount(reports(p, name), places.length);
  for (const place of places) await reports(p, name).filter({ hasText: place }).waitFor();
  expect(await reports(p, name).filter({ hasText: unreadable }).count()).toBe(0);
}

test(`a phone and a desk sealed at rest by ${made.commit.slice(0, 7)}, with the deployment keys made, open, keep every report and key, and sync`, async () => {
  expect(server.baseUrl).toBe(`http://127.0.0.1:${port}`);
  const everyPlace = [...sent, ...unsent].map((r) => r.place);

  // The phone, still out of reach: its rows open under this version, and its draft is offered back as typed.
  const phone = await kept(read('phone.json'), PHONE, { offline: true });
  await allReadable(phone, 'التقارير', everyPlace, /تعذّرت قراءة/);
  await waitForCount(reports(phone, 'التقارير').filter({ hasText: 'لم يُرسل' }), unsent.length);
  for (const r of unsent) await reports(phone, 'التقارير').filter({ hasText: r.place }).filter({ hasText: 'لم يُرسل' }).waitFor();
  const offer = phone.getByRole('region', { name: `أضرار في ${draft.place}، لم يُحفظ`, exact: false });
  await waitForCount(offer, 1);
  await offer.getByRole('button', { name: 'متابعة' }).click();
  await waitForValue(phone.getByLabel('اسم المكان', { exact: true }), draft.place);
  expect(await phone.getByLabel('ملاحظات').inputValue()).toBe(draft.notes);

  await phone.context().unroute(SYNC);
  await phone.goto('/');
  await syncNow(phone, 'ar');
  await waitForCount(reports(phone, 'التقارير').filter({ hasText: 'لم يُرسل' }), 0);

  // The desk still holds the deployment key it made (no key file asked for), and the file it passes on.
  const desk = await kept(read('desk.json'), LAPTOP);
  await devices(desk);
  const keys = desk.getByRole('region', { name: deskEn['deploymentKey.title'] });
  await keys.getByRole('status').getByText(deskEn['deploymentKey.held']).waitFor();
  expect(await keys.getByRole('form', { name: deskEn['deploymentKey.import.title'] }).count()).toBe(0);
  const [download] = await Promise.all([
    desk.waitForEvent('download'),
    keys.getByRole('link', { name: deskEn['deploymentKey.saveFile'] }).click(),
  ]);
  // The same file, as the desk keeps it: its fields may come back in another order.
  expect(JSON.parse(readFileSync(await download.path(), 'utf8'))).toEqual(JSON.parse(read('key-file.json')));

  // It sends its correction and opens the reports the phone sealed to the deployment key only now.
  await syncNow(desk, 'en');
  await desk.goto('/');
  await allReadable(desk, 'Reports', everyPlace, /Could not read/);
  for (const r of unsent) {
    await desk.goto('/');
    await reports(desk, 'Reports').filter({ hasText: r.place }).getByRole('link').click();
    await desk.getByRole('article').filter({ hasText: r.notes }).waitFor();
  }
  await desk.goto('/');
  await reports(desk, 'Reports').filter({ hasText: sent[0].place }).getByRole('link').click();
  await desk.getByRole('article').filter({ hasText: deskCorrection }).waitFor();
  await desk.goto('/desk');
  await desk
    .getByRole('status')
    .filter({ hasText: `${everyPlace.length} of ${everyPlace.length} reports` })
    .waitFor();
  expect(await desk.getByRole('list', { name: deskEn['desk.unreadable.label'] }).count()).toBe(0);
  await desk.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Quarantine' }).click();
  await desk.getByText(deskEn['quarantine.none']).waitFor();

  // The desk's correction, made offline before the upgrade, reached the phone through the base.
  await syncNow(phone, 'ar');
  await phone.goto('/');
  await reports(phone, 'التقارير').filter({ hasText: sent[0].place }).getByRole('link').click();
  await phone.getByRole('article').filter({ hasText: deskCorrection }).waitFor();

  const store = new Database(join(server.dataDir, SQLITE_FILE_NAME), { readonly: true, fileMustExist: true });
  try {
    const ops = store.prepare("select v, kind, body from ops where kind in ('create', 'edit') and status = 'ok'").all() as {
      v: number;
      kind: string;
      body: string;
    }[];
    expect(ops.filter((o) => o.kind === 'create')).toHaveLength(sent.length + unsent.length);
    expect(ops.filter((o) => o.kind === 'edit')).toHaveLength(1);
    const words: string[] = [...sent, ...unsent].flatMap((r) => [r.place, r.notes]);
    words.push(deskCorrection, draft.place, draft.notes);
    for (const op of ops) {
      expect(op.v).toBe(2);
      for (const w of words) expect(op.body).not.toContain(w);
    }
  } finally {
    store.close();
  }

  // The root the desk pinned when it made it still takes the root file's signature, which a desk
  // without that pin refuses.
  await devices(desk);
  const signing = desk.getByRole('form', { name: deskEn['rootFile.title'] });
  await signing
    .getByLabel(deskEn['rootFile.file'], { exact: true })
    .setInputFiles({ name: 'rasid-root-key.json', mimeType: 'application/json', buffer: Buffer.from(read('root-file.json')) });
  await signing.getByLabel(deskEn['deploymentKey.rootPassphrase']).fill(rootPassphrase);
  await signing.getByRole('button', { name: deskEn['rootFile.button'] }).click();
  // Either answer ends the wait: a refusal says why at once.
  const answer = signing.getByRole('status').or(signing.getByRole('alert'));
  await answer.first().waitFor();
  expect(await answer.first().textContent()).toContain('Signed: the root names 1 coordinator.');

  // The phone's keys and pins came through too: what it seals now still reaches the desk, readable,
  // and the database made before photos takes one: kept, sent and verified on the desk.
  const after = { date: '2025-04-09', place: 'بئر المزرعة الجنوبية', structures: '١', notes: 'جفّت البئر بعد تعطّل المضخة' };
  const jpeg = join(server.dataDir, '..', 'well.jpg');
  writeFileSync(jpeg, photo({ gps: false, xmp: false, image: await browserJpeg(phone, 320, 240) }));
  await saveDamageReport(phone, after, async () => {
    const photos = phone.getByRole('group', { name: 'الصور' });
    await photos.getByLabel('اختر من المعرض').setInputFiles(jpeg);
    await photos.getByRole('img', { name: /الصورة/ }).waitFor();
  });
  await syncNow(phone, 'ar');
  // The photo follows its report once the base has acknowledged the op: held whole, then the desk fetches it.
  const held = new Database(join(server.dataDir, SQLITE_FILE_NAME), { readonly: true, fileMustExist: true });
  try {
    await until(
      phone,
      async () => held.prepare('select count(*) as n from blobs').get(),
      (row) => expect(row).toEqual({ n: 1 }),
    );
  } finally {
    held.close();
  }
  await syncNow(desk, 'en');
  await desk.goto('/');
  await reports(desk, 'Reports').filter({ hasText: after.place }).getByRole('link').click();
  await desk.getByRole('article').filter({ hasText: after.notes }).waitFor();
  await desk
    .getByRole('region', { name: 'Photos' })
    .getByText(/^Verified/)
    .waitFor();

  // Everything either kept is sealed now as this version seals: every row in format 2 (under the
  // rows subkey), the meta table too, and the entries that say whom each is and whom it trusts.
  await sealedThroughout(phone, ['enrollment', 'deploymentKey', 'deploymentRoot']);
  await sealedThroughout(desk, ['enrollment', 'deploymentKey', 'deploymentRoot', 'deploymentKeyFile']);
  await Promise.all([phone.context().close(), desk.context().close()]);
}, 120_000);

const SEALED_STORES = ['reports', 'ops', 'drafts', 'settings', 'quarantine', 'meta', 'photos'];

/** The format byte of a dumped `$sealed`, or undefined when the record has none. */
function sealFormat(value: unknown): number | undefined {
  const sealed = (value as { $sealed?: { $t: string; b: string } }).$sealed;
  return sealed?.$t === 'Uint8Array' ? Buffer.from(sealed.b, 'base64')[0] : undefined;
}

async function sealedThroughout(page: Page, entries: readonly string[]): Promise<void> {
  const databases = await dumpDatabases(page);
  const rows = databases.find((d) => d.name === 'rasid')!;
  for (const store of rows.stores.filter((s) => SEALED_STORES.includes(s.name))) {
    for (const { key, value } of store.records) expect(sealFormat(value), `${store.name} ${JSON.stringify(key)}`).toBe(2);
  }
  expect(rows.stores.find((s) => s.name === 'meta')!.records.length).toBeGreaterThan(0);
  const keyval = databases.find((d) => d.name === 'keyval-store')!.stores[0]!.records;
  for (const name of entries) expect(sealFormat(keyval.find((r) => r.key === name)?.value), name).toBe(2);
}
