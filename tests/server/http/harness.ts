/**
 * The HTTP API in process, over a real store: SQLite in a temp folder (a file, as in production)
 * and a fresh database in the test file's PostgreSQL cluster. Time is a clock the test moves.
 * Also small clients for enrollment and sync, and wire form builders.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import type { Hono } from 'hono';
import { afterEach, beforeAll, describe } from 'vitest';
import { canonicalJson } from '../../../src/domain/canonical-json.ts';
import { cryptoRandom, uuidv7 } from '../../../src/domain/ids.ts';
import type { OpKind } from '../../../src/domain/op/header.ts';
import type { SyncRequest, SyncResponse } from '../../../src/domain/op/sync.ts';
import type { WireOp } from '../../../src/domain/op/wire.ts';
import type { Role } from '../../../src/domain/roles.ts';
import { createApp } from '../../../src/server/app.ts';
import { claimFirstCoordinatorCode } from '../../../src/server/enrollment/codes.ts';
import { generateKeyPair, type AgreementKeyPair, type SigningKeyPair } from '../../../src/domain/crypto/keys.ts';
import { PairKeyCache } from '../../../src/domain/crypto/pair-keys.ts';
import type { Sealer } from '../../../src/domain/op/outgoing.ts';
import type { BlobBytes } from '../../../src/server/blobs/bytes.ts';
import { BLOB_FOLDER_NAME, folderBytes } from '../../../src/server/blobs/folder-bytes.ts';
import { syncApi } from '../../../src/server/http/api.ts';
import type { RequestLimits } from '../../../src/server/http/rate-limit.ts';
import { openStore, type Store } from '../../../src/server/store/index.ts';
import { postgresCluster, usePostgres } from '../store/dialects.ts';
import { emptyDatabase } from '../store/postgres.ts';
import { deviceId, opId, targetId } from '../../ids.ts';
import { enrollBeforeKeys } from '../enrolled-before-keys.ts';

export type DialectName = 'sqlite' | 'postgres';
export const ORIGIN = 'https://rasid.example.org';
export const T0 = Date.UTC(2025, 5, 1, 9);

export interface TestServer {
  store: Store;
  /** The SQLite store's data folder (its blobs are in blobs/ there); undefined on PostgreSQL. */
  folder?: string;
  app: Hono;
  /** The server's clock; tests move it. */
  clock: { now: number };
  /** Any request, as a client sends it (JSON bodies are serialised). */
  call(
    path: string,
    init?: { method?: string; token?: string; json?: unknown; headers?: Record<string, string>; body?: BodyInit | Buffer },
  ): Promise<Response>;
  /** POST /api/v1/sync; throws unless 200. */
  sync(token: string, request: Partial<SyncRequestBody>): Promise<SyncResponse>;
  /** The first coordinator, enrolled through the store's first link. */
  firstCoordinator(device?: string): Promise<string>;
  /**
   * A monitor (or coordinator) enrolled through a code the given coordinator made: for a monitor,
   * once the deployment has its keys (`makeKeys`).
   */
  enrollWith(coordinatorToken: string, device: string, role?: Role): Promise<string>;
  /**
   * The deployment's root and deployment key, made by a coordinator and set through the API as its
   * desk sets them, so that monitors may enroll.
   */
  makeKeys(coordinatorToken: string): Promise<{ root: SigningKeyPair; deployment: AgreementKeyPair }>;
  /**
   * A device of a base from before keys came first (decision 055), as its store holds it: enrolled
   * with no keys, before the deployment had its own, so its ops travel in clear (`v: 1`). No base
   * enrolls a monitor so now; tests of ops in clear start from such a base.
   */
  enrolledBeforeKeys(device: string, role?: Role): Promise<string>;
  /**
   * A device enrolled with keys of its own, as the app enrolls one, and what it seals its ops with:
   * the first coordinator when no token is given, else through a code that coordinator made.
   */
  enrollSealer(coordinatorToken: string | undefined, device: string, role?: Role): Promise<{ token: string; sealer: Sealer }>;
}

export type SyncRequestBody = SyncRequest;

