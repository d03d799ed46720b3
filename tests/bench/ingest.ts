/**
 * The base taking in pushed ops, batches of MAX_BATCH through pushOps on a real store: sealed ops
 * from enrolled devices, each outer signature checked, against two references in the same run:
 * - the floor: what no base can beat on this machine, the same outer signatures checked with
 *   node:crypto spread over the cores (libuv's pool), then the same rows written with one raw
 *   Kysely insert per batch, in a transaction of its own, with nothing else read or written;
 * - the same number of ops in clear on a base without a deployment key (nothing to check).
 * SQLite in a temp folder, and PostgreSQL in a throwaway cluster.
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { canonicalJson } from '../../src/domain/canonical-json.ts';
import { generateKeyPair, type AgreementKeyPair } from '../../src/domain/crypto/keys.ts';
import { PairKeyCache } from '../../src/domain/crypto/pair-keys.ts';
import { encodeHlc, nodeIdOf } from '../../src/domain/hlc.ts';
import { deviceIdSchema } from '../../src/domain/id-schemas.ts';
import { cryptoRandom, newOpId, newReportId, type DeviceId } from '../../src/domain/ids.ts';
import { sealForWire, type Sealer } from '../../src/domain/op/outgoing.ts';
import { outerMessageOfHash } from '../../src/domain/op/outer-signature.ts';
import type { Op } from '../../src/domain/op/op.ts';
import { MAX_BATCH } from '../../src/domain/op/sync.ts';
import { setDeploymentKey, setDeploymentRoot } from '../../src/server/enrollment/deployment-key.ts';
import { openStore, pushOps, type OpenStoreOptions, type PushedOp, type Store } from '../../src/server/store/index.ts';
import { postgresAt, startPostgres } from '../server/store/postgres.ts';

const DEVICES = 10;
const T0 = Date.UTC(2026, 11, 1, 8);

export interface BenchDevice {
  device: DeviceId;
  sealer: Sealer;
}

interface Batches {
  devices: BenchDevice[];
  sealed: PushedOp[][];
  clear: PushedOp[][];
}

function pushed(wire: { body: string; sig?: string; osig?: string } & PushedOp['header']): PushedOp {
  const { body, sig, osig, ...header } = wire;
  return { header, body, ...(sig !== undefined && { sig }), ...(osig !== undefined && { osig }) };
}

/** `count` monitors with key pairs of their own, as they would enroll. */
export function benchDevices(count: number): Promise<BenchDevice[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => ({
      device: deviceIdSchema.parse(`bench-monitor-${String(i).padStart(3, '0')}`),
      sealer: {
        agreement: await generateKeyPair('x25519'),
        signing: await generateKeyPair('ed25519'),
        pairs: new PairKeyCache(),
      },
    })),
  );
}

/** A report-sized create of `device`, its `deviceSeq`-th op, written at `at`. */
export function benchOp(device: DeviceId, deviceSeq: number, at: number): Op {
  return {
    v: 1,
    id: newOpId(at, cryptoRandom),
    kind: 'create',
    reportId: newReportId(at, cryptoRandom),
    device,
    deviceSeq,
    body: {
      hlc: encodeHlc({ wall: at, counter: 0, node: nodeIdOf(device) }),
      changes: { type: 'damage', narrative: 'احترقت ثلاثة محال في شارع السوق ليلًا.', structures: 3 },
      supersedes: {},
    },
  };
}

/** `ops` creates from DEVICES devices, in batches of MAX_BATCH, sealed and in clear. */
export async function makeBatches(ops: number, deployment: AgreementKeyPair): Promise<Batches> {
  const devices = await benchDevices(DEVICES);
  const sealed: PushedOp[] = [];
  const clear: PushedOp[] = [];
  for (let n = 0; n < ops; n++) {
    const { device, sealer } = devices[n % DEVICES]!;
    const op = benchOp(device, Math.floor(n / DEVICES) + 1, T0 + n);
    clear.push(pushed({ ...op, body: canonicalJson(op.body) }));
    const made = await sealForWire(op, sealer, [deployment.publicKey, sealer.agreement.publicKey]);
    if (!made.ok) throw new Error(made.reason);
    sealed.push(pushed(made.wire));
  }
  const chunk = (list: PushedOp[]) =>
    Array.from({ length: Math.ceil(list.length / MAX_BATCH) }, (_, i) => list.slice(i * MAX_BATCH, (i + 1) * MAX_BATCH));
  return { devices, sealed: chunk(sealed), clear: chunk(clear) };
}

/** The devices as enrolled (keys, role), with `tokenHash` of each as its token's hash. */
export async function enroll(
  store: Store,
  devices: readonly BenchDevice[],
  tokenHash: (d: BenchDevice) => string = (d) => `bench-${d.device}`,
): Promise<void> {
  for (const d of devices) {
    const { device, sealer } = d;
    await store.db
      .insertInto('devices')
      .values({
        device,
        role: 'monitor',
        token_hash: tokenHash(d),
        revoked_at: null,
        created_at: T0,
        public_keys: JSON.stringify({ agreement: sealer.agreement.publicKey.text, signing: sealer.signing.publicKey.text }),
      })
      .execute();
  }
}
/** ops/s taking in every batch, relayed by a coordinator as when a base is rebuilt: each author is looked up and checked. */
async function ingest(options: OpenStoreOptions, batches: PushedOp[][], setup: (store: Store) => Promise<void>): Promise<number> {
  const store = await openStore(options);
  try {
    await setup(store);
    const caller = { device: deviceIdSchema.parse('bench-coordinator'), role: 'coordinator' as const };
    let count = 0;
    const started = performance.now();
    for (const batch of batches) {
      const answers = await pushOps(store.db, { caller, ops: batch, now: T0 });
      const refused = answers.find((a) => a.status !== 'ack');
      if (refused) throw new Error(`the bench's ops must all be taken: ${JSON.stringify(refused)}`);
      count += batch.length;
    }
    return (count / (performance.now() - started)) * 1000;
  } finally {
    await store.close();
  }
}

