/**
 * Runs in the benchmark page: a coordinator's desk taking in one pulled batch of reports' create
 * ops through the app's own path (read each op, then one strict transaction writing the ops and the
 * merged reports, all sealed at rest), sealed end to end (`v: 2`: opened, signature checked) and in
 * clear (`v: 1`), against its peer: the resulting report records written in clear with the raw
 * IndexedDB API in one strict transaction; and the floor the sealed way cannot beat: the same ops
 * opened and their signatures checked in parallel, one Web Worker per core, then that raw write.
 *
 * The workers run this very script (`/bench.js`, served by the bench's page server): loaded in a
 * worker, it answers `openAll` messages instead of setting up the page.
 */
import { DataKeyHolder } from '../../../src/app/store/at-rest.ts';
import { RasidDb } from '../../../src/app/store/db.ts';
import { readServed } from '../../../src/app/sync/take-in.ts';
import type { RosterEntry } from '../../../src/domain/roster.ts';
import { takeIn } from '../../../src/app/sync/take-in-steps.ts';
import { SUITES, detectSuite } from '../../../src/domain/crypto/algorithms.ts';
import { generateKeyPair, type AgreementKeyPair } from '../../../src/domain/crypto/keys.ts';
import { PairKeyCache } from '../../../src/domain/crypto/pair-keys.ts';
import { encodeHlc, nodeIdOf } from '../../../src/domain/hlc.ts';
import { cryptoRandom, newOpId, newReportId } from '../../../src/domain/ids.ts';
import { KeyDirectory } from '../../../src/domain/key-directory.ts';
import { emptyState, applyOp } from '../../../src/domain/merge.ts';
import { CODECS_READ } from '../../../src/domain/op/codecs.ts';
import { sealForWire, toWire } from '../../../src/domain/op/outgoing.ts';
import { readArrived, type Reader } from '../../../src/domain/op/read.ts';
import type { Op } from '../../../src/domain/op/op.ts';
import type { ServedOp } from '../../../src/domain/op/wire.ts';
import { deviceId } from '../../ids.ts';

const MONITOR = deviceId('benchmonitor01');

function createOp(i: number): Op {
  const now = Date.UTC(2025, 2, 8) + i * 1000;
  return {
    v: 1,
    id: newOpId(now, cryptoRandom),
    kind: 'create',
    reportId: newReportId(now, cryptoRandom),
    device: MONITOR,
    deviceSeq: i + 1,
    body: {
      hlc: encodeHlc({ wall: now, counter: 0, node: nodeIdOf(MONITOR) }),
      changes: {
        type: 'damage',
        eventDate: { precision: 'exact', date: '2025-03-07' },
        placeName: 'بيت ياشوط',
        structureKind: 'home',
        structures: 1 + (i % 9),
        damageLevel: 'destroyed',
        damageCause: 'burning',
        sourceKind: 'eyewitness',
        narrative: `أُحرقت البيوت بعد نهبها، وشاهد الجيران الدخان من الطريق العام قرب المدرسة (${i}). `.repeat(3),
      },
      supersedes: {},
    },
  };
}

function openRaw(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name, 1);
    req.onupgradeneeded = () => req.result.createObjectStore('reports', { keyPath: 'id' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

function rawWrite(db: IDBDatabase, records: { id: string }[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction('reports', 'readwrite', { durability: 'strict' });
    const store = tx.objectStore('reports');
    for (const r of records) store.put(r);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB request failed'));
  });
}

/** What a worker is given to open a share of the ops: the keys a desk holds, and the ops as pulled. */
interface OpenShare {
  mine: AgreementKeyPair;
  entry: RosterEntry;
  ops: unknown[];
}

/** In a worker: opens and checks every op of its share with a reader of its own, as a desk builds one per sync round. */
async function openShare({ mine, entry, ops }: OpenShare): Promise<unknown[]> {
  const reader: Reader = { mine: [mine], directory: await KeyDirectory.of([entry]), pairs: new PairKeyCache() };
  const read = await Promise.all(ops.map((op) => readArrived(op, reader)));
  const failed = read.find((r) => !r.ok);
  if (failed && !failed.ok) throw new Error(`an op did not open: ${failed.reason}`);
  return read.map((r) => (r.ok ? r.op : undefined));
}

/** One worker per core, each running this script. */
function workerPool(): Worker[] {
  return Array.from({ length: navigator.hardwareConcurrency || 1 }, () => new Worker('/bench.js', { type: 'module' }));
}

function ask(worker: Worker, share: OpenShare): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<{ ok: true; ops: unknown[] } | { ok: false; error: string }>) =>
      e.data.ok ? resolve(e.data.ops) : reject(new Error(e.data.error));
    worker.onerror = (e) => reject(new Error(e.message));
    worker.postMessage(share);
  });
}

