// Must come first: Dexie looks for IndexedDB when it is first imported.
import 'fake-indexeddb/auto';
import { liveQuery } from 'dexie';
import { afterEach, expect, test } from 'vitest';
import { LockedError, SEALED_PROP, UNREADABLE_PROP } from '../../../src/app/store/at-rest.ts';
import type { OpRow, RasidDb } from '../../../src/app/store/db.ts';
import { createReport } from '../../../src/app/store/reports.ts';
import { putStored } from '../../../src/app/store/at-rest-middleware.ts';
import { keysHeld, readStored, storedInRange } from '../../../src/app/store/stored-rows.ts';
import type { OpId, ReportId } from '../../../src/domain/ids.ts';
import { DEVICE, damageReport, displacementReport, deleteSealedDbs, freshSealedDb, writer } from './store-fixtures.ts';

afterEach(deleteSealedDbs);

/** The op rows as IndexedDB holds them, read past Dexie: what a hand with the profile alone would see. */
async function onDisk(db: RasidDb): Promise<Map<string, Record<string, unknown>>> {
  const rows = await new Promise<Record<string, unknown>[]>((resolve, reject) => {
    const request = db.backendDB().transaction('ops').objectStore('ops').getAll();
    request.onsuccess = () => resolve(request.result as Record<string, unknown>[]);
    request.onerror = () => reject(request.error ?? new Error('read failed'));
  });
  return new Map(rows.map((r) => [r.id as string, r]));
}

test("an op's seq is written onto its row as it lies: the same seal, which still opens to the same op", async () => {
  const { db } = await freshSealedDb('stored-rows');
  const id = await createReport(writer(db), damageReport);
  const [op] = await db.ops.where('reportId').equals(id).toArray();
  const before = (await onDisk(db)).get(op!.id)!;

  const [stored] = await readStored<OpRow, 'id' | 'seq' | 'receivedAt'>(db, db.ops, [op!.id]);
  expect(stored).not.toHaveProperty('body');
  await putStored(db, db.ops, [{ ...stored!, seq: 41, receivedAt: 1_741_424_400_000 }]);

  const after = (await onDisk(db)).get(op!.id)!;
  expect(after[SEALED_PROP]).toEqual(before[SEALED_PROP]);
  expect(after).toMatchObject({ seq: 41, receivedAt: 1_741_424_400_000 });
  expect(await db.ops.get(op!.id)).toEqual({ ...op, seq: 41, receivedAt: 1_741_424_400_000 });
});

test('a row kept with its seal may change only in clear, and a stored row is never sealed inside another', async () => {
  const { db } = await freshSealedDb('stored-rows');
  const id = await createReport(writer(db), damageReport);
  const [op] = await db.ops.where('reportId').equals(id).toArray();
  const [stored] = await readStored<OpRow, 'id'>(db, db.ops, [op!.id]);
  await expect(putStored(db, db.ops, [{ ...stored!, body: op!.body } as unknown as Pick<OpRow, 'id'>])).rejects.toThrow(/clear part/);
  await expect(db.ops.put({ ...(stored as OpRow) })).rejects.toThrow(/sealed already/);
  expect(await db.ops.get(op!.id)).toEqual(op);
});

test('a row planted in clear is left as it lies, never sealed as if this device had written it', async () => {
  const { db } = await freshSealedDb('stored-rows');
  const id = await createReport(writer(db), damageReport);
  const [op] = await db.ops.where('reportId').equals(id).toArray();
  const planted = { ...op!, id: 'planted-op', deviceSeq: 99, body: { ...op!.body, changes: { narrative: 'planted' } } };
  await new Promise<void>((resolve, reject) => {
    const tx = db.backendDB().transaction('ops', 'readwrite');
    tx.objectStore('ops').put(planted);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('write failed'));
  });
  const [stored] = await readStored<OpRow, 'id' | 'seq'>(db, db.ops, ['planted-op']);
  await putStored(db, db.ops, [{ ...stored!, seq: 7 }]);
  expect((await onDisk(db)).get('planted-op')).toEqual(planted);
  expect(await db.ops.get('planted-op' as OpId)).toMatchObject({ id: 'planted-op', [UNREADABLE_PROP]: true });
});

test('a live query over a range reads it as it lies and runs again when a row in it takes a seq', async () => {
  const { db } = await freshSealedDb('stored-rows');
  const w = writer(db);
  await createReport(w, damageReport);
  await createReport(w, displacementReport);
  const seen: number[][] = [];
  const sub = liveQuery(() =>
    storedInRange<OpRow, 'deviceSeq' | 'seq'>(db, db.ops, '[device+deviceSeq]', [DEVICE, 0], [DEVICE, Infinity]),
  ).subscribe((rows) => seen.push(rows.map((r) => r.seq ?? 0)));
  try {
    await expect.poll(() => seen.at(-1)).toEqual([0, 0]);
    const [, second] = await storedInRange<OpRow, 'id' | 'seq'>(db, db.ops, '[device+deviceSeq]', [DEVICE, 0], [DEVICE, Infinity]);
    await putStored(db, db.ops, [{ ...second!, seq: 12 }]);
    await expect.poll(() => seen.at(-1)).toEqual([0, 12]);
  } finally {
    sub.unsubscribe();
  }
});

test('locked, rows are not read as they lie either', async () => {
  const sealed = await freshSealedDb('stored-rows-locked');
  const id = await createReport(writer(sealed.db), damageReport);
  const [op] = await sealed.db.ops.where('reportId').equals(id).toArray();
  sealed.dataKey.clear();
  await expect(readStored<OpRow, 'id'>(sealed.db, sealed.db.ops, [op!.id])).rejects.toBeInstanceOf(LockedError);
  await expect(
    storedInRange<OpRow, 'id'>(sealed.db, sealed.db.ops, '[device+deviceSeq]', [DEVICE, 0], [DEVICE, Infinity]),
  ).rejects.toBeInstanceOf(LockedError);
  await expect(keysHeld(sealed.db, sealed.db.ops, [op!.id])).rejects.toBeInstanceOf(LockedError);
});

test('the keys a table holds: those asked for below, among and above its rows, and none asked twice', async () => {
  const { db } = await freshSealedDb('stored-rows-keys');
  const ctx = writer(db);
  const ids: ReportId[] = [];
  for (let i = 0; i < 12; i++) {
    ctx.clock.ms += 60_000;
    ids.push(await createReport(ctx, damageReport));
  }
  const held = ids.filter((_, i) => i % 3 === 1);
  await db.reports.bulkDelete(ids.filter((id) => !held.includes(id)));
  const below = ids[0]!.slice(0, -1) + '0';
  const above = ids.at(-1)!.slice(0, -1) + 'z';
  const asked = [above, ...ids, held[0]!, below];
  expect(await keysHeld<string>(db, db.reports, asked)).toEqual(new Set(held));
  // None held between the lowest and highest asked for: nothing more is read, and none is found.
  expect(await keysHeld(db, db.reports, [ids[0]!, ids[2]!])).toEqual(new Set());
  expect(await keysHeld(db, db.reports, [above])).toEqual(new Set());
  expect(await keysHeld(db, db.reports, [])).toEqual(new Set());
  // Inside a transaction of the caller's, it sees what that transaction wrote.
  await db.transaction('rw', db.reports, async () => {
    await db.reports.delete(held[0]!);
    expect(await keysHeld(db, db.reports, ids)).toEqual(new Set(held.slice(1)));
  });
});