/** An Ed25519 public key as node:crypto takes it: the raw 32 bytes after their SubjectPublicKeyInfo prefix. */
function nodeKey(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });
}

function verified(message: Uint8Array, key: KeyObject, signature: Buffer): Promise<boolean> {
  return new Promise((resolve, reject) => verify(null, message, key, signature, (error, ok) => (error ? reject(error) : resolve(ok))));
}

/**
 * The floor's ops/s: every batch's outer signatures checked at once (node:crypto's callback form
 * runs them on libuv's threads, one per core at least), then its rows written in one insert. The
 * keys are made once, as a base caches them; the message is hashed as the base hashes it.
 */
async function floor(options: OpenStoreOptions, batches: PushedOp[][], devices: readonly BenchDevice[]): Promise<number> {
  const store = await openStore(options);
  try {
    const keys = new Map(devices.map((d) => [d.device as string, nodeKey(d.sealer.signing.publicKey.raw)]));
    let seq = 0;
    const started = performance.now();
    for (const batch of batches) {
      const checks = await Promise.all(
        batch.map((op) => {
          const hash = createHash('sha256').update(op.body, 'utf8').digest('base64url');
          return verified(outerMessageOfHash(op.header, hash), keys.get(op.header.device)!, Buffer.from(op.osig!, 'base64url'));
        }),
      );
      if (checks.some((ok) => !ok)) throw new Error("the bench's ops must all verify");
      const rows = batch.map((op) => {
        const h = op.header;
        seq += 1;
        return {
          seq,
          id: h.id,
          v: h.v,
          kind: h.kind,
          report_id: h.reportId,
          device: h.device,
          device_seq: h.deviceSeq,
          body: op.body,
          sig: op.sig ?? null,
          osig: op.osig ?? null,
          status: 'ok' as const,
          reject_reason: null,
          received_at: T0,
        };
      });
      await store.db.transaction().execute((trx) => trx.insertInto('ops').values(rows).execute());
    }
    return (seq / (performance.now() - started)) * 1000;
  } finally {
    await store.close();
  }
}

/** Each rate as the median of RUNS runs, its spread beside it: one run on a shared machine says little. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface IngestRates {
  sealed: Spread;
  clear: Spread;
  floor: Spread;
}

const RUNS = Number(process.env.RASID_BENCH_INGEST_RUNS || 3);

function spread(rates: number[]): Spread {
  const sorted = [...rates].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, min: sorted[0]!, max: sorted.at(-1)! };
}

/**
 * Sealed-and-checked against clear, on SQLite and on PostgreSQL. A base that has run a while has its
 * signature workers started and its code compiled: one unmeasured run on each store first, then the
 * runs, clear and sealed in turn, so both meet the machine in the same state.
 */
export async function ingestRates(ops: number): Promise<{ sqlite: IngestRates; postgres: IngestRates }> {
  const [deployment, root] = await Promise.all([generateKeyPair('x25519'), generateKeyPair('ed25519')]);
  const batches = await makeBatches(ops, deployment);
  // As a deployment is made now: its key and its root, so the base reads the trusted roster on every push.
  const withKey = async (store: Store) => {
    await enroll(store, batches.devices);
    const set = await setDeploymentKey(store.db, deployment.publicKey.text);
    if (!set.ok) throw new Error(set.reason);
    const rooted = await setDeploymentRoot(store.db, root.publicKey.text);
    if (!rooted.ok) throw new Error(rooted.reason);
  };
  const withoutKey = (store: Store) => enroll(store, batches.devices);

  const dirs: string[] = [];
  const sqlite = async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rasid-ingest-'));
    dirs.push(dir);
    return { dataDir: dir };
  };
  // run.ts may hand over the cluster it made for the whole bench.
  const shared = process.env.RASID_BENCH_POSTGRES;
  const cluster = shared ? postgresAt(shared) : await startPostgres();
  try {
    const postgres = async () => ({ databaseUrl: await cluster.createDatabase() });
    const rates = async (store: () => Promise<OpenStoreOptions>): Promise<IngestRates> => {
      await ingest(await store(), batches.sealed.slice(0, 4), withKey);
      const clear: number[] = [];
      const sealed: number[] = [];
      const floors: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        floors.push(await floor(await store(), batches.sealed, batches.devices));
        clear.push(await ingest(await store(), batches.clear, withoutKey));
        sealed.push(await ingest(await store(), batches.sealed, withKey));
      }
      return { clear: spread(clear), sealed: spread(sealed), floor: spread(floors) };
    };
    return { sqlite: await rates(sqlite), postgres: await rates(postgres) };
  } finally {
    cluster.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}
