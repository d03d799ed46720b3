/** Opening the store: migrations, the epoch, SQLite's durability settings, and surviving a restart. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, SQLITE_FILE_NAME, type Store } from '../../../src/server/store/open.ts';
import { pullOps } from '../../../src/server/store/pull.ts';
import { pushOps } from '../../../src/server/store/push.ts';
import { deviceWatermark } from '../../../src/server/store/watermark.ts';
import { forEachDialect, MONITOR_A, newId, op, postgresCluster } from './dialects.ts';

const NOW = Date.UTC(2025, 5, 1, 12);
const EPOCH_PATTERN = /^[0-9a-f]{32}$/;

forEachDialect('opening a store', ({ open, openAgain }, dialect) => {
  it('a new store has a 128-bit epoch in hex and an empty log', async () => {
    const store = await open();
    expect(store.epoch).toMatch(EPOCH_PATTERN);
    expect(store.dialect).toBe(dialect);
    expect(await store.db.selectFrom('ops').selectAll().execute()).toEqual([]);
    expect(await store.db.selectFrom('counter').selectAll().execute()).toEqual([{ id: 1, last_seq: 0 }]);
  });

  it('two new stores have different epochs', async () => {
    const [a, b] = [await open(), await open()];
    expect(a.epoch).not.toBe(b.epoch);
  });

  if (dialect === 'postgres') {
    it('a second server process on the same database keeps the epoch and sees the ops', async () => {
      const first = await open();
      await pushOps(first.db, { caller: { device: MONITOR_A, role: 'monitor' }, ops: [op(MONITOR_A, 1, 'create', newId())], now: NOW });
      const second = await openAgain();
      expect(second.epoch).toBe(first.epoch);
      expect(await deviceWatermark(second.db, MONITOR_A)).toBe(1);
    });

    it('server processes starting together on a new database agree on one epoch', async () => {
      const url = await (await postgresCluster()).createDatabase();
      const stores = await Promise.all([1, 2, 3].map(() => openStore({ databaseUrl: url })));
      try {
        expect(new Set(stores.map((s) => s.epoch)).size).toBe(1);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });
  }
});

describe('a SQLite store in a data folder', () => {
  let dir: string;
  const opened: Store[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });
  const openIn = async (dataDir: string, extra: Parameters<typeof openStore>[0] = {}) => {
    const store = await openStore({ dataDir, ...extra });
    opened.push(store);
    return store;
  };

  it('creates the folder and writes in WAL mode with synchronous FULL', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rasid-store-'));
    const dataDir = join(dir, 'nested', 'data');
    const store = await openIn(dataDir);
    expect(existsSync(join(dataDir, SQLITE_FILE_NAME))).toBe(true);
    const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.db);
    const sync = await sql<{ synchronous: number }>`pragma synchronous`.execute(store.db);
    const busy = await sql<{ timeout: number }>`pragma busy_timeout`.execute(store.db);
    expect(mode.rows[0]!.journal_mode).toBe('wal');
    expect(sync.rows[0]!.synchronous).toBe(2); // FULL
    expect(busy.rows[0]!.timeout).toBeGreaterThan(0);
  });

  it('ops, watermarks and the epoch survive closing and reopening the file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rasid-store-'));
    const caller = { device: MONITOR_A, role: 'monitor' } as const;
    const report = newId();
    const create = op(MONITOR_A, 1, 'create', report, { sig: 'c2ln' });
    const edit = op(MONITOR_A, 2, 'edit', report);

    const before = await openStore({ dataDir: dir, random: (n) => new Uint8Array(n).fill(0xab) });
    expect(before.epoch).toBe('ab'.repeat(16));
    await pushOps(before.db, { caller, ops: [create, edit], now: NOW });
    await before.close();

    const after = await openIn(dir, { random: (n) => new Uint8Array(n).fill(0xcd) });
    expect(after.epoch).toBe('ab'.repeat(16));
    expect(after.createdAt).toBe(before.createdAt);
    const pulled = await pullOps(after.db, { caller, after: null, limit: 10 });
    if (pulled.reset) throw new Error('unexpected reset');
    expect(pulled.ops.map((o) => o.op)).toEqual([
      { ...create.header, body: create.body, sig: 'c2ln' },
      { ...edit.header, body: edit.body },
    ]);
    expect(await deviceWatermark(after.db, MONITOR_A)).toBe(2);
    // The retry of an op acknowledged before the restart is still idempotent.
    expect(await pushOps(after.db, { caller, ops: [create], now: NOW + 1 })).toEqual([{ id: create.header.id, status: 'ack' }]);
  });

  it('refuses to open without a database URL, a data folder or memory', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rasid-store-'));
    await expect(openStore({})).rejects.toThrow(/dataDir/);
  });
});
