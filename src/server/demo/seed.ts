/**
 * `npm start -- --demo`: fills a new, empty base with the demo scenario through the store's own code
 * paths. The demo makes its keys first, as a deployment does before any monitor enrolls
 * (demo-keys.ts): the base gets the demo root and deployment key, the root's first statement naming
 * the demo coordinators, and every op sealed and signed as its device would send it. The demo's
 * devices are registered with their roles and public keys as enrollment registers a device, but
 * with no token anyone could present; their ops go through pushOps exactly as the sync route pushes
 * them, batch by batch at the time each phone synced, so every rule of the store applies, outer
 * signatures included.
 *
 * A demo never mixes with real data: a store that holds any op or any enrolled device is refused.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { parseCodAbCsv, type Gazetteer } from '../../domain/gazetteer.ts';
import type { DeploymentKeyFile, RootFile } from '../../domain/crypto/key-file.ts';
import { cryptoRandom, type DeviceId, type TargetId } from '../../domain/ids.ts';
import type { Role } from '../../domain/roles.ts';
import { MAX_BATCH } from '../../domain/op/sync.ts';
import { CODECS_READ } from '../../domain/op/codecs.ts';
import type { WireOp } from '../../domain/op/wire.ts';
import { setDeploymentKey, setDeploymentRoot } from '../enrollment/deployment-key.ts';
import { codecsText } from '../store/codecs.ts';
import { pushedOfWire, pushOps, type Store } from '../store/index.ts';
import type { Database } from '../store/schema.ts';
import {
  DEMO_KEY_FILE,
  DEMO_KEY_PASSPHRASE,
  DEMO_ROOT_FILE,
  DEMO_ROOT_PASSPHRASE,
  demoFiles,
  demoRootStatement,
  makeDemoKeys,
  publicKeysOf,
  sealDemoOp,
  type DemoKeys,
  type PublicKeyTexts,
} from './demo-keys.ts';
import { DEMO_COORDINATORS, demoDevices, demoScenario, type DemoDevice, type DemoScenario } from './scenario.ts';

/** The store is not empty; the message says so in words a person running the server can act on. */
export class DemoRefused extends Error {}

/** Fixed, so every demo base tells the same story (its dates follow the day it is made). */
export const DEMO_SEED = 7;

const SAMPLE_GAZETTEER = new URL('../../../public/gazetteer/sample-gazetteer-syrian-coast.csv', import.meta.url);

export function sampleGazetteer(): Gazetteer {
  const parsed = parseCodAbCsv(readFileSync(SAMPLE_GAZETTEER, 'utf8'), 'Sample: Syrian coast');
  if (!parsed.ok) throw new Error(`The sample gazetteer cannot be read (${parsed.error.key})`);
  return parsed.gazetteer;
}

export interface DemoSeeded {
  reports: number;
  devices: number;
  /** Ops stored: the scenario's, and the root's statement before them. */
  ops: number;
  /** The demo deployment key's file and the demo root file, for the data folder. */
  keyFile: DeploymentKeyFile;
  rootFile: RootFile;
}

/** Refuses a store that holds any op or enrolled device: invented reports never mix with real ones. */
async function refuseUnlessNew(db: Kysely<Database>): Promise<void> {
  const [op, device] = await Promise.all([
    db.selectFrom('ops').select('seq').limit(1).executeTakeFirst(),
    db.selectFrom('devices').select('device').limit(1).executeTakeFirst(),
  ]);
  if (op || device) {
    throw new DemoRefused(
      `This store already holds ${op ? 'reports' : 'enrolled devices'}, so --demo will not fill it: invented reports must never mix with real ones. ` +
        'Start the demo on a new, empty store (an empty RASID_DATA folder, or an empty database in DATABASE_URL).',
    );
  }
}

export async function seedDemo(store: Store, { now, seed = DEMO_SEED }: { now: number; seed?: number }): Promise<DemoSeeded> {
  // Said at once on a store plainly not new, before minutes of sealing on a slow machine; the
  // transaction below asks again, for a second server racing this one.
  await refuseUnlessNew(store.db);
  const keys = await makeDemoKeys(demoDevices().map((d) => d.device));
  const publicKeys = new Map([...keys.devices].map(([device, sealer]) => [device, publicKeysOf(sealer)]));
  const scenario = demoScenario({ seed, now, gazetteer: sampleGazetteer(), keys: publicKeys });
  // Sealed before the transaction, which then holds the store only as long as the pushes take.
  const owners = new Map<TargetId, DeviceId>();
  for (const op of Object.values(scenario.ops).flat()) if (op.kind === 'create') owners.set(op.reportId, op.device);
  const sealed = new Map<string, WireOp>();
  for (const op of Object.values(scenario.ops).flat()) sealed.set(op.id, await sealDemoOp(op, keys, (id) => owners.get(id)));
  const statement = await demoRootStatement(keys, DEMO_COORDINATORS, scenario.enrolledAt, cryptoRandom);
  const files = await demoFiles(keys);
  // One transaction: a base is either untouched or holds the whole demo, never half of it.
  const stored = await store.db.transaction().execute(async (trx) => {
    // The counter row first, as every push takes it: a second server starting with --demo on the
    // same PostgreSQL database waits here, then finds the demo and refuses.
    await trx
      .updateTable('counter')
      .set((eb) => ({ last_seq: eb.ref('last_seq') }))
      .where('id', '=', 1)
      .execute();
    await refuseUnlessNew(trx);
    await enrollDemoDevices(trx, { devices: scenario.devices, publicKeys, keys, enrolledAt: scenario.enrolledAt });
    // The root's statement, relayed by the first coordinator, names the coordinators whose ops follow.
    const first = DEMO_COORDINATORS[0];
    const pushes: { device: DeviceId; role: Role; at: number; wires: WireOp[] }[] = [
      { device: first, role: 'coordinator', at: scenario.enrolledAt, wires: [statement] },
    ];
    for (const batch of syncBatches(scenario)) pushes.push({ ...batch, wires: batch.ops.map((o) => sealed.get(o.id)!) });
    let count = 0;
    for (const push of pushes) count += await pushDemoOps(trx, push);
    return count;
  });
  const reports = new Set(Object.values(scenario.ops).flatMap((ops) => ops.filter((o) => o.kind === 'create').map((o) => o.reportId)));
  return { reports: reports.size, devices: scenario.devices.length, ops: stored, ...files };
}