/** The floor's first half: the ops split evenly over the workers, opened and checked at once, and handed back. */
async function openOnAllCores(pool: Worker[], share: Omit<OpenShare, 'ops'>, ops: unknown[]): Promise<unknown[]> {
  const size = Math.ceil(ops.length / pool.length);
  const parts = await Promise.all(pool.map((w, i) => ask(w, { ...share, ops: ops.slice(i * size, (i + 1) * size) })));
  return parts.flat();
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await work();
  return performance.now() - t0;
}

/** Milliseconds per batch of `n` ops, each way, over `rounds` rounds alternating the three. */
async function takeInOps(
  n: number,
  rounds: number,
): Promise<{ sealed: number[]; sealedRead: number[]; clear: number[]; raw: number[]; openAll: number[]; cores: number }> {
  const suite = SUITES[await detectSuite()];
  const [agreement, signing, deployment] = await Promise.all([
    generateKeyPair(suite.agreement),
    generateKeyPair(suite.signing),
    generateKeyPair(suite.agreement),
  ]);
  const entry = {
    device: MONITOR,
    role: 'monitor' as const,
    keys: { agreement: agreement.publicKey.text, signing: signing.publicKey.text },
  };
  const sealer = { agreement, signing, pairs: new PairKeyCache() };
  const out = { sealed: [] as number[], sealedRead: [] as number[], clear: [] as number[], raw: [] as number[], openAll: [] as number[] };
  const pool = workerPool();
  // A first share to each worker loads its script and warms its crypto, as a desk's pool is started once.
  await openOnAllCores(pool, { mine: deployment, entry }, []);
  for (let round = 0; round < rounds; round++) {
    const ops = Array.from({ length: n }, (_, i) => createOp(round * n + i));
    const served = (wire: (op: Op) => Promise<ServedOp['op']>) =>
      Promise.all(ops.map(async (op, i) => ({ seq: round * n + i + 1, receivedAt: Date.now(), op: await wire(op) })));
    const sealedOps = await served(async (op) => {
      // As this app's devices seal them once every device has said it opens codec 2.
      const s = await sealForWire(op, sealer, [deployment.publicKey, agreement.publicKey], CODECS_READ);
      if (!s.ok) throw new Error(s.reason);
      return s.wire;
    });
    const clearOps = await served(async (op) => toWire(op));
    const records = ops.map((op) => ({
      id: op.reportId,
      type: 'damage',
      createdAt: op.body.hlc,
      state: applyOp(emptyState(op.reportId), op, () => false),
      lastOwnSeq: 0,
    }));

    const desk = async (label: string, batch: ServedOp[]) => {
      const dataKey = new DataKeyHolder();
      await dataKey.set(cryptoRandom(32));
      const db = new RasidDb(`bench-apply-${label}-${round}`, { dataKey });
      await db.open();
      // A fresh reader per batch, as a sync builds one per round: the pair agreement is in the time.
      const reader: Reader = { mine: [deployment], directory: await KeyDirectory.of([entry]), pairs: new PairKeyCache() };
      let readMs = 0;
      const ms = await timed(async () => {
        const t0 = performance.now();
        const { ops: readable, toQuarantine } = await readServed(batch, reader);
        readMs = performance.now() - t0;
        if (toQuarantine.length > 0) throw new Error(`${toQuarantine.length} ops did not open: ${toQuarantine[0]!.reason}`);
        await takeIn(
          db,
          { ops: readable, toQuarantine, rejected: [], covering: {} },
          { device: deviceId('benchdesk01'), now: () => Date.now() },
        );
      });
      db.close();
      await db.delete();
      return { ms, readMs };
    };
    const raw = await openRaw(`bench-apply-raw-${round}`);
    out.raw.push(await timed(() => rawWrite(raw, records)));
    raw.close();
    const sealed = await desk('sealed', sealedOps);
    out.sealed.push(sealed.ms);
    out.sealedRead.push(sealed.readMs);
    out.clear.push((await desk('clear', clearOps)).ms);
    out.openAll.push(
      await timed(async () => {
        const opened = await openOnAllCores(
          pool,
          { mine: deployment, entry },
          sealedOps.map((s) => s.op),
        );
        if (opened.length !== n) throw new Error(`${opened.length} ops opened of ${n}`);
      }),
    );
  }
  for (const w of pool) w.terminate();
  return { ...out, cores: pool.length };
}

if (typeof window === 'undefined') {
  // In a worker of the pool above.
  self.onmessage = (e: MessageEvent<OpenShare>) =>
    void openShare(e.data).then(
      (ops) => self.postMessage({ ok: true, ops }),
      (error: unknown) => self.postMessage({ ok: false, error: String(error) }),
    );
} else {
  (globalThis as unknown as { bench: unknown }).bench = { takeInOps };
}
