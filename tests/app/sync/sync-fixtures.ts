/**
 * The real base in the test's process: the Hono app with its sync and enrollment API over a real
 * SQLite store (in memory, or a file so it can be restarted or restored), reached through a `fetch`
 * that calls `app.request`. Devices are real app databases (fake IndexedDB) with the real engine;
 * each enrolls with a real one-time code.
 */
import 'fake-indexeddb/auto';
import { afterEach } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp } from '../../../src/server/app.ts';
import { claimFirstCoordinatorCode, makeEnrollmentCode } from '../../../src/server/enrollment/codes.ts';
import { hasDeploymentKeys } from '../../../src/server/enrollment/deployment-key.ts';
import { enrollBeforeKeys } from '../../server/enrolled-before-keys.ts';
import { syncApi } from '../../../src/server/http/api.ts';
import type { RequestLimits } from '../../../src/server/http/rate-limit.ts';
import { openStore, type Store } from '../../../src/server/store/index.ts';
import type { DataKeyHolder } from '../../../src/app/store/at-rest.ts';
import { RasidDb } from '../../../src/app/store/db.ts';
import type { WriterContext } from '../../../src/app/store/write-op.ts';
import { runSync, type SyncContext } from '../../../src/app/sync/engine.ts';
import { httpTransport, type Fetch } from '../../../src/app/sync/transport.ts';
import { newOpId, type DeviceId, type OpId } from '../../../src/domain/ids.ts';
import type { Role } from '../../../src/domain/roles.ts';
import { generateKeyPair, type AgreementKeyPair, type SigningKeyPair } from '../../../src/domain/crypto/keys.ts';
import { ROOT_FILE_KIND } from '../../../src/domain/crypto/key-file.ts';
import { ARGON2ID_FLOOR } from '../../../src/domain/crypto/passphrase.ts';
import { wrapUnderPassphrase } from '../../../src/domain/crypto/wrapped-key.ts';
import { opKeys, type OpKeys } from '../../../src/app/sync/op-keys.ts';
import { keepRoster } from '../../../src/app/sync/service.ts';
import { signWithRootFile } from '../../../src/app/sync/root-signing.ts';
import { seededRandom } from '../store/store-fixtures.ts';
import { deviceId } from '../../ids.ts';
import { keepRootStatement } from '../../../src/app/sync/root-statement.ts';
import { rootDeviceOf } from '../../../src/domain/root.ts';
import { signRootStatement } from '../../../src/domain/root-statement.ts';
import type { RosterEntry } from '../../../src/domain/roster.ts';

export const ORIGIN = 'https://base.test';
export const T0 = Date.UTC(2025, 2, 8, 9, 0, 0);

export interface Base {
  store: Store;
  fetch: Fetch;
  clock: { ms: number };
  close(): Promise<void>;
}

/** A base on a fresh in-memory store, or on `dataDir` (created when missing). */
export async function startBase(
  opts: { dataDir?: string; clock?: { ms: number }; seed?: number; limits?: RequestLimits } = {},
): Promise<Base> {
  const clock = opts.clock ?? { ms: T0 };
  const random = seededRandom(opts.seed ?? 7);
  const store = await openStore(
    opts.dataDir ? { dataDir: opts.dataDir, now: () => clock.ms, random } : { memory: true, now: () => clock.ms, random },
  );
  const app = createApp({
    distDir: path.join(tmpdir(), 'rasid-no-dist'),
    apiRoutes: syncApi({ store, now: () => clock.ms, random, publicOrigin: () => ORIGIN, limits: opts.limits }),
    onUnexpectedError: (e) => {
      throw e;
    },
  });
  const fetch: Fetch = (url, init) => Promise.resolve(app.request(url, init));
  return { store, fetch, clock, close: () => store.close() };
}

export function tempDataDir(label: string): string {
  return mkdtempSync(path.join(tmpdir(), `rasid-${label}-`));
}

export interface Device {
  name: string;
  db: RasidDb;
  device: DeviceId;
  role: Role;
  token: string;
  writer: WriterContext & { clock: { ms: number } };
  sync: SyncContext;
}

let databases = 0;

/**
 * Makes and enrolls a device. The first coordinator uses the code the store makes once; others get
 * one from `by`. With `publicKeys`, the device sends its public keys with the code.
 *
 * A monitor of a base that lacks its root or its deployment key can only be one that base enrolled
 * before keys came first (decision 055), as the tests of ops in clear and of deployments made
 * before roots have it: it is written into the store as that base enrolled it.
 */
