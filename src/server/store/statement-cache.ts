/**
 * Prepared statements kept by their SQL for SQLite. Kysely prepares every query it runs, and a
 * push's statements come back in a few shapes (the same insert of 400 rows, the same lookups): a
 * batch insert's text takes better-sqlite3 longer to prepare than to run. SQLite itself prepares a
 * kept statement again if the schema changed under it.
 */
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type { SqliteDatabase as KyselySqliteDatabase } from 'kysely';

/** Enough for every shape a push, a pull and the desk's pages use, with room to spare. */
const KEPT = 128;

export function withStatementCache(sqlite: SqliteDatabase, kept = KEPT): KyselySqliteDatabase {
  const statements = new Map<string, Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql) {
      const found = statements.get(sql);
      // A statement still being read row by row (a streamed query) cannot run a second query.
      if (found && !found.busy) {
        // Most recently used last, so the oldest goes first when the cache is full.
        statements.delete(sql);
        statements.set(sql, found);
        return found;
      }
      const statement = sqlite.prepare(sql);
      statements.set(sql, statement);
      if (statements.size > kept) statements.delete(statements.keys().next().value!);
      return statement;
    },
  };
}
