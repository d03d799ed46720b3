import 'fake-indexeddb/auto';
import { afterEach, expect, test } from 'vitest';
import { DataKeyHolder } from '../../../src/app/store/at-rest.ts';
import { RasidDb } from '../../../src/app/store/db.ts';
import { createReport } from '../../../src/app/store/reports.ts';
import { deskReportOf, receiptRanks, receivedTimes } from '../../../src/app/desk/desk-reports.ts';
import { damageReport, writer } from '../store/store-fixtures.ts';

const open: RasidDb[] = [];
afterEach(async () => {
  for (const d of open.splice(0)) await d.delete();
});

/** A desk's database of its own, unlocked, with its writer; `dataKey` locks it again. */
async function desk(name: string) {
  const dataKey = new DataKeyHolder();
  await dataKey.set(crypto.getRandomValues(new Uint8Array(32)));
  const db = new RasidDb(`${name}-${process.pid}`, { dataKey });
  open.push(db);
  return { db, dataKey, w: writer(db) };
}

test("receipt times come from each report's create op; a report the base has not received has none", async () => {
  const { db, w } = await desk('rasid-desk-reports');
  const received = await createReport(w, damageReport);
  const waiting = await createReport(w, { ...damageReport, placeName: 'حي الرمل' });
  const [create] = await db.ops.where('reportId').equals(received).toArray();
  await db.ops.update(create!.id, { receivedAt: 1_741_424_400_000 });
  const reports = (await db.reports.toArray()).map((row) => deskReportOf(row, 0)!);

  const times = await receivedTimes(db, reports);
  // A report the base has not received yet has no time: the export leaves it blank.
  expect([...times]).toEqual([[received, 1_741_424_400_000]]);
  expect(times.has(waiting)).toBe(false);
});

test("the order of receipt is the base's count of what it took in, read from the index alone", async () => {
  const { db, dataKey, w } = await desk('rasid-desk-ranks');
  const later = await createReport(w, damageReport);
  const earlier = await createReport(w, { ...damageReport, placeName: 'حي الرمل' });
  const waiting = await createReport(w, { ...damageReport, placeName: 'حي الصليبة' });
  const createOf = async (report: string) => (await db.ops.where('reportId').equals(report).first())!.id;
  // Far apart: the index is read a page of seq values at a time.
  await db.ops.update(await createOf(later), { seq: 20_007, receivedAt: 1_741_424_400_000 });
  await db.ops.update(await createOf(earlier), { seq: 3, receivedAt: 1_741_424_300_000 });
  const reports = (await db.reports.toArray()).map((row) => deskReportOf(row, 0)!);

  const ranks = await receiptRanks(db, reports);
  expect(ranks.get(earlier)).toBeLessThan(ranks.get(later)!);
  expect(ranks.has(waiting)).toBe(false);
  // Locked, it reads nothing, as every read of the ops does.
  dataKey.clear();
  await expect(receiptRanks(db, reports)).rejects.toThrow();
});
