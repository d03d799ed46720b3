/**
 * Filling a new store with the demo, through the store's own push; refusing any store that is not
 * new. The demo makes its keys first, as a deployment does: the store holds headers and ciphertext,
 * every op carries an outer signature its author's key verifies, and the demo's key file opens
 * every op to what the scenario wrote.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openKeyFile, openRootFile } from '../../../src/domain/crypto/key-file.ts';
import { readPublicKey } from '../../../src/domain/crypto/keys.ts';
import { checkOuter } from '../../../src/domain/op/outer-signature.ts';
import { PairKeyCache } from '../../../src/domain/crypto/pair-keys.ts';
import { sealedBodySchema } from '../../../src/domain/op/sealed.ts';
import { KeyDirectory } from '../../../src/domain/key-directory.ts';
import { readArrived } from '../../../src/domain/op/read.ts';
import type { RosterEntry } from '../../../src/domain/roster.ts';
import { makeEnrollmentCode } from '../../../src/server/enrollment/codes.ts';
import { readDeploymentKey, readDeploymentRoot } from '../../../src/server/enrollment/deployment-key.ts';
import { deviceByToken } from '../../../src/server/enrollment/devices.ts';
import { enrollDevice } from '../../../src/server/enrollment/enroll.ts';
import { DEMO_KEY_FILE, DEMO_KEY_PASSPHRASE, DEMO_ROOT_FILE, DEMO_ROOT_PASSPHRASE } from '../../../src/server/demo/demo-keys.ts';
import { DEMO_SEED, DemoRefused, demoMessage, sampleGazetteer, seedDemo, type DemoSeeded } from '../../../src/server/demo/seed.ts';
import { DEMO_COORDINATORS, demoScenario } from '../../../src/server/demo/scenario.ts';
import { openStore, pullOps, type Store } from '../../../src/server/store/index.ts';
import { trustedRosterAtBase } from '../../../src/server/store/trusted-keys.ts';
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

/**
 * One store seeded once, for every test that only reads it (a refused second seed leaves it as it
 * was): seeding signs and seals some 900 ops, which each test doing again made the file slow.
 */
let demo: { store: Store; seeded: DemoSeeded };
beforeAll(async () => {
  const store = await openStore({ memory: true });
  demo = { store, seeded: await seedDemo(store, { now: NOW }) };
});
afterAll(() => demo?.store.close());

const scenario = demoScenario({ seed: DEMO_SEED, now: NOW, gazetteer: sampleGazetteer() });
const written = new Map(
  Object.values(scenario.ops)
    .flat()
    .map((o) => [o.id, o]),
);
const total = written.size;
const coordinator = { device: DEMO_COORDINATORS[0], role: 'coordinator' as const };

/** Every op the store serves a coordinator, as it travels. */
async function served(store: Store) {
  const pulled = await pullOps(store.db, { caller: coordinator, after: null, limit: total + 10 });
  if (pulled.reset) throw new Error('a first pull is never a reset');
  return pulled.ops.map((o) => o.op);
}

/** The demo devices' public keys, as the base registered them. */
async function enrolledKeys(store: Store): Promise<RosterEntry[]> {
  const rows = await store.db.selectFrom('devices').select(['device', 'role', 'public_keys']).execute();
  return rows.map((r) => ({ device: r.device, role: r.role, keys: JSON.parse(r.public_keys ?? '{}') as Record<string, string> }));
}

