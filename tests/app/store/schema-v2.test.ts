// Must come first: Dexie looks for IndexedDB when it is first imported.
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { expect, test } from 'vitest';
import { RasidDb } from '../../../src/app/store/db.ts';
import { mergeOps } from '../../../src/domain/merge.ts';
import type { Op } from '../../../src/domain/op/op.ts';
import { deviceId, opId, reportId } from '../../ids.ts';

const op = (id: string, device: string, seq: number, changes: Record<string, unknown>, kind: Op['kind'] = 'edit'): Op => ({
  v: 1,
  id: opId(id),
  kind,
  reportId: reportId('0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b'),
  device: deviceId(device),
  deviceSeq: seq,
  body: { hlc: `2025-03-08T09:00:0${seq}.000Z-0000-a`, changes, supersedes: {} },
});

test('a version 1 database opens at today’s version with its reports and ops intact, and conflicts indexed', async () => {
  const name = `rasid-upgrade-${process.pid}`;
  const ops = [
    op('0193a1b2-c3d4-7e5f-8a9b-000000000001', 'phone-a-0001', 1, { type: 'damage', structures: 3 }, 'create'),
    op('0193a1b2-c3d4-7e5f-8a9b-000000000002', 'phone-a-0001', 2, { narrative: 'a' }),
    op('0193a1b2-c3d4-7e5f-8a9b-000000000003', 'phone-b-0001', 1, { narrative: 'b' }),
  ];
  const state = mergeOps(ops[0]!.reportId, ops);
  const v1 = new Dexie(name);
  v1.version(1).stores({
    reports: 'id, createdAt, [type+createdAt]',
    ops: 'id, reportId, [device+deviceSeq]',
    drafts: 'id, updatedAt',
    meta: 'key',
  });
  await v1.table('reports').put({ id: state.id, type: 'damage', createdAt: ops[0]!.body.hlc, state, lastOwnSeq: 2 });
  await v1.table('ops').bulkAdd(ops);
  await v1.table('meta').put({ key: 'watermark', value: 1 });
  v1.close();

  const db = new RasidDb(name);
  expect(db.verno).toBe(5);
  expect(await db.ops.toArray()).toEqual(ops);
  const row = (await db.reports.get(state.id))!;
  expect(row.state).toEqual(state);
  expect(row.hasConflict).toBe(1);
  expect(await db.reports.where('hasConflict').equals(1).primaryKeys()).toEqual([state.id]);
  expect(await db.getMeta('watermark')).toBe(1);
  expect(await db.ops.where('seq').above(0).count()).toBe(0);
  await db.delete();
});
