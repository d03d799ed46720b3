/**
 * Rows of sealed tables read as they lie on disk, their clear part beside a seal that stays closed,
 * for work on what is kept in clear alone (at-rest.ts, CLEAR_PROPS): an op's seq and received time,
 * its rejection, its kind and target. putStored (at-rest-middleware.ts) writes such rows back with
 * their seal. docs/decisions.md, 094.
 */
import type { Table } from 'dexie';
import type { RasidDb } from './db.ts';

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
 * the caller's), so nothing is opened.
 */
export async function readStored<T, Clear extends keyof T>(
  db: RasidDb,
  table: Table<T>,
  keys: readonly IDBValidKey[],
): Promise<(Stored<T, Clear> | undefined)[]> {
  // Locked, the holder refuses (LockedError) as for any read of a sealed table.
  db.dataKey?.rowKeys();
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
  // Locked, the keys' read through Dexie refuses (LockedError) as for any read of a sealed table.
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