/** Runs a suite against a fresh server on SQLite (a temp file) and on PostgreSQL. */
export function forEachStore(
  title: string,
  suite: (ctx: { start: (options?: TestServerOptions) => Promise<TestServer> }, dialect: DialectName) => void,
): void {
  usePostgres();
  for (const dialect of ['sqlite', 'postgres'] as const) {
    describe(`${title} (${dialect})`, () => {
      let url: string | undefined;
      const opened: Store[] = [];
      const dirs: string[] = [];
      if (dialect === 'postgres') {
        beforeAll(async () => {
          url = await (await postgresCluster()).createDatabase();
        });
      }
      afterEach(async () => {
        await Promise.all(opened.splice(0).map((s) => s.close()));
        for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
      });
      suite(
        {
          async start(options) {
            let store: Store;
            // As a base keeps them: in a folder beside SQLite, in the database with PostgreSQL.
            let blobBytes: BlobBytes | undefined;
            let folder: string | undefined;
            if (dialect === 'sqlite') {
              const dir = mkdtempSync(join(tmpdir(), 'rasid-http-'));
              dirs.push(dir);
              store = await openStore({ dataDir: dir });
              blobBytes = folderBytes(join(dir, BLOB_FOLDER_NAME));
              folder = dir;
            } else {
              await Promise.all(opened.splice(0).map((s) => s.close()));
              await emptyDatabase(url!);
              store = await openStore({ databaseUrl: url! });
            }
            opened.push(store);
            return { ...testServer(store, { ...options, blobBytes }), folder };
          },
        },
        dialect,
      );
    });
  }
}

/** A server on SQLite in a temp folder, for behaviour that does not depend on the database. */
export function useSqliteServer(): () => Promise<TestServer> {
  const opened: Store[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rasid-http-'));
    dirs.push(dir);
    const store = await openStore({ dataDir: dir });
    opened.push(store);
    return testServer(store);
  };
}

/** `limits` gets the server's clock, so a test moves time for the buckets too. */
interface TestServerOptions {
  limits?: (now: () => number) => RequestLimits;
  distDir?: string;
  tls?: boolean;
  /** A smaller page in bytes, so a test of paging by bytes needs no megabytes of ops. */
  pullBytes?: number;
  blobBytes?: BlobBytes;
}

