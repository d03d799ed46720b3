/**
 * Kept statements behave as freshly prepared ones: a query left half read, and a statement kept
 * across a change of its table, both give the rows as they are.
 */
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, expect, test, vi } from 'vitest';
import { withStatementCache } from '../../../src/server/store/statement-cache.ts';

interface Tables {
  places: { id: number; name: string };
}

let db: Kysely<Tables> | undefined;

afterEach(async () => {
  await db?.destroy();
  db = undefined;
});

function open(kept?: number) {
  const sqlite = new SqliteDatabase(':memory:');
  const prepare = vi.spyOn(sqlite, 'prepare');
  db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite, kept) }) });
  return { db, prepare };
}

async function withPlaces(db: Kysely<Tables>, names: string[]) {
  await db.schema
    .createTable('places')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text')
    .execute();
  await db
    .insertInto('places')
    .values(names.map((name, i) => ({ id: i + 1, name })))
    .execute();
}

test('the same query runs on the statement prepared the first time', async () => {
  const { db, prepare } = open();
  await withPlaces(db, ['Tell Rifaat', 'Deir Hafer']);
  prepare.mockClear();
  for (let i = 0; i < 3; i++) {
    expect(await db.selectFrom('places').select('name').where('id', '=', 2).execute()).toEqual([{ name: 'Deir Hafer' }]);
  }
  expect(prepare).toHaveBeenCalledTimes(1);
});

test('a query read row by row and left after its first row runs again from the start', async () => {
  const { db } = open();
  await withPlaces(db, ['Tell Rifaat', 'Deir Hafer', 'Maskanah']);
  const query = db.selectFrom('places').select('name').orderBy('id');
  for await (const row of query.stream()) {
    expect(row.name).toBe('Tell Rifaat');
    break;
  }
  expect((await query.execute()).map((r) => r.name)).toEqual(['Tell Rifaat', 'Deir Hafer', 'Maskanah']);
  const streamed: string[] = [];
  for await (const row of query.stream()) streamed.push(row.name);
  expect(streamed).toEqual(['Tell Rifaat', 'Deir Hafer', 'Maskanah']);
});

test('a kept statement sees a column added after it was prepared, and the oldest goes when the cache is full', async () => {
  const { db, prepare } = open(2);
  await withPlaces(db, ['Tell Rifaat']);
  const all = () => sql<Record<string, unknown>>`select * from places`.execute(db).then((r) => r.rows);
  expect(await all()).toEqual([{ id: 1, name: 'Tell Rifaat' }]);
  await sql`alter table places add column district text`.execute(db);
  expect(await all()).toEqual([{ id: 1, name: 'Tell Rifaat', district: null }]);

  prepare.mockClear();
  await sql`select 1`.execute(db);
  await sql`select 2`.execute(db);
  await all();
  expect(prepare).toHaveBeenCalledTimes(3);
});
