import 'fake-indexeddb/auto';
import { afterEach, expect, test } from 'vitest';
import { DataKeyHolder } from '../../../src/app/store/at-rest.ts';
import { RasidDb } from '../../../src/app/store/db.ts';
import { createReport } from '../../../src/app/store/reports.ts';
import { deskReportOf, receivedTimes } from '../../../src/app/desk/desk-reports.ts';
import type { OpId } from '../../../src/domain/ids.ts';
import { damageReport, writer } from '../store/store-fixtures.ts';

const open: RasidDb[] = [];
afterEach(async () => {
  for (const d of open.splice(0)) await d.delete();
});

test("receipt times come from each report's create op, and those known are not read again", async () => {
  const dataKey = new DataKeyHolder();
  await dataKey.set(crypto.getRandomValues(new Uint8Array(32)));
  const db = new RasidDb(`rasid-desk-reports-${process.pid}`, { dataKey });
  open.push(db);
  const w = writer(db);
  const received = await createReport(w, damageReport);
  const waiting = await createReport(w, { ...damageReport, placeName: 'حي الرمل' });
  const [create] = await db.ops.where('reportId').equals(received).toArray();
  await db.ops.update(create!.id, { receivedAt: 1_741_424_400_000 });
  const reports = (await db.reports.toArray()).map((row) => deskReportOf(row, 0)!);

  const known = new Map<OpId, number>();
  const first = await receivedTimes(db, reports, known);
  // A report the base has not received yet has no time: it sorts after the others, either way.
  expect([...first]).toEqual([[received, 1_741_424_400_000]]);
  expect(first.has(waiting)).toBe(false);

  // Read once: the screen orders by receipt again without reading the op.
  await db.ops.delete(create!.id);
  expect(await receivedTimes(db, reports, known)).toEqual(first);
  expect(await receivedTimes(db, reports)).toEqual(new Map());
});