describe('seeding the demo', () => {
  it('every op of the scenario is acknowledged and stored, none rejected, each at the time its phone synced', async () => {
    const { store, seeded } = demo;
    expect(seeded).toMatchObject({ reports: 300, devices: 8, ops: total + 1 });
    const rows = await store.db.selectFrom('ops').select(['id', 'device', 'status', 'received_at']).execute();
    expect(rows).toHaveLength(total + 1);
    for (const row of rows) {
      expect(row.status).toBe('ok');
      // The root's statement, relayed before anything else, as the devices were enrolled.
      if (!written.has(row.id)) expect([row.device.startsWith('root-'), Number(row.received_at)]).toEqual([true, scenario.enrolledAt]);
      else expect(Number(row.received_at)).toBe(scenario.receivedAt[row.id]);
    }
  });

  it('registers the demo devices with their roles and public keys, and no token reaches any of them', async () => {
    const { store } = demo;
    const devices = await store.db
      .selectFrom('devices')
      .select(['device', 'role', 'token_hash', 'revoked_at', 'public_keys'])
      .orderBy('device')
      .execute();
    expect(devices.map((d) => [d.device, d.role])).toEqual(scenario.devices.map((d) => [d.device, d.role]).sort());
    for (const d of devices) {
      expect(d.token_hash).not.toMatch(/^[0-9a-f]{64}$/);
      expect(await deviceByToken(store.db, d.token_hash)).toBeUndefined();
      expect(Object.keys(JSON.parse(d.public_keys!) as object).sort()).toEqual(['agreement', 'signing']);
    }
  });

  it('makes the demo keys first: the root names the demo coordinators and the deployment key, and the files open with the printed passphrases', async () => {
    const { store, seeded } = demo;
    const [key, root] = [await readDeploymentKey(store.db), await readDeploymentRoot(store.db)];
    expect(key?.fingerprint).toBe(seeded.keyFile.fingerprint);
    expect(root?.fingerprint).toBe(seeded.rootFile.fingerprint);
    const [keyFile, rootFile] = [
      await openKeyFile(seeded.keyFile, DEMO_KEY_PASSPHRASE),
      await openRootFile(seeded.rootFile, DEMO_ROOT_PASSPHRASE),
    ];
    expect(keyFile.ok && keyFile.pair.publicKey.text).toBe(key!.key);
    expect(rootFile.ok && rootFile.pair.publicKey.text).toBe(root!.key);
    // Each file opens with its own passphrase only.
    expect((await openKeyFile(seeded.keyFile, DEMO_ROOT_PASSPHRASE)).ok).toBe(false);

    // By the trust rule, as the base and every device that pins the demo root read it.
    const trusted = await trustedRosterAtBase(store.db, { device: root!.device, signing: root!.key }, []);
    expect(trusted?.deploymentKeys).toEqual([key!.key]);
    expect(trusted?.clashes).toEqual([]);
    const roles = new Map([...trusted!.devices].map(([device, named]) => [device, named.role]));
    expect(roles).toEqual(new Map(scenario.devices.map((d) => [d.device, d.role])));
    const enrolled = new Map((await enrolledKeys(store)).map((e) => [e.device, e.keys]));
    for (const [device, named] of trusted!.devices) expect(named.keys.map((k) => k.signing)).toEqual([enrolled.get(device)!.signing]);
  });

  it('the store holds the demo sealed: report and desk ops only as ciphertext, every op with an outer signature its author verifies', async () => {
    const { store } = demo;
    const ops = await served(store);
    const signers = new Map((await enrolledKeys(store)).map((e) => [e.device, e.keys!.signing!]));
    const root = await readDeploymentRoot(store.db);
    signers.set(root!.device, root!.key);
    const narratives = [...written.values()].flatMap((o) =>
      typeof o.body.changes.narrative === 'string' ? [o.body.changes.narrative] : [],
    );
    expect(narratives.length).toBeGreaterThan(250);
    const stored = JSON.stringify(await store.db.selectFrom('ops').selectAll().execute());
    expect(narratives.filter((n) => stored.includes(n))).toEqual([]);
    for (const op of ops) {
      expect(op.v).toBe(2);
      if (op.kind === 'deployment') expect(op.sig).toMatch(/^[A-Za-z0-9_-]{86}$/);
      else expect(sealedBodySchema.safeParse(JSON.parse(op.body)).success, op.id).toBe(true);
      const author = await readPublicKey(signers.get(op.device), 'signing');
      expect(author.ok && (await checkOuter(author.key, op, op.body, op.osig)), op.id).toBe(true);
    }
    expect(ops.filter((o) => o.device === root!.device).map((o) => o.reportId)).toEqual(['roster']);
  });

  it('opened with the demo key file, every op served is the op the scenario wrote', async () => {
    const { store, seeded } = demo;
    const opened = await openKeyFile(seeded.keyFile, DEMO_KEY_PASSPHRASE);
    if (!opened.ok) throw new Error(opened.reason);
    const entries = await enrolledKeys(store);
    const reader = { mine: [opened.pair], directory: await KeyDirectory.of(entries), pairs: new PairKeyCache() };
    // The same scenario, with the keys this store's roster names its devices with.
    const keys = new Map(entries.map((e) => [e.device, { agreement: e.keys!.agreement!, signing: e.keys!.signing! }]));
    const same = demoScenario({ seed: DEMO_SEED, now: NOW, gazetteer: sampleGazetteer(), keys });
    const expected = new Map(
      Object.values(same.ops)
        .flat()
        .map((o) => [o.id, o]),
    );
    const ops = (await served(store)).filter((o) => expected.has(o.id));
    expect(ops).toHaveLength(total);
    for (const op of ops) {
      const read = await readArrived(op, reader);
      expect(read.ok, op.id).toBe(true);
      if (read.ok) expect(read.op).toEqual(expected.get(op.id));
    }
  });

  it('says where the demo files are, their passphrases as the demo only, and how a coordinator reads the reports', async () => {
    const seeded = { reports: 300, devices: 8 } as DemoSeeded;
    const lines = demoMessage(seeded, '/srv/rasid-demo').split('\n');
    expect(lines[0]).toBe('Filled this new base with demo data: 300 reports from 8 devices. Every report in it is invented.');
    const text = lines.join('\n');
    for (const part of [
      `/srv/rasid-demo`,
      DEMO_KEY_FILE,
      DEMO_ROOT_FILE,
      DEMO_KEY_PASSPHRASE,
      DEMO_ROOT_PASSPHRASE,
      'DEMO ONLY',
      'import the key file',
    ])
      expect(text).toContain(part);
  });

  it('a second seed is refused and leaves the store as it was', async () => {
    const { store } = demo;
    const keys = await readDeploymentKey(store.db);
    await expect(seedDemo(store, { now: NOW + 1000 })).rejects.toThrow(DemoRefused);
    await expect(seedDemo(store, { now: NOW })).rejects.toThrow(/already holds reports.*never mix with real ones/);
    expect(await store.db.selectFrom('ops').select('id').execute()).toHaveLength(total + 1);
    expect(await readDeploymentKey(store.db)).toEqual(keys);
  });

  it('a store with an enrolled device but no ops yet is refused too, and keeps no demo device nor key', async () => {
    const store = await open();
    const deps = { now: () => NOW, random: (n: number) => new Uint8Array(n).fill(9) };
    const { code } = await makeEnrollmentCode(store.db, 'coordinator', deps);
    expect((await enrollDevice(store.db, { code, device: deviceId('real-coordinator-01') }, deps)).ok).toBe(true);
    await expect(seedDemo(store, { now: NOW })).rejects.toThrow(/already holds enrolled devices/);
    expect((await store.db.selectFrom('devices').select('device').execute()).map((d) => d.device)).toEqual(['real-coordinator-01']);
    expect([await readDeploymentKey(store.db), await readDeploymentRoot(store.db)]).toEqual([undefined, undefined]);
  });
});
