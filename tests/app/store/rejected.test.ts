// Must come first: Dexie looks for IndexedDB when it is first imported.
import 'fake-indexeddb/auto';
import { liveQuery } from 'dexie';
import { afterEach, expect, test } from 'vitest';
import { putStored } from '../../../src/app/store/at-rest-middleware.ts';
import { readStored } from '../../../src/app/store/stored-rows.ts';
import type { OpRow } from '../../../src/app/store/db.ts';
import { rejectedOwnOps } from '../../../src/app/store/rejected.ts';
import { createReport, editReport } from '../../../src/app/store/reports.ts';
import { DEVICE, damageReport, displacementReport, deleteSealedDbs, freshSealedDb, writer } from './store-fixtures.ts';

afterEach(deleteSealedDbs);

test('the ops the base rejected are the only ones opened, and a live query sees a rejection as it is written', async () => {
  const { db } = await freshSealedDb('rejected');
  const w = writer(db);
  const a = await createReport(w, damageReport);
  await createReport(w, displacementReport);
  await editReport(w, a, { structures: 9 });
  const seen: string[][] = [];
  const sub = liveQuery(() => rejectedOwnOps(db, DEVICE)).subscribe((ops) => seen.push(ops.map((o) => `${o.kind}:${o.rejected}`)));
  try {
    await expect.poll(() => seen.at(-1)).toEqual([]);
    const edit = (await db.ops.where('reportId').equals(a).toArray()).find((o) => o.kind === 'edit')!;
    const [stored] = await readStored<OpRow, 'id' | 'rejected'>(db, db.ops, [edit.id]);
    await putStored(db, db.ops, [{ ...stored!, rejected: 'err.op.reportOwned' }]);
    await expect.poll(() => seen.at(-1)).toEqual(['edit:err.op.reportOwned']);
  } finally {
    sub.unsubscribe();
  }
  const [rejected] = await rejectedOwnOps(db, DEVICE);
  expect(rejected!.body.changes).toEqual({ structures: 9 });
});
