/**
 * Opens the op store: PostgreSQL when a DATABASE_URL is given (several server processes may share
 * it), else SQLite in a data folder (the embedded default) or in memory (tests). Runs the
 * migrations and makes the store's epoch the first time.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { cryptoRandom, type RandomBytes } from '../../domain/ids.ts';
import { newEpoch } from './epoch.ts';
import { newReceiptKey } from './receipts.ts';
import { migrateToLatest, type StoreDialect } from './migrations.ts';
import type { Database } from './schema.ts';
import { withStatementCache } from './statement-cache.ts';

export interface OpenStoreOptions {
  /** postgres://... : use PostgreSQL. */
  databaseUrl?: string;
  /** Folder for `rasid.sqlite` (created if missing), when there is no databaseUrl. */
  dataDir?: string;
  /** SQLite in memory, for tests. */
  memory?: boolean;
  /** For the epoch; defaults to the platform's secure random source. */
  random?: RandomBytes;
  /** For the store's creation time; defaults to Date.now. */
  now?: () => number;
  /** PostgreSQL pool size (default 10). */
  maxConnections?: number;
}

export interface Store {
  db: Kysely<Database>;
  dialect: StoreDialect;
  /** 128 random bits, hex, made once when the store was created. Every response carries it. */
  epoch: string;
  createdAt: number;
  close(): Promise<void>;
}

export const SQLITE_FILE_NAME = 'rasid.sqlite';
/** How long a SQLite writer waits for another process's write lock before failing. */
const SQLITE_BUSY_TIMEOUT_MS = 5000;
const INT8_OID = 20;

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const { db, dialect } = options.databaseUrl ? openPostgres(options) : openSqlite(options);
  try {
    await migrateToLatest(db, dialect);
    const { epoch, createdAt } = await ensureEpoch(db, options.random ?? cryptoRandom, options.now ?? Date.now);
    return { db, dialect, epoch, createdAt, close: () => db.destroy() };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

function openSqlite(options: OpenStoreOptions): { db: Kysely<Database>; dialect: StoreDialect } {
  let file = ':memory:';
  if (!options.memory) {
    if (!options.dataDir) throw new Error('openStore needs a databaseUrl, a dataDir or memory: true');
    mkdirSync(options.dataDir, { recursive: true });
    file = join(options.dataDir, SQLITE_FILE_NAME);
  }
  const sqlite = new SqliteDatabase(file);
  // WAL lets pulls read while a push writes; FULL syncs the WAL at every commit, so an acknowledged
  // op survives a power cut (NORMAL, the usual WAL pairing, may lose the last commits).
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) }), dialect: 'sqlite' };
}

function openPostgres(options: OpenStoreOptions): { db: Kysely<Database>; dialect: StoreDialect } {
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.maxConnections ?? 10,
    // Sequence numbers, device_seq, times and counts are int8: parse them as numbers (all stay
    // below 2^53), for this pool only, so the rows look the same as SQLite's.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary'
          ? (v: string) => Number(v)
          : (pg.types.getTypeParser(oid, format) as (v: string) => unknown)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection the server drops (restart, failover) is an 'error' event on the pool; without
  // a listener it would end the process. The pool discards that client and the next query reconnects.
  pool.on('error', () => {});
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres' };
}

/** Makes the epoch if this is a new store; two processes starting at once agree on the one written first. */
async function ensureEpoch(db: Kysely<Database>, random: RandomBytes, now: () => number) {
  const epoch = newEpoch(random);
  await db
    .insertInto('meta')
    .values({ id: 1, epoch, created_at: now() })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  // A store made before receipts gets its key here, once, whichever process gets there first.
  await db
    .updateTable('meta')
    .set({ receipt_key: newReceiptKey(random) })
    .where('id', '=', 1)
    .where('receipt_key', 'is', null)
    .execute();
  const row = await db.selectFrom('meta').select(['epoch', 'created_at']).where('id', '=', 1).executeTakeFirstOrThrow();
  return { epoch: row.epoch, createdAt: Number(row.created_at) };
}
