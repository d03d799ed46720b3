/**
 * Sealing and opening rows where Dexie meets IndexedDB (a DBCore middleware below Dexie's own), so
 * every reader and writer of the app, the desk and the export worker included, sees rows as they
 * are while the disk holds them sealed (at-rest.ts). Locked, a sealed table can be neither read nor
 * written: the call fails with LockedError.
 *
 * Rows in clear are taken as they are only inside a version change (db.ts's upgrade, which seals
 * them): IndexedDB runs one only when the database's version rises, which no row can ask for.
 */
import type { DBCore, DBCoreCursor, DBCoreTable, Middleware, Table } from 'dexie';
import { cryptoRandom } from '../../domain/ids.ts';
import type { RasidDb } from './db.ts';
import type { Stored } from './stored-rows.ts';
import {
  CLEAR_PROPS,
  isSealedTable,
  openRow,
  SEALED_PROP,
  sealRow,
  unreadableRow,
  UnreadableRowError,
  type DataKeyHolder,
} from './at-rest.ts';

type Row = Record<string, unknown>;

/** Rows handed back as they lie on disk by putStored, to be written with the seal they carry. */
const keptSeals = new WeakSet<object>();

/**
 * Rows read as they lie (stored-rows.ts), with clear properties changed, written back with the seal
 * each carried: nothing is opened or sealed again. A row that has no seal on a database that seals
 * (one planted in clear, listed as unreadable) is left as it lies. Through Dexie, so live queries
 * see the change; joins the caller's transaction. docs/decisions.md, 094.
 */
export async function putStored<T, Clear extends keyof T>(db: RasidDb, table: Table<T>, rows: readonly Stored<T, Clear>[]): Promise<void> {
  const kept = db.dataKey ? rows.filter((row) => (row as Row)[SEALED_PROP] instanceof Uint8Array) : rows;
  if (kept.length === 0) return;
  // In a transaction of its own asking (or the caller's): Dexie's optimistic cache of live queries,
  // which would show these rows as they are handed down, stays out of explicit transactions.
  await db.transaction('rw', table, () =>
    table.bulkPut(
      kept.map((row) => {
        const copy = { ...row };
        keptSeals.add(copy);
        return copy as T;
      }),
    ),
  );
}

/** A row kept with its seal, checked: a seal, and beside it only what the table keeps in clear. */
function asItLies(table: string, row: Row): Row {
  const clear = CLEAR_PROPS[table]!;
  if (!(row[SEALED_PROP] instanceof Uint8Array) || Object.keys(row).some((name) => name !== SEALED_PROP && !clear.includes(name)))
    throw new Error(`a row of ${table} kept with its seal has more than its clear part`);
  return row;
}

/** A cursor whose value is the opened row; everything else is the cursor's own, looked up at each call (Dexie swaps its methods as it goes). */
function openedCursor(cursor: DBCoreCursor, open: (value: Row) => Row): DBCoreCursor {
  let raw: unknown;
  let opened: Row | undefined;
  const wrapper: DBCoreCursor = {
    get trans() {
      return cursor.trans;
    },
    get key(): unknown {
      return cursor.key as unknown;
    },
    get primaryKey(): unknown {
      return cursor.primaryKey as unknown;
    },
    get value() {
      const now = cursor.value as unknown;
      if (now !== raw || opened === undefined) {
        raw = now;
        opened = now === undefined ? undefined : open(now as Row);
      }
      return opened;
    },
    get done() {
      return cursor.done;
    },
    continue: (key?: unknown) => cursor.continue(key),
    continuePrimaryKey: (key: unknown, primaryKey: unknown) => cursor.continuePrimaryKey(key, primaryKey),
    advance: (count: number) => cursor.advance(count),
    start: (onNext: () => void) => cursor.start(onNext),
    stop: (value?: unknown) => cursor.stop(value),
    next: () => cursor.next().then(() => wrapper),
    fail: (error: Error) => cursor.fail(error),
  };
  return wrapper;
}

/** The transaction of an upgrade: IndexedDB's own mode for it. */
function isVersionChange(trans: unknown): boolean {
  return (trans as { mode?: string } | undefined)?.mode === 'versionchange';
}

function sealedTable(table: DBCoreTable, dataKey: DataKeyHolder): DBCoreTable {
  const name = table.name;
  const primaryKeyOf = (row: Row): unknown => table.schema.primaryKey.extractKey!(row) as unknown;
  const open = (row: unknown, trans: unknown): Row | undefined => {
    if (row === undefined || row === null) return row as undefined;
    try {
      return openRow(name, row as Row, primaryKeyOf(row as Row), dataKey.rowKeys(), { takeClear: isVersionChange(trans) });
    } catch (e) {
      if (!(e instanceof UnreadableRowError)) throw e;
      // One damaged row must not hide all the others: it comes back as its clear part, marked, and
      // the screens list it as a record that could not be read (read-row.ts).
      return unreadableRow(name, row as Row);
    }
  };
  return {
    ...table,
    mutate(req) {
      if (req.type !== 'add' && req.type !== 'put') return table.mutate(req);
      const keys = dataKey.rowKeys();
      const values = req.values.map((v: Row) => {
        if (keptSeals.has(v)) return asItLies(name, v);
        // A stored row handed as a row would be sealed inside another seal, and never read again as itself.
        if (SEALED_PROP in v) throw new Error(`a row of ${name} to seal is sealed already`);
        return sealRow(name, v, primaryKeyOf(v), keys, cryptoRandom);
      });
      return table.mutate({ ...req, values });
    },
    get(req) {
      dataKey.get();
      return table.get(req).then((row) => open(row, req.trans));
    },
    getMany(req) {
      dataKey.get();
      return table.getMany(req).then((rows) => rows.map((row) => open(row, req.trans)));
    },
    query(req) {
      dataKey.get();
      if (!req.values) return table.query(req);
      return table.query(req).then((res) => ({ ...res, result: res.result.map((row) => open(row, req.trans)) }));
    },
    openCursor(req) {
      dataKey.get();
      if (!req.values) return table.openCursor(req);
      return table.openCursor(req).then((cursor) => cursor && openedCursor(cursor, (v) => open(v, req.trans)!));
    },
  };
}

/** The middleware for a database whose sealed tables use the key in `dataKey`. */
export function atRestMiddleware(dataKey: DataKeyHolder): Middleware<DBCore> {
  return {
    stack: 'dbcore',
    name: 'atRest',
    // Below every middleware of Dexie's own (the lowest is -1), so they all see rows opened.
    level: -2,
    create(down) {
      return {
        ...down,
        table(tableName) {
          const table = down.table(tableName);
          return isSealedTable(tableName) ? sealedTable(table, dataKey) : table;
        },
      };
    },
  };
}
