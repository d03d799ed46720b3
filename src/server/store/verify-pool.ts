/**
 * Signature checks off the request thread: a push of 500 ops is 500 signature checks, about 30 ms
 * of one core, during which the server would answer nobody else. A small pool of worker threads
 * (one per core, at most four) checks them, each a share of the batch; a handful of checks is done
 * here, where posting them would cost more than the checks. A worker that fails is replaced, and
 * its share is checked here: a check is never lost, and never answered with a 5xx.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SigningAlg } from '../../domain/crypto/algorithms.ts';

/** One signature to check: the key as SubjectPublicKeyInfo DER in base64, the message, the 64 bytes. */
export interface Check {
  alg: SigningAlg;
  der: string;
  message: Uint8Array;
  signature: Uint8Array;
}

/** Fewer checks than this are done on the request thread. */
const POOL_FROM = 32;
const MAX_WORKERS = 4;

/**
 * The check, written once: run here for small batches, and sent as its source text to the workers.
 * It closes over nothing but what it is given (and the global Buffer), so its text runs anywhere.
 */
function makeCheck(publicKey: typeof createPublicKey, check: typeof verify): (c: Check) => boolean {
  const keys = new Map<string, KeyObject>();
  return ({ alg, der, message, signature }) => {
    try {
      let key = keys.get(der);
      if (!key) {
        if (keys.size >= 10_000) keys.clear();
        key = publicKey({ key: Buffer.from(der, 'base64'), format: 'der', type: 'spki' });
        keys.set(der, key);
      }
      return alg === 'ed25519'
        ? check(null, message, key, signature)
        : check('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature);
    } catch {
      return false;
    }
  };
}

/** The same check, here. */
export const checkHere = makeCheck(createPublicKey, verify);

/**
 * A share of checks as one buffer the worker takes over, not hundreds of objects to copy: each check
 * is its key's index in `keys`, then the message and the signature, each after its length (u32).
 * Copying a batch's checks object by object cost the request thread more than the checks saved it.
 */
interface Packed {
  keys: { alg: SigningAlg; der: string }[];
  count: number;
  buffer: ArrayBuffer;
}

function pack(checks: readonly Check[]): Packed {
  const keys: Packed['keys'] = [];
  const keyIndex = new Map<string, number>();
  let size = 0;
  for (const c of checks) size += 12 + c.message.byteLength + c.signature.byteLength;
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  let at = 0;
  for (const c of checks) {
    const id = `${c.alg} ${c.der}`;
    let k = keyIndex.get(id);
    if (k === undefined) {
      k = keys.push({ alg: c.alg, der: c.der }) - 1;
      keyIndex.set(id, k);
    }
    view.setUint32(at, k);
    view.setUint32(at + 4, c.message.byteLength);
    bytes.set(c.message, at + 8);
    at += 8 + c.message.byteLength;
    view.setUint32(at, c.signature.byteLength);
    bytes.set(c.signature, at + 4);
    at += 4 + c.signature.byteLength;
  }
  return { keys, count: checks.length, buffer: bytes.buffer };
}

/** The packed checks back as checks, their bytes views of the one buffer. Written for the worker too, like makeCheck. */
function unpack({ keys, count, buffer }: Packed): Check[] {
  const view = new DataView(buffer);
  const checks: Check[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const key = keys[view.getUint32(at)]!;
    const messageLength = view.getUint32(at + 4);
    const message = new Uint8Array(buffer, at + 8, messageLength);
    at += 8 + messageLength;
    const signatureLength = view.getUint32(at);
    const signature = new Uint8Array(buffer, at + 4, signatureLength);
    at += 4 + signatureLength;
    checks.push({ alg: key.alg, der: key.der, message, signature });
  }
  return checks;
}

// The worker's whole program, as a script: no file to find or compile, whatever runs the server.
// Dynamic imports, so it runs whether Node reads it as a script or as a module; `__name` is what a
// loader that keeps function names (tsx) may have written into the functions' text.
const WORKER_SOURCE = `
globalThis.__name ??= (f) => f;
Promise.all([import('node:worker_threads'), import('node:crypto')]).then(([{ parentPort }, { createPublicKey, verify }]) => {
  const check = (${makeCheck.toString()})(createPublicKey, verify);
  const unpack = ${unpack.toString()};
  parentPort.on('message', ({ id, packed }) => {
    const results = Uint8Array.from(unpack(packed), (c) => (check(c) ? 1 : 0));
    parentPort.postMessage({ id, results }, [results.buffer]);
  });
});
`;

interface Pending {
  resolve: (results: boolean[]) => void;
  reject: (error: unknown) => void;
}

class PoolWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  broken = false;

  constructor() {
    // Plain JavaScript: none of the parent's loader flags, which would only slow its start.
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    // Idle workers never keep the process alive: the server's own handles decide when it ends.
    this.#worker.unref();
    this.#worker.on('message', ({ id, results }: { id: number; results: Uint8Array }) => {
      this.#pending.get(id)?.resolve(Array.from(results, (r) => r === 1));
      this.#pending.delete(id);
      if (this.#pending.size === 0) this.#worker.unref();
    });
    const fail = (error: unknown) => {
      this.broken = true;
      for (const p of this.#pending.values()) p.reject(error);
      this.#pending.clear();
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`signature worker exited with ${code}`)));
  }

  run(checks: Check[]): Promise<boolean[]> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.ref();
      const packed = pack(checks);
      this.#worker.postMessage({ id, packed }, [packed.buffer]);
    });
  }
}

let workers: PoolWorker[] | undefined;

function pool(): PoolWorker[] {
  const size = Math.max(1, Math.min(MAX_WORKERS, availableParallelism()));
  workers ??= [];
  for (let i = 0; i < size; i++) if (!workers[i] || workers[i]!.broken) workers[i] = new PoolWorker();
  return workers;
}

/** Whether each signature verifies, in order. Never throws for a bad key, message or signature. */
export async function checkAll(checks: readonly Check[]): Promise<boolean[]> {
  if (checks.length < POOL_FROM) return checks.map(checkHere);
  const all = pool();
  const share = Math.ceil(checks.length / all.length);
  const parts = all.map((w, i) => ({ w, part: checks.slice(i * share, (i + 1) * share) })).filter((p) => p.part.length > 0);
  const results = await Promise.all(parts.map(({ w, part }) => w.run(part).catch(() => part.map(checkHere))));
  return results.flat();
}
