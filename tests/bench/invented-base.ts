/**
 * A base's store filled with the invented year (src/server/demo/invented-reports.ts) the way
 * `--demo` fills one: the devices registered with their keys, the root's statement naming the
 * coordinators, and every op sealed by its device and pushed through the store's own pushOps at the
 * time its device synced. The demo's key file and root file are written beside the store, for a
 * coordinator's desk to open them. Ops are sealed and stored one day's pushes at a time.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cryptoRandom, type DeviceId, type TargetId } from '../../src/domain/ids.ts';
import type { WireOp } from '../../src/domain/op/wire.ts';
import { demoFiles, demoRootStatement, makeDemoKeys, publicKeysOf, sealDemoOp } from '../../src/server/demo/demo-keys.ts';
import { inventedDevices, inventedEnrolledAt, inventedReports } from '../../src/server/demo/invented-reports.ts';
import { enrollDemoDevices, pushDemoOps, sampleGazetteer, saveDemoFiles } from '../../src/server/demo/seed.ts';
import { openStore } from '../../src/server/store/index.ts';

/** Pushes stored per transaction: enough to keep SQLite's commits few, small enough to keep memory flat. */
const PUSHES_PER_TRANSACTION = 200;
/**
 * Pushes sealed at once while earlier ones are stored: a day's push of one device is a handful of
 * ops, too few alone to keep WebCrypto's threads busy while this one stores. At 10,000 reports, 4 to
 * 8 at once took 16–19 s where one at a time took 20–25 s, and 16 took 20 s; at 100,000, 6 at once
 * took 193 s and one at a time 207 s, one run each.
 */
const PUSHES_SEALED_AT_ONCE = 6;

export interface InventedBase {
  /** The store's folder, with the demo's key file and root file in it. */
  dataDir: string;
  ops: number;
  /** How long sealing and storing took (ms). */
  ms: number;
}

export async function inventedBase({ reports, seed, now }: { reports: number; seed: number; now: number }): Promise<InventedBase> {
  const t0 = performance.now();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'rasid-bench-desk-'));
  const store = await openStore({ dataDir });
  try {
    const devices = inventedDevices();
    const keys = await makeDemoKeys(devices.map((d) => d.device));
    const publicKeys = new Map([...keys.devices].map(([device, sealer]) => [device, publicKeysOf(sealer)]));
    const enrolledAt = inventedEnrolledAt(now);
    const coordinators = devices.filter((d) => d.role === 'coordinator').map((d) => d.device);
    await store.db.transaction().execute((trx) => enrollDemoDevices(trx, { devices, publicKeys, keys, enrolledAt }));
    const statement = await demoRootStatement(keys, coordinators, enrolledAt, cryptoRandom);
    let ops = await pushDemoOps(store.db, { device: coordinators[0]!, role: 'coordinator', at: enrolledAt, wires: [statement] });

    const owners = new Map<TargetId, DeviceId>();
    let pending: Parameters<typeof pushDemoOps>[1][] = [];
    const flush = async () => {
      const pushes = pending;
      pending = [];
      ops += await store.db.transaction().execute(async (trx) => {
        let count = 0;
        for (const push of pushes) count += await pushDemoOps(trx, push);
        return count;
      });
    };
    // Stored in the order written, whichever seal ends first.
    const sealing: Promise<Parameters<typeof pushDemoOps>[1]>[] = [];
    const stored = async () => {
      pending.push(await sealing.shift()!);
      if (pending.length >= PUSHES_PER_TRANSACTION) await flush();
    };
    for (const batch of inventedReports({ seed, reports, now, gazetteer: sampleGazetteer(), keys: publicKeys })) {
      for (const op of batch.ops) if (op.kind === 'create') owners.set(op.reportId, op.device);
      const wires: Promise<WireOp[]> = Promise.all(batch.ops.map((op) => sealDemoOp(op, keys, (id) => owners.get(id))));
      sealing.push(wires.then((w) => ({ device: batch.device, role: batch.role, at: batch.at, wires: w })));
      if (sealing.length >= PUSHES_SEALED_AT_ONCE) await stored();
    }
    while (sealing.length > 0) await stored();
    await flush();
    saveDemoFiles(dataDir, await demoFiles(keys));
    return { dataDir, ops, ms: performance.now() - t0 };
  } finally {
    await store.close();
  }
}
