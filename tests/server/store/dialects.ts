/**
 * Runs a store test suite against both dialects: SQLite in memory and a fresh database in a real
 * PostgreSQL cluster started for the test file. Also small builders for ops.
 */
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import { uuidv7, type DeviceId } from '../../../src/domain/ids.ts';
import type { Role } from '../../../src/domain/roles.ts';
import type { OpKind, WireHeader } from '../../../src/domain/op/header.ts';
import { openStore, type Store } from '../../../src/server/store/open.ts';
import type { PushedOp } from '../../../src/server/store/rules.ts';
import { emptyDatabase, startPostgres, type PostgresCluster } from './postgres.ts';
import { deviceId, opId, targetId } from '../../ids.ts';

export type DialectName = 'sqlite' | 'postgres';

export interface DialectContext {
  /** A new, empty store; closed after the test. On PostgreSQL it replaces the test's earlier stores. */
  open: () => Promise<Store>;
  /** Another store on the database of the last `open()` (a second server process). */
  openAgain: () => Promise<Store>;
}

const CLUSTER_TIMEOUT_MS = 60_000;

// One cluster per test file (each file runs in its own worker), started before the file's tests
// and dropped when the file is done.
let cluster: Promise<PostgresCluster> | undefined;
let stopRegistered = false;

/** The test file's PostgreSQL cluster, started on first use. */
export function postgresCluster(): Promise<PostgresCluster> {
  if (!stopRegistered) throw new Error('call usePostgres() at the top of the test file first');
  cluster ??= startPostgres();
  return cluster;
}

/** Registers the file-level hooks that start and drop the cluster; call at the top level of a test file. */
export function usePostgres(): void {
  if (stopRegistered) return;
  stopRegistered = true;
  beforeAll(() => postgresCluster().then(() => undefined), CLUSTER_TIMEOUT_MS);
  afterAll(async () => {
    if (cluster) (await cluster).stop();
  }, CLUSTER_TIMEOUT_MS);
}

export function forEachDialect(title: string, suite: (ctx: DialectContext, dialect: DialectName) => void): void {
  usePostgres();
  for (const dialect of ['sqlite', 'postgres'] as const) {
    describe(`${title} (${dialect})`, () => {
      // One database per suite, emptied before each test's store is opened.
      let url: string | undefined;
      const opened: Store[] = [];
      if (dialect === 'postgres') {
        beforeAll(async () => {
          url = await (await postgresCluster()).createDatabase();
        });
      }
      afterEach(async () => {
        await Promise.all(opened.splice(0).map((s) => s.close()));
      });
      const track = (s: Store) => (opened.push(s), s);
      suite(
        {
          async open() {
            if (dialect === 'sqlite') return track(await openStore({ memory: true }));
            // Stores of the previous test are closed (afterEach), so nothing holds the schema.
            await Promise.all(opened.splice(0).map((s) => s.close()));
            await emptyDatabase(url!);
            return track(await openStore({ databaseUrl: url! }));
          },
          async openAgain() {
            if (dialect === 'sqlite') throw new Error('an in-memory SQLite store cannot be opened twice');
            return track(await openStore({ databaseUrl: url! }));
          },
        },
        dialect,
      );
    });
  }
}

let clock = Date.UTC(2025, 0, 1);
let counter = 0;
/** Distinct, valid UUIDs made deterministically. */
export function newId(): string {
  counter += 1;
  const c = counter;
  return uuidv7(clock++, (n) => Uint8Array.from({ length: n }, (_, i) => (c * 31 + i * 7) & 0xff));
}

export const MONITOR_A = deviceId('monitor-a-0001');
export const MONITOR_B = deviceId('monitor-b-0002');
export const COORDINATOR = deviceId('coordinator-01');

export function op(
  device: string,
  deviceSeq: number,
  kind: OpKind,
  reportId: string,
  extra: { id?: string; body?: string; sig?: string } = {},
): PushedOp {
  const header: WireHeader = {
    v: 1,
    id: opId(extra.id ?? newId()),
    kind,
    reportId: targetId(reportId),
    device: deviceId(device),
    deviceSeq,
  };
  const result: PushedOp = { header, body: extra.body ?? JSON.stringify({ hlc: `${deviceSeq}`, changes: {}, supersedes: {} }) };
  if (extra.sig !== undefined) result.sig = extra.sig;
  return result;
}

/** A device as enrollment leaves it in the store, with the public keys it enrolled with, if any. */
export async function enrolled(
  store: Store,
  device: DeviceId,
  role: Role,
  keys?: { agreement: { publicKey: { text: string } }; signing: { publicKey: { text: string } } },
): Promise<void> {
  await store.db
    .insertInto('devices')
    .values({
      device,
      role,
      token_hash: `hash-of-${device}`,
      revoked_at: null,
      created_at: 0,
      public_keys: keys ? JSON.stringify({ agreement: keys.agreement.publicKey.text, signing: keys.signing.publicKey.text }) : null,
    })
    .execute();
}