export async function enrollDevice(
  base: Base,
  name: string,
  role: Role,
  by?: Device,
  fetch: Fetch = base.fetch,
  dataKey?: DataKeyHolder,
  publicKeys?: { agreement: string; signing: string },
): Promise<Device> {
  if (role === 'monitor' && !(await hasDeploymentKeys(base.store.db))) {
    databases += 1;
    const device = deviceId(`${name}-${databases.toString().padStart(4, '0')}-dev`);
    const token = await enrollBeforeKeys(base.store, device, role, base.clock.ms, publicKeys);
    return makeDevice(name, device, role, token, fetch, undefined, dataKey);
  }
  let code: string;
  if (!by) {
    const first =
      (await claimFirstCoordinatorCode(base.store.db, { now: () => base.clock.ms, random: seededRandom(99) })) ??
      (await makeEnrollmentCode(base.store.db, role, { now: () => base.clock.ms, random: seededRandom(databases + 31) }));
    code = first.code;
  } else {
    const res = await base.fetch(`${ORIGIN}/api/v1/enrollment-codes`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${by.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ role }),
    });
    if (res.status !== 201) throw new Error(`enrollment code: ${res.status} ${await res.text()}`);
    code = ((await res.json()) as { code: string }).code;
  }
  databases += 1;
  const device = deviceId(`${name}-${databases.toString().padStart(4, '0')}-dev`);
  const res = await base.fetch(`${ORIGIN}/api/v1/enroll`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code, device, ...(publicKeys && { keys: publicKeys }) }),
  });
  if (res.status !== 201) throw new Error(`enroll: ${res.status} ${await res.text()}`);
  const { token, role: given } = (await res.json()) as { token: string; role: Role };
  return makeDevice(name, device, given, token, fetch, undefined, dataKey);
}

/** A device's app database; with `dataKey`, its rows are sealed at rest under the key held there. */
export function makeDevice(
  name: string,
  device: DeviceId,
  role: Role,
  token: string,
  fetch: Fetch,
  clock = { ms: T0 },
  dataKey?: DataKeyHolder,
): Device {
  databases += 1;
  const db = new RasidDb(`rasid-sync-${name}-${databases}-${process.pid}`, { dataKey });
  const writer = { db, device, now: () => clock.ms, random: seededRandom(databases * 7919), clock };
  const sync: SyncContext = { db, device, role, transport: httpTransport({ origin: ORIGIN, token, fetch }), now: () => clock.ms };
  return { name, db, device, role, token, writer, sync };
}

export function syncDevice(d: Device) {
  return runSync(d.sync);
}

/** The ops a device holds and counts (rejected ones excluded), by id. */
export async function liveOpIds(d: Device): Promise<OpId[]> {
  return (await d.db.ops.toArray())
    .filter((o) => !o.rejected)
    .map((o) => o.id)
    .sort();
}

/**
 * Bases and devices a test file makes, closed and deleted after each test: `base()` starts a real
 * base, `device()` enrolls a device with it (the first coordinator without `by`).
 */
export function trackDeployments() {
  const bases: Base[] = [];
  const devices: Device[] = [];
  afterEach(async () => {
    for (const d of devices.splice(0)) await d.db.delete();
    for (const b of bases.splice(0)) await b.close();
  });
  return {
    async base(opts?: Parameters<typeof startBase>[0]): Promise<Base> {
      const base = await startBase(opts);
      bases.push(base);
      return base;
    },
    async device(base: Base, name: string, role: Role, by?: Device): Promise<Device> {
      const device = await enrollDevice(base, name, role, by);
      devices.push(device);
      return device;
    },
    /**
     * A device with key pairs of its own, which it enrolls with: it seals what it pushes once it
     * knows the deployment key (`deploymentPublic`) and opens what is sealed to it.
     */
    async sealingDevice(
      base: Base,
      name: string,
      role: Role,
      by?: Device,
      deployment?: AgreementKeyPair,
    ): Promise<Device & { keys: OpKeys }> {
      const [agreement, signing] = await Promise.all([generateKeyPair('x25519'), generateKeyPair('ed25519')]);
      const device = await enrollDevice(base, name, role, by, base.fetch, undefined, {
        agreement: agreement.publicKey.text,
        signing: signing.publicKey.text,
      });
      devices.push(device);
      const keys = opKeys(
        device.device,
        { agreement, signing },
        deployment ? { deploymentPublic: deployment.publicKey, ...(role === 'coordinator' && { deploymentPrivate: deployment }) } : {},
      );
      device.sync.keys = keys;
      return Object.assign(device, { keys });
    },
    /** A base with two coordinators (`first` enrolled `second`) and a monitor. */
    async twoCoordinatorsAndAMonitor(): Promise<{ base: Base; first: Device; second: Device; monitor: Device }> {
      const base = await this.base();
      const first = await this.device(base, 'coord-a', 'coordinator');
      const second = await this.device(base, 'coord-b', 'coordinator', first);
      const monitor = await this.device(base, 'monitor', 'monitor', first);
      return { base, first, second, monitor };
    },
  };
}

/** The coordinator sets the deployment key through the API, and with `root` the deployment's root too. */
export async function setDeploymentKey(
  base: Base,
  coordinator: Device,
  key: { publicKey: { text: string } },
  root?: { publicKey: { text: string } },
) {
  const res = await base.fetch(`${ORIGIN}/api/v1/deployment-key`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${coordinator.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ key: key.publicKey.text, ...(root && { root: root.publicKey.text }) }),
  });
  if (res.status !== 201) throw new Error(`setting the deployment key answered ${res.status}`);
}