/**
 * What `npm start -- --demo` prints once the store is filled and the demo's files are written to
 * `folder`: where they are, their passphrases, marked as the demo's, and how a coordinator reads
 * the reports with them.
 */
export function demoMessage(seeded: DemoSeeded, folder: string): string {
  return [
    `Filled this new base with demo data: ${seeded.reports} reports from ${seeded.devices} devices. Every report in it is invented.`,
    `They are sealed to a demo deployment key. Its key file and the demo root file are in ${folder}:`,
    `  ${DEMO_KEY_FILE}  passphrase: ${DEMO_KEY_PASSPHRASE}`,
    `  ${DEMO_ROOT_FILE}  passphrase: ${DEMO_ROOT_PASSPHRASE}`,
    'DEMO ONLY: these passphrases are printed for anyone to read. Never use them, or these files, for real reports.',
    "To read the reports, enroll a coordinator with the link below; on that device's Devices screen, import the key file,",
    'then open the root file, so that the root names the new coordinator too.',
  ].join('\n');
}

/**
 * Writes the demo's key file and root file into `folder`, readable by the server's user alone as a
 * coordinator's own files would be. A file of an earlier demo in the same folder is replaced: the
 * store it belonged to was refused or is gone, since a demo only fills a new one.
 */
export function saveDemoFiles(folder: string, seeded: Pick<DemoSeeded, 'keyFile' | 'rootFile'>): void {
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, DEMO_KEY_FILE), `${JSON.stringify(seeded.keyFile, null, 2)}\n`, { mode: 0o600 });
  writeFileSync(join(folder, DEMO_ROOT_FILE), `${JSON.stringify(seeded.rootFile, null, 2)}\n`, { mode: 0o600 });
}

/**
 * The demo's devices registered with their roles and public keys, as enrollment registers a device
 * but with no token anyone could present, then the keys, as the first coordinator's desk sets them
 * before any monitor enrolls.
 */
export async function enrollDemoDevices(
  trx: Kysely<Database>,
  {
    devices,
    publicKeys,
    keys,
    enrolledAt,
  }: { devices: readonly DemoDevice[]; publicKeys: ReadonlyMap<DeviceId, PublicKeyTexts>; keys: DemoKeys; enrolledAt: number },
): Promise<void> {
  await trx
    .insertInto('devices')
    .values(
      devices.map((d) => ({
        device: d.device,
        role: d.role,
        // Not a SHA-256 in hex, so no token hashes to it: nobody can sync as a demo device.
        token_hash: `demo-device-without-token:${d.device}`,
        revoked_at: null,
        created_at: enrolledAt,
        public_keys: JSON.stringify(publicKeys.get(d.device)),
        // As this app's enrollment says it: the demo's devices open every codec it writes.
        codecs: codecsText(CODECS_READ),
      })),
    )
    .execute();
  const [rootSet, keySet] = [
    await setDeploymentRoot(trx, keys.root.publicKey.text),
    await setDeploymentKey(trx, keys.deployment.publicKey.text),
  ];
  if (!rootSet.ok || !keySet.ok) throw new Error('The store did not take the demo keys.');
}

/** One device's sealed ops pushed exactly as the sync route pushes them; returns how many the store took. */
export async function pushDemoOps(
  db: Kysely<Database>,
  push: { device: DeviceId; role: Role; at: number; wires: WireOp[] },
): Promise<number> {
  const answers = await pushOps(db, { caller: { device: push.device, role: push.role }, ops: push.wires.map(pushedOfWire), now: push.at });
  const refused = answers.find((a) => a.status !== 'ack');
  // Invented ops are built to pass every rule; one refused here is a bug in them, not a user's error.
  if (refused) throw new Error(`The store did not take a demo op: ${refused.status}, ${'reason' in refused ? refused.reason : ''}`);
  return answers.length;
}

interface SyncBatch {
  device: DeviceId;
  role: DemoScenario['devices'][number]['role'];
  at: number;
  ops: DemoScenario['ops'][string];
}

/** Each device's ops in the pushes that delivered them, all devices' pushes in the order they reached the base. */
export function syncBatches(scenario: DemoScenario): SyncBatch[] {
  const batches: SyncBatch[] = [];
  for (const { device, role } of scenario.devices) {
    let current: SyncBatch | undefined;
    for (const op of scenario.ops[device] ?? []) {
      const at = scenario.receivedAt[op.id]!;
      if (!current || current.at !== at || current.ops.length >= MAX_BATCH) {
        current = { device, role, at, ops: [] };
        batches.push(current);
      }
      current.ops.push(op);
    }
  }
  return batches
    .map((b, i) => ({ b, i }))
    .sort((x, y) => x.b.at - y.b.at || x.i - y.i)
    .map((x) => x.b);
}
