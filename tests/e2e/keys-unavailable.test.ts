/**
 * A phone whose keys do not load sends nothing: not by sync, not in a sync file. It says so, keeps
 * the report, and sends it sealed once its keys load again. (Before, a failed load was kept as "no
 * keys" for as long as the page stayed open, and every sync sent the report's words in clear.)
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Page, Request } from 'playwright-core';
import { expect, test } from 'vitest';
import { ar as core } from '../../src/app/i18n/ar.ts';
import { screensAr } from '../../src/app/i18n/screens.ar.ts';

const ar = { ...core, ...screensAr };
import { SQLITE_FILE_NAME } from '../../src/server/store/open.ts';
import { deskAndPhone, ownBrowserAndServer, saveDamageReport, syncNow, waitForCount } from './harness.ts';

const own = ownBrowserAndServer();

const PLACE = 'فرن الحارة القبلية';
const NOTES = 'أغلق الفرن بعد انقطاع الطحين ثلاثة أيام';
const reports = (p: Page) => p.getByRole('list', { name: 'التقارير' }).getByRole('listitem');

/** What a request carried, as text: a sync request goes gzip-compressed. */
function sentText(request: Request): string {
  const body = request.postDataBuffer();
  if (!body) return '';
  return (request.headers()['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8');
}

/** Swaps the stored wrapped signing key for a spoilt copy (or back); returns the entry as it was. */
function setDeviceKeys(page: Page, replace?: unknown): Promise<unknown> {
  return page.evaluate(
    (replace) =>
      new Promise<unknown>((resolve, reject) => {
        const open = indexedDB.open('keyval-store');
        open.onerror = () => reject(open.error ?? new Error('indexedDB.open failed'));
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction('keyval', 'readwrite');
          const store = tx.objectStore('keyval');
          const read = store.get('deviceKeys');
          read.onsuccess = () => {
            const was = read.result as { signing: { ct: string } };
            const spoilt = { ...was, signing: { ...was.signing, ct: (was.signing.ct[0] === 'A' ? 'B' : 'A') + was.signing.ct.slice(1) } };
            store.put(replace ?? spoilt, 'deviceKeys');
            tx.oncomplete = () => {
              db.close();
              resolve(was);
            };
          };
          tx.onerror = () => reject(tx.error ?? new Error('transaction failed'));
        };
      }),
    replace,
  );
}

test('a phone whose keys do not load sends nothing, says so, and sends the report sealed once they load', async () => {
  const { desk, phoneContext, phone } = await deskAndPhone(own, 'four wells on the north road');

  const sent: string[] = [];
  phoneContext.on('request', (r) => {
    if (r.url().includes('/api/')) sent.push(sentText(r));
  });
  const original = await setDeviceKeys(phone);
  await phone.reload();
  await saveDamageReport(phone, { date: '2025-03-09', place: PLACE, structures: '٢', notes: NOTES });
  await waitForCount(reports(phone), 1);

  expect(await syncNow(phone, 'ar')).toContain(ar['sync.err.keys']);
  await reports(phone).filter({ hasText: ar['list.unsynced'] }).waitFor();
  await phone.getByRole('navigation', { name: 'القائمة الرئيسية' }).getByRole('link', { name: 'المزامنة' }).click();
  await phone.getByRole('button', { name: ar['file.export'] }).click();
  await phone.getByRole('region', { name: ar['file.title'] }).getByRole('status').getByText(ar['sync.err.keys']).waitFor();
  for (const text of sent) for (const words of [PLACE, NOTES]) expect(text).not.toContain(words);

  // The keys load again: the report goes, sealed.
  await setDeviceKeys(phone, original);
  await phone.goto('/');
  await syncNow(phone, 'ar');
  await phone.goto('/');
  await reports(phone).first().filter({ hasNotText: ar['list.unsynced'] }).waitFor();
  for (const text of sent) for (const words of [PLACE, NOTES]) expect(text).not.toContain(words);
  const store = new Database(join(own.server.dataDir, SQLITE_FILE_NAME), { readonly: true, fileMustExist: true });
  try {
    const ops = store.prepare("select v, body from ops where kind = 'create'").all() as { v: number; body: string }[];
    expect(ops.map((o) => o.v)).toEqual([2]);
    expect(ops[0]!.body).not.toContain(NOTES);
  } finally {
    store.close();
  }
  await Promise.all([phoneContext.close(), desk.close()]);
});
