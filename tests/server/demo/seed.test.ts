/** Filling a new store with the demo, through the store's own push; refusing any store that is not new. */
import { afterEach, describe, expect, it } from 'vitest';
import { fromWire } from '../../../src/domain/wire-op.ts';
import { makeEnrollmentCode } from '../../../src/server/enrollment/codes.ts';
import { deviceByToken } from '../../../src/server/enrollment/devices.ts';
import { enrollDevice } from '../../../src/server/enrollment/enroll.ts';
import { DEMO_SEED, DemoRefused, demoMessage, sampleGazetteer, seedDemo } from '../../../src/server/demo/seed.ts';
import { demoScenario } from '../../../src/server/demo/scenario.ts';
import { openStore, pullOps, type Store } from '../../../src/server/store/index.ts';
import { deviceId } from '../../ids.ts';

const NOW = Date.UTC(2026, 2, 20, 9, 30);
const stores: Store[] = [];
const open = async () => {
  const store = await openStore({ memory: true });
  stores.push(store);
  return store;
};
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

const scenario = demoScenario({ seed: DEMO_SEED, now: NOW, gazetteer: sampleGazetteer() });
const total = Object.values(scenario.ops).flat().length;

describe('seeding the demo', () => {
  it('every op of the scenario is acknowledged and stored, none rejected, each at the time its phone synced', async () => {
    const store = await open();
    const seeded = await seedDemo(store, { now: NOW });
    expect(seeded).toEqual({ reports: 300, devices: 8, ops: total });
    const rows = await store.db.selectFrom('ops').select(['id', 'status', 'received_at']).execute();
    expect(rows).toHaveLength(total);
    for (const row of rows) {
      expect(row.status).toBe('ok');
      expect(Number(row.received_at)).toBe(scenario.receivedAt[row.id]);
    }
    expect(demoMessage(seeded)).toBe('Filled this new base with demo data: 300 reports from 8 devices. Every report in it is invented.');
  });

  it('registers the demo devices with their roles, and no token reaches any of them', async () => {
    const store = await open();
    await seedDemo(store, { now: NOW });
    const devices = await store.db.selectFrom('devices').select(['device', 'role', 'token_hash', 'revoked_at']).orderBy('device').execute();
    expect(devices.map((d) => [d.device, d.role])).toEqual(scenario.devices.map((d) => [d.device, d.role]).sort());
    for (const d of devices) {
      expect(d.token_hash).not.toMatch(/^[0-9a-f]{64}$/);
      expect(await deviceByToken(store.db, d.token_hash)).toBeUndefined();
    }
  });

  it('a coordinator pulls every op back, each readable as it was written', async () => {
    const store = await open();
    await seedDemo(store, { now: NOW });
    const pulled = await pullOps(store.db, {
      caller: { device: deviceId('demo-coordinator-1'), role: 'coordinator' },
      after: null,
      limit: total + 10,
    });
    if (pulled.reset) throw new Error('a first pull is never a reset');
    expect(pulled.ops).toHaveLength(total);
    const written = new Map(
      Object.values(scenario.ops)
        .flat()
        .map((o) => [o.id, o]),
    );
    for (const served of pulled.ops) {
      const read = fromWire({ ...served.header, body: served.body });
      expect(read.ok).toBe(true);
      if (read.ok) expect(read.op).toEqual(written.get(served.header.id));
    }
  });

  it('a second seed is refused and leaves the store as it was', async () => {
    const store = await open();
    await seedDemo(store, { now: NOW });
    await expect(seedDemo(store, { now: NOW + 1000 })).rejects.toThrow(DemoRefused);
    await expect(seedDemo(store, { now: NOW })).rejects.toThrow(/already holds reports.*never mix with real ones/);
    expect(await store.db.selectFrom('ops').select('id').execute()).toHaveLength(total);
  });

  it('a store with an enrolled device but no ops yet is refused too, and keeps no demo device', async () => {
    const store = await open();
    const deps = { now: () => NOW, random: (n: number) => new Uint8Array(n).fill(9) };
    const { code } = await makeEnrollmentCode(store.db, 'coordinator', deps);
    expect((await enrollDevice(store.db, { code, device: deviceId('real-coordinator-01') }, deps)).ok).toBe(true);
    await expect(seedDemo(store, { now: NOW })).rejects.toThrow(/already holds enrolled devices/);
    expect((await store.db.selectFrom('devices').select('device').execute()).map((d) => d.device)).toEqual(['real-coordinator-01']);
  });
});
