/**
 * Rows of sealed tables read as they lie on disk, their clear part beside a seal that stays closed,
 * for work on what is kept in clear alone (at-rest.ts, CLEAR_PROPS): an op's seq and received time,
 * its rejection, its kind and target. putStored (at-rest-middleware.ts) writes such rows back with
 * their seal. docs/decisions.md, 094. And which keys a table holds, read without opening a row.
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

/**
 * Whether the table holds any row whose primary key lies between the lowest and the highest of
 * `keys`: one seek. A pull mostly brings ops and reports a device does not hold, whose ids, made
 * from their time, lie above all it holds; then nothing more need be read.
 */
export async function holdsAnyBetween(db: RasidDb, table: Table, keys: readonly string[]): Promise<boolean> {
  db.dataKey?.rowKeys();
  if (keys.length === 0) return false;
  let lowest = keys[0]!;
  let highest = lowest;
  for (const key of keys) {
    if (key < lowest) lowest = key;
    if (key > highest) highest = key;
  }
  // JavaScript orders strings by their UTF-16 code units, as IndexedDB orders string keys.
  const range = IDBKeyRange.bound(lowest, highest);
  return db.transaction('r', table, async (tx) => (await requested(tx.idbtrans.objectStore(table.name).getKey(range))) !== undefined);
}

/**
 * Which of `keys` the table holds. Point requests, all issued at once, not a walk (Dexie's
 * `anyOf`), whose cursor steps once or twice for each key found, each step waiting for the last:
 * in Chromium, 150 keys held among 470 asked for took 123 ms to walk at 20,000 rows and 425 ms at
 * 100,000, and 13 and 17 ms this way.
 */
export async function keysHeld<K extends string>(db: RasidDb, table: Table, keys: readonly K[]): Promise<Set<K>> {
  if (!(await holdsAnyBetween(db, table, keys))) return new Set();
  return db.transaction('r', table, async (tx) => {
    const store = tx.idbtrans.objectStore(table.name);
    const found = await Promise.all(keys.map((key) => requested(store.getKey(key))));
    return new Set(keys.filter((_, i) => found[i] !== undefined));
  });
}
