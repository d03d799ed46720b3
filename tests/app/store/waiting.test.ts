// Must come first: Dexie looks for IndexedDB when it is first imported.
import 'fake-indexeddb/auto';
import { afterEach, expect, test } from 'vitest';
import type { RasidDb } from '../../../src/app/store/db.ts';
import { createReport, editReport } from '../../../src/app/store/reports.ts';
import { waitingReports } from '../../../src/app/store/waiting.ts';
import { DEVICE, damageReport, displacementReport, freshDb, writer } from './store-fixtures.ts';

const open: RasidDb[] = [];
function db(label: string): RasidDb {
  const d = freshDb(label);
  open.push(d);
  return d;
}
afterEach(async () => {
  for (const d of open.splice(0)) await d.delete();
});

test('a report whose create waits is new; one whose create the base has, with an edit waiting, has changes', async () => {
  const d = db('waiting');
  const ctx = writer(d);
  const a = await createReport(ctx, damageReport);
  const b = await createReport(ctx, displacementReport);
  expect(await waitingReports(d, DEVICE, 0)).toEqual(
    new Map([
      [a, 'new'],
      [b, 'new'],
    ]),
  );
  // The base decided both creates.
  expect((await waitingReports(d, DEVICE, 2)).size).toBe(0);
  await editReport(ctx, a, { structures: 3 });
  expect(await waitingReports(d, DEVICE, 2)).toEqual(new Map([[a, 'changes']]));
  // A new report edited before it was ever sent stays new.
  await editReport(ctx, b, { households: 4 });
  expect((await waitingReports(d, DEVICE, 1)).get(b)).toBe('new');
  expect((await waitingReports(d, DEVICE, 1)).get(a)).toBe('changes');
});
