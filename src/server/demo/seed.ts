/**
 * `npm start -- --demo`: fills a new, empty base with the demo scenario through the store's own code
 * paths. The demo's devices are registered with their roles as enrollment registers a device, but
 * with no token anyone could present; their ops go through pushOps exactly as the sync route pushes
 * them, batch by batch at the time each phone synced, so every rule of the store applies.
 *
 * A demo never mixes with real data: a store that holds any op or any enrolled device is refused.
 */
import { readFileSync } from 'node:fs';
import { parseCodAbCsv, type Gazetteer } from '../../domain/gazetteer.ts';
import type { DeviceId } from '../../domain/ids.ts';
import type { Op } from '../../domain/op.ts';
import { MAX_BATCH } from '../../domain/protocol.ts';
import { bodyText } from '../../domain/wire-op.ts';
import { pushOps, type PushedOp, type Store } from '../store/index.ts';
import { demoScenario, type DemoScenario } from './scenario.ts';

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
  ops: number;
}

export async function seedDemo(store: Store, { now, seed = DEMO_SEED }: { now: number; seed?: number }): Promise<DemoSeeded> {
  const scenario = demoScenario({ seed, now, gazetteer: sampleGazetteer() });
  // One transaction: a base is either untouched or holds the whole demo, never half of it.
  const stored = await store.db.transaction().execute(async (trx) => {
    // The counter row first, as every push takes it: a second server starting with --demo on the
    // same PostgreSQL database waits here, then finds the demo and refuses.
    await trx
      .updateTable('counter')
      .set((eb) => ({ last_seq: eb.ref('last_seq') }))
      .where('id', '=', 1)
      .execute();
    const [op, device] = await Promise.all([
      trx.selectFrom('ops').select('seq').limit(1).executeTakeFirst(),
      trx.selectFrom('devices').select('device').limit(1).executeTakeFirst(),
    ]);
    if (op || device) {
      throw new DemoRefused(
        `This store already holds ${op ? 'reports' : 'enrolled devices'}, so --demo will not fill it: invented reports must never mix with real ones. ` +
          'Start the demo on a new, empty store (an empty RASID_DATA folder, or an empty database in DATABASE_URL).',
      );
    }
    await trx
      .insertInto('devices')
      .values(
        scenario.devices.map((d) => ({
          device: d.device,
          role: d.role,
          // Not a SHA-256 in hex, so no token hashes to it: nobody can sync as a demo device.
          token_hash: `demo-device-without-token:${d.device}`,
          revoked_at: null,
          created_at: scenario.enrolledAt,
          public_keys: null,
        })),
      )
      .execute();
    let count = 0;
    for (const batch of syncBatches(scenario)) {
      const answers = await pushOps(trx, {
        caller: { device: batch.device, role: batch.role },
        ops: batch.ops.map(asPushed),
        now: batch.at,
      });
      const refused = answers.find((a) => a.status !== 'ack');
      // The scenario is built to pass every rule; an op refused here is a bug in it, not a user's error.
      if (refused) throw new Error(`The store did not take a demo op: ${refused.status}, ${'reason' in refused ? refused.reason : ''}`);
      count += answers.length;
    }
    return count;
  });
  const reports = new Set(Object.values(scenario.ops).flatMap((ops) => ops.filter((o) => o.kind === 'create').map((o) => o.reportId)));
  return { reports: reports.size, devices: scenario.devices.length, ops: stored };
}

/** The line `npm start -- --demo` prints once the store is filled. */
export function demoMessage(seeded: DemoSeeded): string {
  return `Filled this new base with demo data: ${seeded.reports} reports from ${seeded.devices} devices. Every report in it is invented.`;
}

function asPushed(op: Op): PushedOp {
  const { body: _body, sig, ...header } = op;
  return sig === undefined ? { header, body: bodyText(op) } : { header, body: bodyText(op), sig };
}

interface SyncBatch {
  device: DeviceId;
  role: DemoScenario['devices'][number]['role'];
  at: number;
  ops: Op[];
}

/** Each device's ops in the pushes that delivered them, all devices' pushes in the order they reached the base. */
function syncBatches(scenario: DemoScenario): SyncBatch[] {
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
