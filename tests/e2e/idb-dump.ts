/**
 * An origin's IndexedDB as JSON and back: every database with its version, stores, indexes and
 * records. Bytes, dates and `undefined` are tagged so they come back as they were; anything else
 * that JSON cannot hold (a Map, a Blob, a CryptoKey) makes the dump fail rather than come back
 * different. A phone's profile kept this way is text a test can rebuild a browser from.
 */
import type { Page } from 'playwright-core';

export interface DumpedIndex {
  name: string;
  keyPath: string | string[];
  unique: boolean;
  multiEntry: boolean;
}

export interface DumpedStore {
  name: string;
  keyPath: string | string[] | null;
  autoIncrement: boolean;
  indexes: DumpedIndex[];
  /** Each record's key, and its value tagged as above. */
  records: { key: unknown; value: unknown }[];
}

export interface DumpedDatabase {
  name: string;
  version: number;
  stores: DumpedStore[];
}

/**
 * tsx (esbuild, names kept) wraps the named helpers below in `__name(...)`, which the page lacks when
 * a script rather than vitest runs them.
 */
const NAME_SHIM = 'globalThis.__name ??= (f) => f';

/** Every IndexedDB database of the page's origin. */
export async function dumpDatabases(page: Page): Promise<DumpedDatabase[]> {
  await page.evaluate(NAME_SHIM);
  return page.evaluate(async () => {
    const request = <T>(r: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error ?? new Error('request failed'));
      });
    const base64 = (bytes: Uint8Array) => {
      let text = '';
      for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(text);
    };
    const tag = (value: unknown): unknown => {
      if (value === undefined) return { $t: 'undefined' };
      if (value === null || typeof value !== 'object') return value;
      if (value instanceof ArrayBuffer) return { $t: 'ArrayBuffer', b: base64(new Uint8Array(value)) };
      if (value instanceof Uint8Array) return { $t: 'Uint8Array', b: base64(value) };
      if (value instanceof Date) return { $t: 'Date', ms: value.getTime() };
      if (Array.isArray(value)) return value.map(tag);
      if (Object.getPrototypeOf(value) !== Object.prototype) throw new Error(`cannot keep a ${value.constructor.name} as JSON`);
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, tag(v)]));
    };
    const out: DumpedDatabase[] = [];
    for (const { name, version } of await indexedDB.databases()) {
      if (!name || !version) continue;
      const db = await request(indexedDB.open(name, version));
      const stores: DumpedStore[] = [];
      for (const storeName of Array.from(db.objectStoreNames)) {
        const store = db.transaction(storeName, 'readonly').objectStore(storeName);
        const indexes = Array.from(store.indexNames).map((n) => {
          const index = store.index(n);
          return { name: n, keyPath: index.keyPath, unique: index.unique, multiEntry: index.multiEntry };
        });
        const [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
        stores.push({
          name: storeName,
          keyPath: store.keyPath,
          autoIncrement: store.autoIncrement,
          indexes,
          records: keys.map((key, i) => ({ key: tag(key), value: tag(values[i]) })),
        });
      }
      db.close();
      out.push({ name, version, stores });
    }
    return out;
  });
}

/** Writes dumped databases into the page's origin, which must hold none of the same names. */
export async function restoreDatabases(page: Page, databases: DumpedDatabase[]): Promise<void> {
  await page.evaluate(NAME_SHIM);
  return page.evaluate(async (databases) => {
    const bytes = (b: string) => Uint8Array.from(atob(b), (c) => c.charCodeAt(0));
    const untag = (value: unknown): unknown => {
      if (value === null || typeof value !== 'object') return value;
      if (Array.isArray(value)) return value.map(untag);
      const t = (value as { $t?: string }).$t;
      if (t === 'undefined') return undefined;
      if (t === 'ArrayBuffer') return bytes((value as { b: string }).b).buffer;
      if (t === 'Uint8Array') return bytes((value as { b: string }).b);
      if (t === 'Date') return new Date((value as { ms: number }).ms);
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, untag(v)]));
    };
    for (const dumped of databases) {
      const open = indexedDB.open(dumped.name, dumped.version);
      open.onupgradeneeded = () => {
        for (const s of dumped.stores) {
          const store = open.result.createObjectStore(s.name, { keyPath: s.keyPath, autoIncrement: s.autoIncrement });
          for (const i of s.indexes) store.createIndex(i.name, i.keyPath, { unique: i.unique, multiEntry: i.multiEntry });
        }
      };
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error ?? new Error('indexedDB.open failed'));
      });
      const names = dumped.stores.map((s) => s.name);
      if (names.length > 0) {
        const tx = db.transaction(names, 'readwrite');
        for (const s of dumped.stores) {
          const store = tx.objectStore(s.name);
          for (const r of s.records) {
            if (s.keyPath === null) store.put(untag(r.value), untag(r.key) as IDBValidKey);
            else store.put(untag(r.value));
          }
        }
        await new Promise<void>((resolve, reject) => {
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error ?? new Error('transaction failed'));
        });
      }
      db.close();
    }
  }, databases);
}
