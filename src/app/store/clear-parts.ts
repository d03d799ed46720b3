/**
 * The clear part of sealed rows (the properties CLEAR_PROPS keeps out of the seal), read by primary
 * key straight from IndexedDB without opening the seal. The desk's orders by receipt need one clear
 * number from each of up to 100,000 ops; opening each op (at-rest.ts decrypts in JavaScript, on the
 * thread that draws the screen) to read it took 19 seconds at that size. A clear property is as
 * trusted read this way as read from an opened row: the seal's associated data never covered it.
 * Locked, this refuses like any read of a sealed table, so the lock's promise holds here too.
 */
import { CLEAR_PROPS, LockedError } from './at-rest.ts';
import type { RasidDb } from './db.ts';

type ClearPart = Record<string, unknown>;

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

/** The primary keys of a table's rows in the order of one of its indexes, rows not read: nothing sealed is touched. */
export async function readIndexKeys(db: RasidDb, table: keyof typeof CLEAR_PROPS, index: string): Promise<IDBValidKey[]> {
  if (db.dataKey && !db.dataKey.unlocked) throw new LockedError();
  if (!db.isOpen()) await db.open();
  const idb = db.backendDB();
  return new Promise((resolve, reject) => {
    const request = idb.transaction(table, 'readonly').objectStore(table).index(index).getAllKeys();
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB read failed'));
  });
}
