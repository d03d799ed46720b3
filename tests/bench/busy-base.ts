/**
 * A busy base: monitors seeded in the store (not enrolled over the API: 200 enrollments would
 * measure the enrollment rate limit), each doing a sync round (push 5 sealed ops, pull to the end)
 * every period, their arrivals spread evenly over it, against the real server process on loopback.
 * Gives p50 and p99 of a round as a device sees it (from when it was due to its last answer), the
 * rounds that failed, and the server's resident memory at its highest. Then the highest rate of
 * rounds the base sustains: steps of doubling rates, until a step's p99 passes the budget or a
 * round fails.
 *
 * The devices run in this process, beside the server on the same two cores: what the figures
 * measure is the machine, base and load together. Ops are sealed before each phase, never while it
 * runs. Both stores' runs share one fleet of devices (keys, tokens, and the rounds sealed for them):
 * each store is new, so the second run pushes the very ops the first did and seals only what the
 * first never needed.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateKeyPair, type AgreementKeyPair, type SigningKeyPair } from '../../src/domain/crypto/keys.ts';
import { sealForWire } from '../../src/domain/op/outgoing.ts';
import type { SyncResponse } from '../../src/domain/op/sync.ts';
import { setDeploymentKey, setDeploymentRoot } from '../../src/server/enrollment/deployment-key.ts';
import { randomSecret, secretHash, TOKEN_BYTES } from '../../src/server/enrollment/secrets.ts';
import { openStore, type OpenStoreOptions } from '../../src/server/store/index.ts';
import { cryptoRandom, type DeviceId } from '../../src/domain/ids.ts';
import { startServer, type ServerProcess } from '../e2e/server-process.ts';
import { postgresAt, startPostgres } from '../server/store/postgres.ts';
import { benchDevices, benchOp, enroll, type BenchDevice } from './ingest.ts';

const OPS_PER_ROUND = 5;
/** The budget a round's p99 is held to, and the line the sustained rate is found at. */
export const ROUND_P99_BUDGET_MS = 500;

export interface BusyBaseOptions {
  devices: number;
  /** How long the steady load runs. */
  seconds: number;
  /** Each device's time between rounds. */
  periodMs: number;
  /** How long each step of the search for the sustained rate lasts. */
  stepSeconds: number;
  /** The rates (rounds/s) tried, in order, until one fails. */
  rates: readonly number[];
  /** A PostgreSQL cluster already running, to make the store's database in, rather than one of its own. */
  postgresUrl?: string;
}

export interface BusyBaseResult {
  rounds: number;
  p50: number;
  p99: number;
  errors: number;
  /** The server's resident memory at its highest during the steady load (MB). */
  rssMb: number;
  /** The highest rate of rounds (rounds/s) whose step held the budget with no error; 0 if none did. */
  sustained: number;
}

interface Monitor extends BenchDevice {
  token: string;
  epoch: string | null;
  cursor: SyncResponse['cursor'];
  /** The rounds ready for the next phase, each OPS_PER_ROUND wire ops. */
  ready: unknown[][];
  /** How many of the fleet's rounds of this device this run has pushed or readied. */
  taken: number;
  /** Rounds of one device never overlap: each waits for the one before. */
  busy: Promise<void>;
}

/** The devices of every run of one size, with the rounds sealed for them so far, in order. */
interface Fleet {
  deployment: AgreementKeyPair;
  root: SigningKeyPair;
  devices: BenchDevice[];
  tokens: Map<DeviceId, string>;
  /** Per device, every round sealed so far; a run takes them from the first. */
  rounds: Map<DeviceId, unknown[][]>;
  /** Per device, the `deviceSeq` of the last op sealed. */
  seqs: Map<DeviceId, number>;
  at: number;
}

const fleets = new Map<number, Promise<Fleet>>();

function fleetOf(size: number): Promise<Fleet> {
  let fleet = fleets.get(size);
  if (!fleet) {
    fleet = (async () => {
      const [deployment, root, devices] = await Promise.all([generateKeyPair('x25519'), generateKeyPair('ed25519'), benchDevices(size)]);
      return {
        deployment,
        root,
        devices,
        tokens: new Map(devices.map((d) => [d.device, randomSecret(cryptoRandom, TOKEN_BYTES)])),
        rounds: new Map(devices.map((d) => [d.device, []])),
        seqs: new Map(devices.map((d) => [d.device, 0])),
        at: Date.now(),
      };
    })();
    fleets.set(size, fleet);
  }
  return fleet;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Resident memory of a process and all its descendants (tsx runs the server in a child), in bytes. */
function treeRss(root: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces: fields are counted after its closing parenthesis.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
      rss.set(Number(entry), Number(fields[21]) * 4096);
    } catch {
      // The process ended while it was read.
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    total += rss.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/**
 * Readies each device's next `rounds(i)` rounds for the next phase, `i` the device's index: those the
 * fleet holds already, and the rest sealed now, the devices side by side, each device's ops in its
 * own order (their `deviceSeq` follow one another).
 */
async function ready(fleet: Fleet, monitors: readonly Monitor[], rounds: (i: number) => number): Promise<void> {
  await Promise.all(
    monitors.map(async (m, i) => {
      const held = fleet.rounds.get(m.device)!;
      const want = m.taken + rounds(i);
      while (held.length < want) {
        const round: unknown[] = [];
        for (let o = 0; o < OPS_PER_ROUND; o++) {
          const seq = fleet.seqs.get(m.device)! + 1;
          fleet.seqs.set(m.device, seq);
          const made = await sealForWire(benchOp(m.device, seq, fleet.at + seq), m.sealer, [
            fleet.deployment.publicKey,
            m.sealer.agreement.publicKey,
          ]);
          if (!made.ok) throw new Error(made.reason);
          round.push(made.wire);
        }
        held.push(round);
      }
      m.ready = held.slice(m.taken, want);
      m.taken = want;
    }),
  );
}

/** One round: push the next sealed ops, then pull until the base has nothing more. Throws on any failure. */
async function syncRound(server: ServerProcess, m: Monitor): Promise<void> {
  let ops = m.ready.shift() ?? [];
  const pushed = ops.length;
  for (;;) {
    const res = await fetch(`${server.baseUrl}/api/v1/sync`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${m.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ epoch: m.epoch, cursor: m.cursor, ops }),
    });
    if (res.status !== 200) throw new Error(`sync answered ${res.status}: ${await res.text()}`);
    const answer = (await res.json()) as SyncResponse;
    if (ops.length > 0 && (answer.results.length !== pushed || answer.results.some((r) => r.status !== 'ack'))) {
      throw new Error(`ops not taken: ${JSON.stringify(answer.results.find((r) => r.status !== 'ack'))}`);
    }
    m.epoch = answer.epoch;
    m.cursor = answer.cursor;
    ops = [];
    if (!answer.more) return;
  }
}

