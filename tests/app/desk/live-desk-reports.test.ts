import 'fake-indexeddb/auto';
import { afterEach, expect, test } from 'vitest';
import { LiveDeskReports } from '../../../src/app/desk/live-desk-reports.ts';
import type { DeskReports } from '../../../src/app/desk/desk-reports.ts';
import { DataKeyHolder } from '../../../src/app/store/at-rest.ts';
import { RasidDb } from '../../../src/app/store/db.ts';
import { createReport, createReports, editReport } from '../../../src/app/store/reports.ts';
import { damageReport, writer } from '../store/store-fixtures.ts';

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

let n = 0;
async function sealedDb(): Promise<RasidDb> {
  const dataKey = new DataKeyHolder();
  await dataKey.set(crypto.getRandomValues(new Uint8Array(32)));
  const db = new RasidDb(`rasid-live-desk-${process.pid}-${++n}`, { dataKey });
  cleanup.push(() => db.delete());
  return db;
}

/** Every value the screens were given, and a way to wait for one that passes `check`. */
function watch(live: LiveDeskReports, watermark = 0) {
  const seen: DeskReports[] = [];
  const waiters: { check: (v: DeskReports) => boolean; resolve: (v: DeskReports) => void }[] = [];
  const stop = live.subscribe(watermark, (value) => {
    seen.push(value);
    for (const w of waiters.splice(0)) {
      if (w.check(value)) w.resolve(value);
      else waiters.push(w);
    }
  });
  cleanup.push(stop);
  const until = (check: (v: DeskReports) => boolean) =>
    new Promise<DeskReports>((resolve) => {
      const last = seen.at(-1);
      if (last && check(last)) resolve(last);
      else waiters.push({ check, resolve });
    });
  return { seen, until };
}

const live = (db: RasidDb) => new LiveDeskReports(db, () => undefined);

test('the newest reports show before the rest are read, and every report arrives', async () => {
  const db = await sealedDb();
  const w = writer(db);
  const contents = Array.from({ length: 450 }, (_, i) => ({ ...damageReport, placeName: `حي ${i}` }));
  // One per millisecond: report ids are ordered by the time they were written.
  const ids = [];
  for (const content of contents) {
    w.clock.ms += 1;
    ids.push(await createReport(w, content));
  }
  const { seen, until } = watch(live(db));
  const all = await until((v) => v.reports.length === 450);
  expect(new Set(all.reports.map((r) => r.id))).toEqual(new Set(ids));
  const first = seen[0]!;
  expect(first.reports.length).toBeLessThan(450);
  // Said to be a part, so that no screen takes it for the whole.
  expect(first.complete).toBe(false);
  expect(all.complete).toBe(true);
  // What shows first is what the list shows at its top: the newest.
  const newest = new Set(ids.slice(-first.reports.length));
  expect(first.reports.every((r) => newest.has(r.id))).toBe(true);
});

test('a new report, an edit and another tab’s write show, and the untouched reports are not read again', async () => {
  const db = await sealedDb();
  const w = writer(db);
  const [a, b] = await createReports(w, [damageReport, { ...damageReport, placeName: 'حي الرمل' }]);
  const { until } = watch(live(db));
  const before = await until((v) => v.reports.length === 2);
  const untouched = before.reports.find((r) => r.id === b)!;

  w.clock.ms += 60_000;
  await editReport(w, a!, { placeName: 'سوق بانياس الجديد' });
  const edited = await until((v) => v.reports.find((r) => r.id === a)?.view.values.placeName === 'سوق بانياس الجديد');
  expect(edited.reports.find((r) => r.id === b)).toBe(untouched);

  // Another tab: another connection to the same database.
  const other = new RasidDb(db.name, { dataKey: db.dataKey });
  cleanup.push(() => other.close());
  const c = await createReport(writer(other, w.clock.ms + 1), { ...damageReport, placeName: 'حي الصليبة' });
  const three = await until((v) => v.reports.length === 3);
  expect(three.reports.find((r) => r.id === c)?.view.values.placeName).toBe('حي الصليبة');

  await db.reports.delete(c);
  await until((v) => v.reports.length === 2 && !v.reports.some((r) => r.id === c));
});

test('a report is unsynced above the watermark it is watched with, and a damaged row is listed apart', async () => {
  const db = await sealedDb();
  const w = writer(db);
  const [a, b] = await createReports(w, [damageReport, { ...damageReport, placeName: 'حي الرمل' }]);
  const l = live(db);
  const low = await watch(l, 0).until((v) => v.reports.length === 2);
  expect(low.reports.every((r) => r.unsynced)).toBe(true);
  const lastA = (await db.reports.get(a!))!.lastOwnSeq;
  const high = await watch(l, lastA).until((v) => v.reports.length === 2);
  expect(high.reports.find((r) => r.id === a)?.unsynced).toBe(false);
  expect(high.reports.find((r) => r.id === b)?.unsynced).toBe(true);

  // A row changed on disk: it no longer opens, and shows as unreadable rather than vanishing.
  const idb = db.backendDB();
  await new Promise<void>((resolve, reject) => {
    const tx = idb.transaction('reports', 'readwrite');
    const store = tx.objectStore('reports');
    const get = store.get(b!);
    get.onsuccess = () => {
      const row = get.result as { $sealed: Uint8Array };
      row.$sealed[row.$sealed.length - 1]! ^= 1;
      store.put(row);
    };
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('write failed'));
  });
  const damaged = await watch(live(db)).until((v) => v.unreadable.length + v.reports.length === 2);
  expect(damaged.unreadable).toEqual([b]);
  expect(damaged.reports.map((r) => r.id)).toEqual([a]);
});
