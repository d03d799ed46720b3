/**
 * Sealing and opening rows where Dexie meets IndexedDB (a DBCore middleware below Dexie's own), so
 * every reader and writer of the app, the desk and the export worker included, sees rows as they
 * are while the disk holds them sealed (at-rest.ts). Locked, a sealed table can be neither read nor
 * written: the call fails with LockedError.
 */
import type { DBCore, DBCoreCursor, DBCoreTable, Middleware } from 'dexie';
import { cryptoRandom } from '../../domain/ids.ts';
import { isSealedTable, openRow, sealRow, UnreadableRowError, UNREADABLE_PROP, type DataKeyHolder } from './at-rest.ts';

type Row = Record<string, unknown>;

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

function sealedTable(table: DBCoreTable, dataKey: DataKeyHolder): DBCoreTable {
  const name = table.name;
  const primaryKeyOf = (row: Row): unknown => table.schema.primaryKey.extractKey!(row) as unknown;
  const open = (row: unknown): Row | undefined => {
    if (row === undefined || row === null) return row as undefined;
    try {
      return openRow(name, row as Row, primaryKeyOf(row as Row), dataKey.get());
    } catch (e) {
      if (!(e instanceof UnreadableRowError)) throw e;
      // One damaged row must not hide all the others: it comes back as its clear part, marked, and
      // the screens list it as a record that could not be read (read-row.ts).
      const clear: Row = { [UNREADABLE_PROP]: true };
      for (const [k, v] of Object.entries(row as Row)) if (k !== '$sealed') clear[k] = v;
      return clear;
    }
  };
  return {
    ...table,
    mutate(req) {
      if (req.type !== 'add' && req.type !== 'put') return table.mutate(req);
      const key = dataKey.get();
      const values = req.values.map((v: Row) => sealRow(name, v, primaryKeyOf(v), key, cryptoRandom));
      return table.mutate({ ...req, values });
    },
    get(req) {
      dataKey.get();
      return table.get(req).then(open);
    },
    getMany(req) {
      dataKey.get();
      return table.getMany(req).then((rows) => rows.map(open));
    },
    query(req) {
      dataKey.get();
      if (!req.values) return table.query(req);
      return table.query(req).then((res) => ({ ...res, result: res.result.map(open) }));
    },
    openCursor(req) {
      dataKey.get();
      if (!req.values) return table.openCursor(req);
      return table.openCursor(req).then((cursor) => cursor && openedCursor(cursor, (v) => open(v)!));
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
