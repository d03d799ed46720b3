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
