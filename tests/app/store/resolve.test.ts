// Must come first: Dexie looks for IndexedDB when it is first imported.
import 'fake-indexeddb/auto';
import { afterEach, expect, test } from 'vitest';
import { RasidDb } from '../../../src/app/store/db.ts';
import { createReport, deleteReport, editReport } from '../../../src/app/store/reports.ts';
import { chooseValue, keepDeleted, restoreReport } from '../../../src/app/store/resolve.ts';
import type { WriterContext } from '../../../src/app/store/write-op.ts';
import { takeIn } from '../../../src/app/sync/take-in-steps.ts';
import { viewOf } from '../../../src/domain/merge.ts';
import { damageReport, seededRandom, T0 } from './store-fixtures.ts';
import { deviceId } from '../../ids.ts';

const dbs: RasidDb[] = [];
afterEach(async () => {
  for (const d of dbs.splice(0)) await d.delete();
});

function device(name: string, seed: number): WriterContext {
  const db = new RasidDb(`rasid-resolve-${name}-${seed}-${process.pid}`);
  dbs.push(db);
  const clock = { ms: T0 + seed };
  return { db, device: deviceId(`${name}-device`), now: () => (clock.ms += 1000), random: seededRandom(seed) };
}

/** Hands every op one device holds to another, as sync would. */
async function deliver(from: WriterContext, to: WriterContext) {
  const ops = (await from.db.ops.toArray()).map((op) => ({ op }));
  await takeIn(to.db, { ops, toQuarantine: [], rejected: [], covering: {} }, { device: to.device, now: to.now });
}

async function crossedDelete() {
  const monitor = device('monitor', 11);
  const coordinator = device('coord', 12);
  const id = await createReport(monitor, damageReport);
  await deliver(monitor, coordinator);
  await deleteReport(monitor, id);
  await editReport(coordinator, id, { structures: 2 });
  await deliver(monitor, coordinator);
  const view = viewOf((await coordinator.db.reports.get(id))!.state);
  expect(view.conflicts).toEqual(['deleted']);
  return { coordinator, id };
}

test('choosing one value supersedes every head: the conflict is gone', async () => {
  const a = device('a', 1);
  const b = device('b', 2);
  const id = await createReport(a, damageReport);
  await deliver(a, b);
  await editReport(a, id, { narrative: 'أ' });
  await editReport(b, id, { narrative: 'ب' });
  await deliver(a, b);
  expect(viewOf((await b.db.reports.get(id))!.state).conflicts).toEqual(['narrative']);
  await chooseValue(b, id, 'narrative', 'أ');
  const row = (await b.db.reports.get(id))!;
  expect(viewOf(row.state)).toMatchObject({ conflicts: [], values: { narrative: 'أ' } });
  expect(row.hasConflict).toBeUndefined();
});

test('a delete that crossed an edit can be kept: the report is deleted, with no conflict', async () => {
  const { coordinator, id } = await crossedDelete();
  await keepDeleted(coordinator, id);
  const view = viewOf((await coordinator.db.reports.get(id))!.state);
  expect(view).toMatchObject({ deleted: true, conflicts: [] });
});

test('a delete that crossed an edit can be undone: the values the delete superseded come back', async () => {
  const { coordinator, id } = await crossedDelete();
  await restoreReport(coordinator, id);
  const view = viewOf((await coordinator.db.reports.get(id))!.state);
  expect(view.deleted).toBe(false);
  expect(view.conflicts).toEqual([]);
  const { type: _t, ...values } = damageReport;
  expect(view.values).toMatchObject({ ...values, structures: 2 });
});
