/**
 * Sync between devices whose databases are sealed at rest: the engine, the merge and the conflict
 * queue work the same, and neither phone's disk holds the report in clear.
 */
// Must come first: Dexie looks for IndexedDB when it is first imported.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, test } from 'vitest';
import { DataKeyHolder } from '../../../src/app/store/at-rest.ts';
import { RasidDb } from '../../../src/app/store/db.ts';
import { createReport, editReport } from '../../../src/app/store/reports.ts';
import { viewOf } from '../../../src/domain/merge.ts';
import { damageReport } from '../store/store-fixtures.ts';
import { enrollDevice, startBase, syncDevice, type Base, type Device } from './sync-fixtures.ts';

const MARKER = 'MARKER-c41d-الحارة-الشرقية';
const bases: Base[] = [];
const devices: Device[] = [];
afterEach(async () => {
  for (const d of devices.splice(0)) await d.db.delete();
  for (const b of bases.splice(0)) await b.close();
});

async function unlockedKeys(): Promise<DataKeyHolder> {
  const keys = new DataKeyHolder();
  await keys.set(crypto.getRandomValues(new Uint8Array(32)));
  return keys;
}

async function diskText(d: Device): Promise<string> {
  const disk = new RasidDb(d.db.name);
  try {
    const rows = await Promise.all(disk.tables.map((t) => t.toArray()));
    return JSON.stringify(rows, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v));
  } finally {
    disk.close();
  }
}

describe('sync over sealed databases', () => {
  test('a monitor and a coordinator edit one report apart; both converge, and neither disk holds its words', async () => {
    const base = await startBase();
    bases.push(base);
    const coordinator = await enrollDevice(base, 'coord', 'coordinator', undefined, base.fetch, await unlockedKeys());
    const monitor = await enrollDevice(base, 'phone', 'monitor', coordinator, base.fetch, await unlockedKeys());
    devices.push(coordinator, monitor);

    const id = await createReport(monitor.writer, { ...damageReport, narrative: MARKER });
    await syncDevice(monitor);
    await syncDevice(coordinator);
    await editReport(coordinator.writer, id, { structures: 11 });
    await editReport(monitor.writer, id, { structures: 12 });
    await syncDevice(coordinator);
    await syncDevice(monitor);
    await syncDevice(coordinator);

    const views = await Promise.all([coordinator, monitor].map(async (d) => viewOf((await d.db.reports.get(id))!.state)));
    expect(views[0]).toEqual(views[1]);
    expect(views[0]!.values.narrative).toBe(MARKER);
    expect(views[0]!.conflicts).toEqual(['structures']);
    expect(await coordinator.db.reports.where('hasConflict').equals(1).count()).toBe(1);

    for (const d of [coordinator, monitor]) expect(await diskText(d)).not.toContain('MARKER');
  });
});
