// Must come first: Dexie looks for IndexedDB when it is first imported.
import 'fake-indexeddb/auto';
import { describe, expect, test } from 'vitest';
import { createReport, editReport } from '../../../src/app/store/reports.ts';
import { highestHeld } from '../../../src/app/sync/push.ts';
import { damageReport, displacementReport } from '../store/store-fixtures.ts';
import { syncDevice, trackDeployments } from './sync-fixtures.ts';

const deployments = trackDeployments();

describe('what a coordinator may have to relay', () => {
  test('the highest op held of each other device, its own left out, as its pull left them', async () => {
    const base = await deployments.base();
    const coordinator = await deployments.device(base, 'coord', 'coordinator');
    const one = await deployments.device(base, 'monitor-one', 'monitor', coordinator);
    const two = await deployments.device(base, 'monitor-two', 'monitor', coordinator);
    expect(await highestHeld(coordinator.db, coordinator.device)).toEqual(new Map());

    await createReport(coordinator.writer, damageReport);
    await createReport(one.writer, damageReport);
    const b = await createReport(two.writer, displacementReport);
    await editReport(two.writer, b, { households: 12 });
    await editReport(two.writer, b, { households: 13 });
    for (const d of [one, two, coordinator]) await syncDevice(d);

    expect(await highestHeld(coordinator.db, coordinator.device)).toEqual(
      new Map([
        [one.device, 1],
        [two.device, 3],
      ]),
    );
  });
});