/** Runs `due` (each a device and when it is due, ms from now), recording each round's time from when it was due. */
async function load(server: ServerProcess, due: { monitor: Monitor; at: number }[]): Promise<{ times: number[]; errors: number }> {
  const times: number[] = [];
  let errors = 0;
  const start = performance.now();
  await Promise.all(
    due.map(
      ({ monitor, at }) =>
        new Promise<void>((resolve) => {
          setTimeout(() => {
            const run = monitor.busy.then(async () => {
              try {
                await syncRound(server, monitor);
                times.push(performance.now() - start - at);
              } catch (error) {
                errors += 1;
                if (errors <= 3) console.error(`busy base: a round failed: ${(error as Error).message}`);
              }
            });
            monitor.busy = run;
            void run.then(resolve);
          }, at);
        }),
    ),
  );
  return { times: times.sort((a, b) => a - b), errors };
}

export async function busyBase(database: 'sqlite' | 'postgres', opts: BusyBaseOptions): Promise<BusyBaseResult> {
  const fleet = await fleetOf(opts.devices);
  const { deployment, root, devices, tokens } = fleet;
  const monitors: Monitor[] = devices.map((d) => ({
    ...d,
    token: tokens.get(d.device)!,
    epoch: null,
    cursor: null,
    ready: [],
    taken: 0,
    busy: Promise.resolve(),
  }));

  const cluster = database !== 'postgres' ? undefined : opts.postgresUrl ? postgresAt(opts.postgresUrl) : await startPostgres();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'rasid-busy-'));
  let server: ServerProcess | undefined;
  try {
    const databaseUrl = await cluster?.createDatabase();
    const options: OpenStoreOptions = databaseUrl ? { databaseUrl } : { dataDir };
    const store = await openStore(options);
    try {
      await enroll(store, devices, (d) => secretHash(tokens.get(d.device)!));
      const set = await setDeploymentKey(store.db, deployment.publicKey.text);
      if (!set.ok) throw new Error(set.reason);
      const rooted = await setDeploymentRoot(store.db, root.publicKey.text);
      if (!rooted.ok) throw new Error(rooted.reason);
    } finally {
      await store.close();
    }
    // Rate limits as a deployment would set them for this many devices at this pace.
    server = await startServer({ dataDir, ...(databaseUrl && { databaseUrl }), env: { RATE_LIMIT_PER_MINUTE: '6000' } });

    // A base that has run a while: code compiled, signature workers started, each device synced
    // once. Not measured, so spread over less than a period: at most 50 rounds a second, a rate
    // both stores sustain.
    await ready(fleet, monitors, () => 1);
    const warmUpMs = Math.min(opts.periodMs, (monitors.length / 50) * 1000);
    await load(
      server,
      monitors.map((monitor, i) => ({ monitor, at: (i * warmUpMs) / monitors.length })),
    );

    // The steady load: every device every period, arrivals spread over it.
    const perDevice = Math.max(1, Math.round((opts.seconds * 1000) / opts.periodMs));
    await ready(fleet, monitors, () => perDevice);
    const steady: { monitor: Monitor; at: number }[] = [];
    for (let r = 0; r < perDevice; r++) {
      monitors.forEach((monitor, i) => steady.push({ monitor, at: r * opts.periodMs + (i * opts.periodMs) / monitors.length }));
    }
    let rss = 0;
    const sampler = setInterval(() => (rss = Math.max(rss, treeRss(server!.pid))), 250);
    const measured = await load(server, steady).finally(() => clearInterval(sampler));

    // The sustained rate: each step a rate of rounds spread over all devices, until one misses.
    let sustained = 0;
    for (const rate of opts.rates) {
      const count = Math.round(rate * opts.stepSeconds);
      // The k-th round of the step is device k mod n's: each device seals only the rounds it will push.
      await ready(fleet, monitors, (i) => Math.floor(count / monitors.length) + (i < count % monitors.length ? 1 : 0));
      const step = Array.from({ length: count }, (_, k) => ({ monitor: monitors[k % monitors.length]!, at: (k * 1000) / rate }));
      const { times, errors } = await load(server, step);
      if (errors > 0 || quantile(times, 0.99) > ROUND_P99_BUDGET_MS) break;
      sustained = rate;
    }
    return {
      rounds: measured.times.length + measured.errors,
      p50: quantile(measured.times, 0.5),
      p99: quantile(measured.times, 0.99),
      errors: measured.errors,
      rssMb: rss / 1024 / 1024,
      sustained,
    };
  } finally {
    await server?.stop();
    cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
