/**
 * A photo in Chromium at phone size, on a base with its deployment key: attached from the gallery
 * while offline, its position question answered, saved with the report; then online, its upload cut
 * off in the middle, the app reloaded, and the upload resumed from where the base stood. The base
 * then holds the sealed blob, whose hash the op names, and none of the marker strings the photo's
 * EXIF and XMP carried, in its store or its blob folder.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { strFromU8, unzipSync } from 'fflate';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { SQLITE_FILE_NAME } from '../../src/server/store/open.ts';
import { photo } from '../domain/photo/jpeg-fixture.ts';
import {
  browserJpeg,
  deskAndPhone,
  ownBrowserAndServer,
  screenshot,
  syncNow,
  until,
  waitForCount,
  waitForServiceWorker,
  setOffline,
} from './harness.ts';

const own = ownBrowserAndServer();

const MARKER = `rasidmark${Math.random().toString(36).slice(2, 8)}`;
const CHUNK = 256 * 1024;
const NOTES = 'احتراق واجهة المخبز، صورة من الشارع';

/** A camera's JPEG: noise the browser encodes (large, and it decodes), with EXIF and XMP around it. */
const cameraJpeg = async (page: Page) => photo({ camera: MARKER, image: await browserJpeg(page, 1400, 1000) });

/** The phone and the desk of the first test, for the ones after it. */
let pages: { phone: Page; coordinator: Page } | undefined;
const run = promisify(execFile);

const everyFile = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? everyFile(join(dir, e.name)) : [join(dir, e.name)]));

