import 'fake-indexeddb/auto';
import { afterEach, expect, test } from 'vitest';
import { LockedError, SEALED_PROP } from '../../../src/app/store/at-rest.ts';
import { readClearParts } from '../../../src/app/store/clear-parts.ts';
import { createReport } from '../../../src/app/store/reports.ts';
import { damageReport, deleteSealedDbs, freshSealedDb, writer } from './store-fixtures.ts';

afterEach(deleteSealedDbs);

test("an op's clear part is read without its sealed part: the receipt time, never the body", async () => {
  const { db } = await freshSealedDb('clear-parts');
  const id = await createReport(writer(db), damageReport);
  const [op] = await db.ops.where('reportId').equals(id).toArray();
  await db.ops.update(op!.id, { receivedAt: 1_741_424_400_000 });

  const [part, none] = await readClearParts(db, 'ops', [op!.id, 'no-such-op']);
  expect(part).toMatchObject({ id: op!.id, reportId: id, kind: 'create', receivedAt: 1_741_424_400_000 });
  expect(part).not.toHaveProperty('body');
  expect(part).not.toHaveProperty(SEALED_PROP);
  expect(JSON.stringify(part)).not.toContain(damageReport.placeName);
  expect(none).toBeUndefined();
});

test('locked, the clear parts are refused like any read of a sealed table', async () => {
  const { db, dataKey } = await freshSealedDb('clear-parts');
  const id = await createReport(writer(db), damageReport);
  const [op] = await db.ops.where('reportId').equals(id).toArray();
  dataKey.clear();
  await expect(readClearParts(db, 'ops', [op!.id])).rejects.toBeInstanceOf(LockedError);
});