export function testServer(store: Store, options: TestServerOptions = {}): TestServer {
  const clock = { now: T0 };
  const now = () => clock.now;
  const deps = {
    store,
    now,
    random: cryptoRandom,
    publicOrigin: () => ORIGIN,
    limits: options.limits?.(now),
    pullBytes: options.pullBytes,
    blobBytes: options.blobBytes,
  };
  const app = createApp({ distDir: options.distDir ?? join(tmpdir(), 'rasid-no-dist'), tls: options.tls, apiRoutes: syncApi(deps) });
  const call: TestServer['call'] = (path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token !== undefined) headers.Authorization = `Bearer ${init.token}`;
    // Node's fetch takes a Buffer; TypeScript's DOM types do not say so.
    let body = init.body as BodyInit | undefined;
    if (init.json !== undefined) {
      headers['Content-Type'] ??= 'application/json';
      body = JSON.stringify(init.json);
    }
    return Promise.resolve(app.request(path, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body }));
  };
  const server: TestServer = {
    store,
    app,
    clock,
    call,
    async sync(token, request) {
      const res = await call('/api/v1/sync', { token, json: { epoch: null, cursor: null, ops: [], ...request } });
      if (res.status !== 200) throw new Error(`sync answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as SyncResponse;
    },
    async firstCoordinator(device = 'coordinator-0001') {
      const first = await claimFirstCoordinatorCode(store.db, { now: () => clock.now, random: cryptoRandom });
      if (!first) throw new Error('this store already made its first link');
      return enroll(call, first.code, device);
    },
    async enrollWith(coordinatorToken, device, role = 'monitor') {
      const res = await call('/api/v1/enrollment-codes', { token: coordinatorToken, json: { role } });
      if (res.status !== 201) throw new Error(`enrollment-codes answered ${res.status}: ${await res.text()}`);
      const { code } = (await res.json()) as { code: string };
      return enroll(call, code, device);
    },
    async makeKeys(coordinatorToken) {
      const [root, deployment] = await Promise.all([generateKeyPair('ed25519'), generateKeyPair('x25519')]);
      const res = await call('/api/v1/deployment-key', {
        method: 'PUT',
        token: coordinatorToken,
        json: { key: deployment.publicKey.text, root: root.publicKey.text },
      });
      if (res.status !== 201) throw new Error(`deployment-key answered ${res.status}: ${await res.text()}`);
      return { root, deployment };
    },
    enrolledBeforeKeys: (device, role = 'monitor') => enrollBeforeKeys(store, device, role, clock.now),
    async enrollSealer(coordinatorToken, device, role = 'monitor') {
      let code: string;
      if (coordinatorToken === undefined) {
        const first = await claimFirstCoordinatorCode(store.db, { now: () => clock.now, random: cryptoRandom });
        if (!first) throw new Error('this store already made its first link');
        code = first.code;
      } else {
        const res = await call('/api/v1/enrollment-codes', { token: coordinatorToken, json: { role } });
        if (res.status !== 201) throw new Error(`enrollment-codes answered ${res.status}: ${await res.text()}`);
        code = ((await res.json()) as { code: string }).code;
      }
      const [signing, agreement] = await Promise.all([generateKeyPair('ed25519'), generateKeyPair('x25519')]);
      const keys = { signing: signing.publicKey.text, agreement: agreement.publicKey.text };
      const res = await call('/api/v1/enroll', { json: { code, device, keys } });
      if (res.status !== 201) throw new Error(`enroll answered ${res.status}: ${await res.text()}`);
      return { token: ((await res.json()) as { token: string }).token, sealer: { signing, agreement, pairs: new PairKeyCache() } };
    },
  };
  return server;
}

async function enroll(call: TestServer['call'], code: string, device: string): Promise<string> {
  const res = await call('/api/v1/enroll', { json: { code, device } });
  if (res.status !== 201) throw new Error(`enroll answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

let idClock = Date.UTC(2025, 0, 1);
/** A fresh, valid UUID v7. */
export function newId(): string {
  return uuidv7(idClock++, cryptoRandom);
}

/** A wire form with a body like the app's (canonical JSON), which the server never reads. */
export function wireOp(device: string, deviceSeq: number, kind: OpKind, reportId: string, changes: Record<string, unknown> = {}): WireOp {
  const hlc = `${new Date(T0 + deviceSeq).toISOString()}-0000-${device.replace(/[^0-9a-z]/g, '').slice(0, 32)}`;
  return {
    v: 1,
    id: opId(newId()),
    kind,
    reportId: targetId(reportId),
    device: deviceId(device),
    deviceSeq,
    body: canonicalJson({ hlc, changes, supersedes: {} }),
  };
}

export const ids = (answer: SyncResponse) => answer.ops.map((o) => o.op.id);

/**
 * A gzip stream that inflates to `bytes` zeros, made without holding them: 64 MiB members (about
 * 64 KB each at level 9), concatenated, which gzip readers inflate as one stream.
 */
export async function gzipOfZeros(bytes: number): Promise<Buffer> {
  const MEMBER = 64 * 1024 * 1024;
  const zeros = Buffer.alloc(1024 * 1024);
  const member = await new Promise<Buffer>((resolve, reject) => {
    const gzip = createGzip({ level: 9 });
    const out: Buffer[] = [];
    gzip.on('data', (chunk: Buffer) => out.push(chunk));
    gzip.on('end', () => resolve(Buffer.concat(out)));
    gzip.on('error', reject);
    for (let i = 0; i < MEMBER / zeros.length; i++) gzip.write(zeros);
    gzip.end();
  });
  if (bytes % MEMBER !== 0) throw new Error('gzipOfZeros takes a multiple of 64 MiB');
  return Buffer.concat(Array.from({ length: bytes / MEMBER }, () => member));
}
