// Must come first: Dexie looks for IndexedDB when it is first imported.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, test } from 'vitest';
import type { RasidDb } from '../../../src/app/store/db.ts';
import { createReport, editReport } from '../../../src/app/store/reports.ts';
import type { WriterContext } from '../../../src/app/store/write-op.ts';
import { takeIn, type IncomingOp } from '../../../src/app/sync/take-in-steps.ts';
import { mergeOps, viewOf } from '../../../src/domain/merge.ts';
import type { ReportId } from '../../../src/domain/ids.ts';
import { damageReport, deleteSealedDbs, freshSealedDb, seededRandom, T0 } from '../store/store-fixtures.ts';
import { deviceId } from '../../ids.ts';

afterEach(deleteSealedDbs);

async function device(name: string, seed: number): Promise<WriterContext & { db: RasidDb }> {
  const { db } = await freshSealedDb(`steps-${name}`);
  const clock = { ms: T0 + seed };
  return { db, device: deviceId(`${name}-device`), now: () => (clock.ms += 1000), random: seededRandom(seed) };
}

const allOps = async (ctx: WriterContext): Promise<IncomingOp[]> => (await ctx.db.ops.toArray()).map((op) => ({ op }));

const take = (to: WriterContext, ops: IncomingOp[]) =>
  takeIn(to.db, { ops, toQuarantine: [], rejected: [], covering: {} }, { device: to.device, now: to.now });

describe('taking in a batch', () => {
  test('a batch larger than one write part: every op is held and every report is the merge of its ops', async () => {
    const monitor = await device('monitor', 21);
    const desk = await device('desk', 22);
    const ids: ReportId[] = [];
    for (let i = 0; i < 130; i++) ids.push(await createReport(monitor, { ...damageReport, structures: i + 1 }));
    await take(desk, await allOps(monitor));
    // The second batch edits reports the desk holds and creates others, in one take-in.
    const before = new Set((await monitor.db.ops.toCollection().primaryKeys()) as string[]);
    for (const id of ids.slice(0, 120)) await editReport(monitor, id, { narrative: `احترق البيت ${id.slice(-4)}` });
    for (let i = 0; i < 110; i++) ids.push(await createReport(monitor, { ...damageReport, placeName: 'حي الصليبة' }));
    const second = (await allOps(monitor)).filter((inc) => !before.has(inc.op.id));
    expect(second).toHaveLength(230);
    await take(desk, second);

    expect(await desk.db.ops.count()).toBe(360);
    expect(await desk.db.reports.count()).toBe(240);
    for (const id of ids) {
      const ops = await desk.db.ops.where('reportId').equals(id).toArray();
      expect((await desk.db.reports.get(id))!.state).toEqual(mergeOps(id, ops));
    }
    const edited = viewOf((await desk.db.reports.get(ids[7]!))!.state);
    expect(edited.values).toMatchObject({ structures: 8, narrative: `احترق البيت ${ids[7]!.slice(-4)}` });
  });

  test('a device that holds no writer state yet goes on after its own ops in the batch: no deviceSeq is used twice', async () => {
    const phone = await device('phone', 31);
    for (let i = 0; i < 3; i++) await createReport(phone, damageReport);
    const own = await allOps(phone);
    // The same phone, its storage lost, taking its own ops back from the base with another's.
    const again = await device('again', 32);
    const restored = { ...again, device: phone.device };
    const other = await device('other', 33);
    await createReport(other, damageReport);
    await take(restored, [...own, ...(await allOps(other))]);

    const id = await createReport(restored, damageReport);
    const written = (await restored.db.ops.where('reportId').equals(id).first())!;
    expect(written.device).toBe(phone.device);
    expect(written.deviceSeq).toBe(4);
  });
});