/**
 * A deployment with its key: the first coordinator holds the private half, each monitor (`names`,
 * one by default) the public one, and the roster names them all with their keys.
 */
export async function sealedDeployment(deployments: ReturnType<typeof trackDeployments>, names: readonly string[] = ['monitor']) {
  const base = await deployments.base();
  const deployment = await generateKeyPair('x25519');
  const coordinator = await deployments.sealingDevice(base, 'coord', 'coordinator', undefined, deployment);
  await setDeploymentKey(base, coordinator, deployment);
  const monitors = [];
  for (const name of names) monitors.push(await deployments.sealingDevice(base, name, 'monitor', coordinator, deployment));
  await keepRoster(coordinator.writer, { origin: ORIGIN, token: coordinator.token, fetch: base.fetch }, coordinator.device);
  await runSync(coordinator.sync);
  return { base, deployment, coordinator, monitor: monitors[0]!, monitors };
}

/**
 * A deployment with its root, as the app makes one: the root names the first coordinator and the
 * deployment key in its first statement, which the coordinator keeps and relays; the coordinator's
 * roster names the monitors (`names`) with their keys. Every device pinned the root.
 */
export async function rootedDeployment(deployments: ReturnType<typeof trackDeployments>, names: readonly string[] = ['monitor']) {
  const base = await deployments.base();
  const [deployment, root] = await Promise.all([generateKeyPair('x25519'), generateKeyPair('ed25519')]);
  const pinned = { device: rootDeviceOf(root.publicKey.kid), signing: root.publicKey.text };
  const coordinator = await deployments.sealingDevice(base, 'coord', 'coordinator', undefined, deployment);
  coordinator.keys.root = pinned;
  await setDeploymentKey(base, coordinator, deployment, root);
  const own = { agreement: coordinator.keys.device.agreement.publicKey.text, signing: coordinator.keys.device.signing.publicKey.text };
  let rootSeq = 0;
  /** Another statement by the root, kept by the coordinator (which relays it at its next sync). */
  const state = async (entries: RosterEntry[], deploymentKey?: string) => {
    rootSeq += 1;
    const wire = await signRootStatement(root, {
      id: newOpId(coordinator.writer.now() + rootSeq, seededRandom(rootSeq + 500)),
      deviceSeq: rootSeq,
      at: coordinator.writer.now(),
      entries,
      ...(deploymentKey !== undefined && { deploymentKey }),
    });
    await keepRootStatement(coordinator.db, coordinator.keys, wire, coordinator.writer.now);
    return wire;
  };
  await state([{ device: coordinator.device, role: 'coordinator', keys: own }], deployment.publicKey.text);
  const monitors = [];
  for (const name of names) {
    const monitor = await deployments.sealingDevice(base, name, 'monitor', coordinator, deployment);
    monitor.keys.root = pinned;
    monitors.push(monitor);
  }
  await keepRoster(coordinator.writer, { origin: ORIGIN, token: coordinator.token, fetch: base.fetch }, coordinator.device);
  await runSync(coordinator.sync);
  return { base, deployment, root, state, coordinator, monitor: monitors[0]!, monitors };
}

/** A root file as the first coordinator saved it, at the Argon2id floor so tests stay fast. */
export async function rootFileOf(pair: SigningKeyPair, passphrase: string): Promise<string> {
  const wrapped = await wrapUnderPassphrase(pair.privateKey, passphrase, { publicKey: pair.publicKey, params: ARGON2ID_FLOOR });
  if (!wrapped.ok) throw new Error(wrapped.reason);
  return JSON.stringify({ kind: ROOT_FILE_KIND, v: 1, fingerprint: pair.publicKey.fingerprint, wrapped: wrapped.wrapped });
}

/**
 * A second coordinator on a rooted deployment, named by the root file opened on the first one's
 * desk, as a deployment adds one: `file` and `pass` are that root file, `ctx` where it is opened.
 */
export async function secondCoordinator(
  deployments: ReturnType<typeof trackDeployments>,
  { base, coordinator, deployment, root }: Awaited<ReturnType<typeof rootedDeployment>>,
) {
  const second = await deployments.sealingDevice(base, 'coord-b', 'coordinator', coordinator, deployment);
  second.keys.root = coordinator.keys.root;
  const endpoint = { origin: ORIGIN, token: coordinator.token, fetch: base.fetch };
  const pass = 'a well dug below the old mill';
  const file = await rootFileOf(root, pass);
  const ctx = { db: coordinator.db, keys: coordinator.keys, endpoint, now: coordinator.writer.now, random: coordinator.writer.random };
  const signed = await signWithRootFile(file, pass, ctx);
  if (!signed.ok || signed.coordinators !== 2) throw new Error(`the root file named ${JSON.stringify(signed)}`);
  return { second, file, pass, ctx, endpoint };
}
