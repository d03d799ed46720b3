// Must come first: Dexie looks for IndexedDB when it is first imported.
import 'fake-indexeddb/auto';
import { afterEach, expect, test } from 'vitest';
import { publishGazetteer } from '../../../src/app/sync/deployment-settings.ts';
import { keepRoster } from '../../../src/app/sync/service.ts';
import { distinctHeads } from '../../../src/domain/merge.ts';
import { GAZETTEER_ID, rosterOf, ROSTER_ID } from '../../../src/domain/roster.ts';
import { enrollDevice, ORIGIN, startBase, syncDevice, type Base, type Device } from './sync-fixtures.ts';

const open: { bases: Base[]; devices: Device[] } = { bases: [], devices: [] };
afterEach(async () => {
  for (const d of open.devices.splice(0)) await d.db.delete();
  for (const b of open.bases.splice(0)) await b.close();
});

test("a coordinator's app writes every enrolled device into the roster, once, and every device receives it", async () => {
  const base = await startBase();
  open.bases.push(base);
  const coordinator = await enrollDevice(base, 'coord', 'coordinator');
  const monitor = await enrollDevice(base, 'monitor', 'monitor', coordinator);
  open.devices.push(coordinator, monitor);
  const endpoint = { origin: ORIGIN, token: coordinator.token, fetch: base.fetch };
  expect(await keepRoster(coordinator.writer, endpoint, coordinator.device)).toBe(2);
  expect(await keepRoster(coordinator.writer, endpoint, coordinator.device)).toBe(0);
  await syncDevice(coordinator);
  await syncDevice(monitor);
  const roster = rosterOf((await monitor.db.settings.get(ROSTER_ID))!.state);
  expect(Object.fromEntries(roster)).toEqual({ [coordinator.device]: 'coordinator', [monitor.device]: 'monitor' });
});

test('the gazetteer a coordinator imports reaches every enrolled device at its next sync, replacing the one before', async () => {
  const base = await startBase();
  open.bases.push(base);
  const coordinator = await enrollDevice(base, 'coord', 'coordinator');
  const monitor = await enrollDevice(base, 'monitor', 'monitor', coordinator);
  open.devices.push(coordinator, monitor);
  const tartus = { pcode: 'SY05', level: 1 as const, en: 'Tartus', ar: 'طرطوس' };
  const latakia = { pcode: 'SY04', level: 1 as const, en: 'Lattakia', ar: 'اللاذقية' };
  await publishGazetteer(coordinator.writer, { name: 'first', units: [tartus] });
  await syncDevice(coordinator);
  await syncDevice(monitor);
  await publishGazetteer(coordinator.writer, { name: 'second', units: [tartus, latakia] });
  await syncDevice(coordinator);
  await syncDevice(monitor);
  const heads = distinctHeads((await monitor.db.settings.get(GAZETTEER_ID))!.state.fields['gazetteer']);
  expect(heads).toHaveLength(1);
  expect(heads[0]!.value).toEqual({ name: 'second', units: [tartus, latakia] });
  // Settings never appear among reports.
  expect(await monitor.db.reports.count()).toBe(0);
});
