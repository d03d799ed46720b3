// Must come first: Dexie looks for IndexedDB when it is first imported.
import 'fake-indexeddb/auto';
import { liveQuery } from 'dexie';
import { afterEach, expect, test } from 'vitest';
import { cryptoRandom } from '../../../src/domain/ids.ts';
import { DataKeyHolder } from '../../../src/app/store/at-rest.ts';
import { RasidDb as Db } from '../../../src/app/store/db.ts';
import { createReport, editReport } from '../../../src/app/store/reports.ts';
import { waitingReports } from '../../../src/app/store/waiting.ts';
import { DEVICE, damageReport, displacementReport, freshDb, writer } from './store-fixtures.ts';

const open: Db[] = [];
function db(label: string): Db {
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

test("in a sealed database, the list's live count of waiting reports follows each save", async () => {
  const dataKey = new DataKeyHolder();
  await dataKey.set(cryptoRandom(32));
  const d = new Db(`rasid-test-waiting-sealed-${process.pid}`, { dataKey });
  open.push(d);
  const ctx = writer(d);
  const seen: Map<string, string>[] = [];
  const sub = liveQuery(() => waitingReports(d, DEVICE, 1)).subscribe((w) => seen.push(w));
  const a = await createReport(ctx, damageReport);
  const b = await createReport(ctx, displacementReport);
  await expect.poll(() => seen.at(-1)).toEqual(new Map([[b, 'new']]));
  await editReport(ctx, a, { structures: 3 });
  await expect
    .poll(() => seen.at(-1))
    .toEqual(
      new Map([
        [b, 'new'],
        [a, 'changes'],
      ]),
    );
  sub.unsubscribe();
});
