/**
 * The clear part of sealed rows (the properties CLEAR_PROPS keeps out of the seal), read by primary
 * key straight from IndexedDB without opening the seal. The desk's orders by receipt need one clear
 * number from each of up to 100,000 ops; opening each op (at-rest.ts decrypts in JavaScript, on the
 * thread that draws the screen) to read it took 19 seconds at that size. A clear property is as
 * trusted read this way as read from an opened row: the seal's associated data never covered it.
 * Locked, this refuses like any read of a sealed table, so the lock's promise holds here too.
 */
import type { Table } from 'dexie';
import { keepingSeal } from './at-rest-middleware.ts';
import { CLEAR_PROPS, LockedError, SEALED_PROP } from './at-rest.ts';
import type { RasidDb } from './db.ts';

type ClearPart = Record<string, unknown>;

/** A row's part in clear, with the properties the table keeps so (at-rest.ts, CLEAR_PROPS), as read by readStored. */
export type Stored<Row, Clear extends keyof Row> = Pick<Row, Clear>;

function requested<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

/**
 * Rows by primary key as they lie on disk, `undefined` where none is held: their clear part, and
 * their seal carried along unopened. Read through the IndexedDB transaction under Dexie's (joining
 * the caller's), so nothing is opened; for work on clear properties alone, which putStored writes
 * back with the same seal. Locked, refused like any read of a sealed table.
 */
export async function readStored<T, Clear extends keyof T>(
  db: RasidDb,
  table: Table<T>,
  keys: readonly IDBValidKey[],
): Promise<(Stored<T, Clear> | undefined)[]> {
  if (db.dataKey && !db.dataKey.unlocked) throw new LockedError();
  if (keys.length === 0) return [];
  return db.transaction('r', table, (tx) => {
    const store = tx.idbtrans.objectStore(table.name);
    return Promise.all(keys.map((key) => requested(store.get(key)) as Promise<Stored<T, Clear> | undefined>));
  });
}

/**
 * The rows of one index range (above `lower`, up to `upper`) as they lie, in the index's order (as
 * readStored). The same range is read through Dexie as keys alone, which opens nothing, so that a
 * live query over this still runs again when a row in the range changes.
 */
export async function storedInRange<T, Clear extends keyof T>(
  db: RasidDb,
  table: Table<T>,
  index: string,
  lower: IDBValidKey,
  upper: IDBValidKey,
): Promise<Stored<T, Clear>[]> {
  if (db.dataKey && !db.dataKey.unlocked) throw new LockedError();
  return db.transaction('r', table, async (tx) => {
    const [, stored] = await Promise.all([
      table.where(index).between(lower, upper, false, true).primaryKeys(),
      requested(
        tx.idbtrans
          .objectStore(table.name)
          .index(index)
          .getAll(IDBKeyRange.bound(lower, upper, true, false)),
      ),
    ]);
    return stored as Stored<T, Clear>[];
  });
}

/**
 * Rows read by readStored, with clear properties changed, written back with the seal each carried:
 * nothing is opened or sealed again. A row that has no seal on a database that seals (one planted
 * in clear, listed as unreadable) is left as it lies. Joins the caller's transaction.
 */
export async function putStored<T, Clear extends keyof T>(db: RasidDb, table: Table<T>, rows: readonly Stored<T, Clear>[]): Promise<void> {
  const kept = db.dataKey ? rows.filter((row) => (row as ClearPart)[SEALED_PROP] instanceof Uint8Array) : rows;
  if (kept.length === 0) return;
  // In a transaction of its own asking (or the caller's): Dexie's optimistic cache of live queries,
  // which would show these rows as they are handed down, stays out of explicit transactions.
  await db.transaction('rw', table, () => table.bulkPut(kept.map((row) => keepingSeal({ ...row }) as T)));
}

export async function readClearParts(
  db: RasidDb,
  table: keyof typeof CLEAR_PROPS,
  keys: readonly IDBValidKey[],
): Promise<(ClearPart | undefined)[]> {
  if (db.dataKey && !db.dataKey.unlocked) throw new LockedError();
  const clear = CLEAR_PROPS[table] ?? [];
  if (!db.isOpen()) await db.open();
  const idb = db.backendDB();
  return new Promise((resolve, reject) => {
    const out = new Array<ClearPart | undefined>(keys.length);
    const tx = idb.transaction(table, 'readonly');
    const store = tx.objectStore(table);
    keys.forEach((key, i) => {
      const request = store.get(key);
      request.onsuccess = () => {
        const stored = request.result as ClearPart | undefined;
        if (stored === undefined) return;
        const part: ClearPart = {};
        for (const name of clear) if (Object.hasOwn(stored, name)) part[name] = stored[name];
        out[i] = part;
      };
    });
    tx.oncomplete = () => resolve(out);
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB read failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB read aborted'));
  });
}

/**
 * The primary keys of a table's rows in the order of one of its numeric indexes, rows not read:
 * nothing sealed is touched. They come a page at a time, each page to `onPage` in a task of its own
 * (its index values `step` wide), all in one transaction: read at once, 150,000 keys and the work
 * on them held the page's thread for a quarter of a second, long enough to swallow a click.
 */
export async function readIndexKeyPages(
  db: RasidDb,
  table: keyof typeof CLEAR_PROPS,
  index: string,
  step: number,
  onPage: (keys: IDBValidKey[]) => void,
): Promise<void> {
  if (db.dataKey && !db.dataKey.unlocked) throw new LockedError();
  if (!db.isOpen()) await db.open();
  const idb = db.backendDB();
  return new Promise((resolve, reject) => {
    const tx = idb.transaction(table, 'readonly');
    const source = tx.objectStore(table).index(index);
    const ends = [source.openKeyCursor(null, 'next'), source.openKeyCursor(null, 'prev')];
    const read = (from: number, last: number) => {
      if (from > last) return;
      const request = source.getAllKeys(IDBKeyRange.bound(from, from + step, false, true));
      request.onsuccess = () => {
        try {
          onPage(request.result);
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
          tx.abort();
          return;
        }
        read(from + step, last);
      };
    };
    ends[1]!.onsuccess = () => {
      const [first, last] = ends.map((c) => c.result?.key);
      if (typeof first === 'number' && typeof last === 'number') read(first, last);
    };
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB read failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB read aborted'));
  });
}