test('a photo attached offline reaches the base sealed, its upload resumed after a cut and a reload', async () => {
  const { desk, coordinator, phoneContext, phone } = await deskAndPhone(own, 'seven olive trees by the spring');
  const jpeg = await cameraJpeg(phone);
  expect(jpeg.length).toBeGreaterThan(4 * CHUNK);
  const file = join(own.server.dataDir, '..', `photo-${MARKER}.jpg`);
  writeFileSync(file, jpeg);

  await phone.goto('/');
  // Offline only once the service worker serves the app: the report form is a chunk it holds.
  await waitForServiceWorker(phone);
  await setOffline(phoneContext, true);
  await phone.getByRole('button', { name: 'تقرير جديد' }).click();
  await phone.getByRole('radiogroup', { name: 'نوع التقرير' }).getByRole('radio', { name: 'أضرار' }).check();
  await phone.getByLabel('تاريخ الحدث').fill('2025-03-07');
  await phone.getByLabel('اسم المكان', { exact: true }).fill('مخبز الحي الشرقي');
  await phone.getByLabel('عدد المباني').fill('١');
  await phone.getByLabel('ملاحظات').fill(NOTES);
  const photos = phone.getByRole('group', { name: 'الصور' });
  await photos.getByLabel('اختر من المعرض').setInputFiles(file);
  // The photo records where it was taken: the form asks before keeping it.
  const question = photos.getByRole('group', { name: /تسجّل مكان التقاطها/ });
  await question.waitFor();
  await question.getByRole('button', { name: 'احذف الموقع' }).click();
  await photos.getByRole('img', { name: /الصورة/ }).waitFor();
  await photos.getByText('حُذف الموقع، ولم يتغيّر شيء آخر في الصورة.').waitFor();
  await screenshot(phone, 'photo-in-form-ar');
  await phone.getByRole('button', { name: 'حفظ' }).click();
  await phone.waitForURL((url) => url.pathname === '/');
  await waitForCount(phone.getByRole('list', { name: 'التقارير' }).getByRole('listitem'), 1);

  // Offline, the Sync screen says the photo waits, and that a sync file would leave it behind.
  await phone.getByRole('navigation', { name: 'القائمة الرئيسية' }).getByRole('link', { name: 'المزامنة' }).click();
  const waitingPhotos = phone.getByRole('region', { name: 'الصور' });
  await waitingPhotos.getByText(/صورة واحدة .* لم يؤكدها المركز بعد/).waitFor();
  await phone.getByText('لا تنتقل الصور في ملف المزامنة: تبقى صورة واحدة على هذا الهاتف حتى يزامن مع المركز.').waitFor();
  await phone.goto('/');

  // Online, but uploads are cut off from the third request on, until the reload. Every request let
  // through after the cut is seen here, whichever page sends it.
  let patches = 0;
  let cut = true;
  const offsets: string[] = [];
  await phoneContext.route('**/api/v1/blobs/uploads/*', async (route) => {
    const request = route.request();
    if (request.method() === 'PATCH' && cut && ++patches >= 3) return route.abort('connectionreset');
    if (request.method() === 'PATCH' && !cut) offsets.push(request.headers()['upload-offset'] ?? '');
    return route.continue();
  });
  await setOffline(phoneContext, false);
  await syncNow(phone, 'ar');
  const store = new Database(join(own.server.dataDir, SQLITE_FILE_NAME), { readonly: true, fileMustExist: true });
  try {
    const named = () => store.prepare('select sha256, bytes from op_blobs').all() as { sha256: string; bytes: number }[];
    const [blob] = await until(
      phone,
      async () => named(),
      (rows) => expect(rows).toHaveLength(1),
    );
    const uploaded = () => store.prepare('select id from blob_uploads').all() as { id: string }[];
    await until(
      phone,
      async () => patches,
      (n) => expect(n).toBeGreaterThanOrEqual(3),
    );
    await until(
      phone,
      async () => uploaded(),
      (rows) => expect(rows).toHaveLength(1),
    );
    expect(store.prepare('select count(*) as n from blobs').get()).toEqual({ n: 0 });

    // Reloaded (offline, so that the page before it sends nothing more), then online: the app
    // resumes from the two chunks the base kept.
    await setOffline(phoneContext, true);
    await phone.reload();
    await phone.getByRole('list', { name: 'التقارير' }).getByRole('listitem').first().waitFor();
    cut = false;
    await setOffline(phoneContext, false);
    await syncNow(phone, 'ar');
    const held = () => store.prepare('select sha256, upload_id from blobs').all() as { sha256: string; upload_id: string }[];
    const [kept] = await until(
      phone,
      async () => held(),
      (rows) => expect(rows).toHaveLength(1),
    );
    expect(offsets[0]).toBe(String(2 * CHUNK));
    expect(uploaded()).toHaveLength(1);

    // The base holds ciphertext whose hash is the one the op names, and no word of the photo's metadata.
    const bytes = readFileSync(join(own.server.dataDir, 'blobs', kept!.upload_id));
    expect(bytes.length).toBe(blob!.bytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(blob!.sha256);
    for (const path of everyFile(own.server.dataDir)) expect(readFileSync(path).includes(MARKER), path).toBe(false);
  } finally {
    store.close();
  }

  // Confirmed by the base, the photo's space can be freed on the phone; the report still shows it.
  await phone.getByRole('navigation', { name: 'القائمة الرئيسية' }).getByRole('link', { name: 'الإعدادات' }).click();
  await phone.getByRole('button', { name: /فرّغ مساحة صورة واحدة يحملها المركز/ }).click();
  await phone.getByRole('status').getByText('فُرّغت مساحة صورة واحدة.').waitFor();
  await phone.goto('/');
  await phone.getByRole('list', { name: 'التقارير' }).getByRole('listitem').getByRole('link').click();
  await phone
    .getByRole('region', { name: 'الصور' })
    .getByRole('img', { name: /الصورة/ })
    .waitFor();

  // The desk fetches the photo and checks it. Served first by a hostile base, one byte changed, it
  // does not verify and is not shown; fetched again from the base as it is, it verifies.
  let served = 0;
  await desk.route('**/api/v1/blobs/*', async (route) => {
    const response = await route.fetch();
    const body = await response.body();
    if (served++ === 0) body[100] = body[100]! ^ 1;
    await route.fulfill({ response, body });
  });
  await syncNow(coordinator, 'en');
  await coordinator.goto('/');
  await waitForCount(coordinator.getByRole('list', { name: 'Reports' }).getByRole('listitem'), 1);
  await coordinator.getByRole('list', { name: 'Reports' }).getByRole('listitem').getByRole('link').click();
  const shown = coordinator.getByRole('region', { name: 'Photos' });
  await shown.getByText(/^Does not verify/).waitFor();
  expect(await shown.getByRole('img').count()).toBe(0);
  await shown.getByRole('button', { name: 'Fetch again' }).click();
  await shown.getByText(/^Verified/).waitFor();
  await shown.getByRole('img', { name: 'Photo 1' }).waitFor();
  expect(served).toBeGreaterThanOrEqual(2);
  // What the camera wrote, for the coordinator: the camera, and no position, which the monitor removed.
  await shown.getByText('What the camera wrote (EXIF): for coordinators, never sent to partners').click();
  const exif = shown.getByRole('group').filter({ has: coordinator.getByText('Camera maker') });
  await exif.getByText(MARKER).waitFor();
  expect(await exif.textContent()).not.toContain('Position');
  await screenshot(coordinator, 'photo-verified-desk-en');
  pages = { phone, coordinator };
});

test('a partner profile with photos gets a ZIP of the file and the photo re-encoded: no metadata exiftool finds, never the original', async () => {
  const { coordinator } = pages!;
  await coordinator.goto('/desk/exports');
  await coordinator.getByRole('button', { name: 'New partner profile' }).click();
  await coordinator.getByRole('textbox', { name: 'Profile name' }).fill('press-partner');
  await coordinator.getByRole('checkbox', { name: 'Send the reports’ photos, re-encoded' }).check();
  await coordinator.getByRole('button', { name: 'Save profile' }).click();
  const profiles = coordinator.getByRole('list', { name: 'Profiles' });
  await profiles
    .getByRole('listitem', { name: 'press-partner' })
    .getByText(/photos re-encoded, no metadata/)
    .waitFor();

  await coordinator.getByRole('radio', { name: 'CSV: spreadsheets, HDX' }).check();
  await coordinator.getByRole('combobox', { name: 'Profile', exact: true }).selectOption({ label: 'press-partner (partner)' });
  const [download] = await Promise.all([
    coordinator.waitForEvent('download'),
    (async () => {
      await coordinator.getByRole('button', { name: 'Export', exact: true }).click();
      // One report is a small group: kept, as the partner's file may say.
      await coordinator.getByRole('button', { name: 'Write the file' }).click();
    })(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^rasid-press-partner-\d{4}-\d{2}-\d{2}\.zip$/);
  await coordinator
    .getByRole('status')
    .getByText(/1 photo re-encoded with no metadata/)
    .waitFor();

  const entries = unzipSync(readFileSync(await download.path()));
  const names = Object.keys(entries).sort();
  expect(names).toHaveLength(2);
  const csv = strFromU8(entries[names.find((n) => n.endsWith('.csv'))!]!);
  const [photoName] = names.filter((n) => n.startsWith('photos/'));
  // Named by the row's id in the file, the partner's pseudonym: the report's own id is in neither.
  const rowId = /^photos\/([A-Za-z0-9_-]+)-1\.jpg$/.exec(photoName!)![1]!;
  expect(csv).toContain(rowId);
  const jpeg = entries[photoName!]!;
  expect(Buffer.from(jpeg).includes(MARKER)).toBe(false);
  const file = join(own.server.dataDir, '..', 'partner-photo.jpg');
  writeFileSync(file, jpeg);
  const { stdout } = await run('exiftool', ['-json', '-a', '-G1', file]);
  const found = (JSON.parse(stdout) as Record<string, unknown>[])[0]!;
  const tags = Object.keys(found);
  expect(tags.filter((t) => /^(IFD0|IFD1|ExifIFD|GPS|XMP[-\w]*|IPTC|MakerNotes|Photoshop|Composite:GPS\w*)/.test(t))).toEqual([]);
  expect(tags).toContain('JFIF:JFIFVersion');
  // The encoder's own colour profile, the same in every file it writes: nothing of the camera's.
  expect(found['ICC_Profile:ProfileDescription']).toBe('sRGB');
});

test('a monitor takes a photo off a report in an edit', async () => {
  const { phone } = pages!;
  // The monitor takes the photo off the report in an edit: the report no longer shows it.
  await phone.goto('/');
  await phone.getByRole('list', { name: 'التقارير' }).getByRole('listitem').getByRole('link').click();
  await phone.getByRole('button', { name: 'تعديل' }).click();
  await phone
    .getByRole('group', { name: 'الصور' })
    .getByRole('button', { name: /أزل الصورة/ })
    .click();
  await phone.getByRole('button', { name: 'حفظ' }).click();
  await phone.getByRole('article').getByText(NOTES).waitFor();
  expect(await phone.getByRole('region', { name: 'الصور' }).count()).toBe(0);
});
