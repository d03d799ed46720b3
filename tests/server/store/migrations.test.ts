/**
 * A store made before a change, opened by the code after it: every migration since runs, and what
 * the store held is carried over. Built at the older version with the migrations themselves, so the
 * old schema is exactly the one a deployed base has.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { opStoreMigrations, type StoreDialect } from '../../../src/server/store/migrations.ts';
import { openStore, SQLITE_FILE_NAME, type Store } from '../../../src/server/store/open.ts';
import { postgresCluster, usePostgres } from './dialects.ts';

usePostgres();

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const BLOB_A = { bytes: 2_400_577, sha256: 'a'.repeat(64) };
const BLOB_B = { bytes: 70_033, sha256: 'b'.repeat(64) };

/** A store at 0011: an op that adds two photos, one that adds none, and a rejected one naming a blob. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function fillAt0011(db: Kysely<any>, dialect: StoreDialect): Promise<void> {
  const { error } = await new Migrator({ db, provider: opStoreMigrations(dialect) }).migrateTo('0011_blobs');
  if (error) throw error instanceof Error ? error : new Error('migration to 0011 failed', { cause: error });
  const op = (seq: number, device: string, blobs: string | null, status = 'ok') => ({
    seq,
    id: `0190a000-0000-7000-8000-00000000000${seq}`,
    v: 2,
    kind: 'create',
    report_id: `0190a000-0000-7000-8000-0000000000a${seq}`,
    device,
    device_seq: 1,
    body: 'sealed',
    sig: null,
    osig: 'o',
    blobs,
    status,
    reject_reason: status === 'ok' ? null : 'bad_signature',
    received_at: 1_750_000_000_000,
  });
  await db
    .insertInto('ops')
    .values([
      op(1, 'monitor-a-0001', JSON.stringify([BLOB_A, BLOB_B])),
      op(2, 'monitor-b-0002', null),
      op(3, 'monitor-c-0003', JSON.stringify([{ bytes: 17, sha256: 'c'.repeat(64) }]), 'rejected'),
    ])
    .execute();
  await db.destroy();
}

describe('a base store made before photos had a blob store', () => {
  const check = async (store: Store) => {
    stores.push(store);
    const named = await store.db.selectFrom('op_blobs').selectAll().orderBy('sha256').execute();
    expect(named.map((r) => ({ ...r, bytes: Number(r.bytes), seq: Number(r.seq) }))).toEqual([
      { ...BLOB_A, seq: 1, device: 'monitor-a-0001' },
      { ...BLOB_B, seq: 1, device: 'monitor-a-0001' },
    ]);
    expect(await store.db.selectFrom('blobs').selectAll().execute()).toEqual([]);
  };

  it('SQLite: opened now, it lists the blobs its acknowledged ops name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rasid-migrate-'));
    dirs.push(dir);
    await fillAt0011(new Kysely({ dialect: new SqliteDialect({ database: new SqliteDatabase(join(dir, SQLITE_FILE_NAME)) }) }), 'sqlite');
    await check(await openStore({ dataDir: dir }));
  });

  it('PostgreSQL: opened now, it lists the blobs its acknowledged ops name', async () => {
    const url = await (await postgresCluster()).createDatabase();
    await fillAt0011(new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url }) }) }), 'postgres');
    await check(await openStore({ databaseUrl: url }));
  });
});
