/**
 * idb-keyval for the names kept-outside.ts lists, and no others. The app's one import of the library:
 * every entry it writes is one the panic knows to be a secret or not. The library's own functions,
 * only typed more narrowly and run over a connection of its own (see `store`).
 *
 * The entries that decide whom this device is and whom it trusts (its enrollment, the pinned
 * deployment key and root, a coordinator's key file) are read and written sealed (`getSealed`,
 * `setSealed`): under the data key as rows are (at-rest.ts), each with its own name as associated
 * data. A profile copied off a locked phone shows none of them, and one changed or planted there
 * reads as absent: a device never sends its reports to a base, or seals them to a key, that someone
 * put in its profile without the passcode. Without a data key (no lock set up, as in tests of the
 * modules that use them) they are stored as they are.
 */
import { del as delEntry, get as getEntry, set as setEntry, update as updateEntry, type UseStore } from 'idb-keyval';
import { openRow, SEALED_PROP, sealRow, UnreadableRowError, type DataKeyHolder } from './at-rest.ts';
import type { KeyvalName } from './kept-outside.ts';

let connection: Promise<IDBDatabase> | undefined;

/**
 * The library's own database and store, through a connection this module can close: the library's
 * default store never closes its own, which holds up a wipe's deletion of the database until the page
 * leaves. The wipe passcode's wipe goes on in the same page, so it closes this one first.
 */
const store: UseStore = (mode, callback) => {
  connection ??= new Promise((resolve, reject) => {
    const open = indexedDB.open('keyval-store');
    open.onupgradeneeded = () => open.result.createObjectStore('keyval');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => {
      connection = undefined;
      reject(open.error ?? new Error('indexedDB.open failed'));
    };
  });
  return connection.then((db) => callback(db.transaction('keyval', mode).objectStore('keyval')));
};

/** Closes the connection once its transactions end; the next read or write opens another. */
export function closeKeyval(): void {
  void connection?.then(
    (db) => db.close(),
    () => undefined,
  );
  connection = undefined;
}

export const get = <T = unknown>(name: KeyvalName): Promise<T | undefined> => getEntry<T>(name, store);

export const set = (name: KeyvalName, value: unknown): Promise<void> => setEntry(name, value, store);

export const del = (name: KeyvalName): Promise<void> => delEntry(name, store);

/** One transaction from read to write. */
export const update = <T>(name: KeyvalName, updater: (old: T | undefined) => T): Promise<void> => updateEntry(name, updater, store);

export const SEALED_ENTRIES = ['enrollment', 'deploymentKey', 'deploymentRoot', 'deploymentKeyFile'] as const;
export type SealedEntry = (typeof SEALED_ENTRIES)[number];

let dataKey: DataKeyHolder | undefined;

/** From unlock on, entries are sealed and opened with this holder's keys. */
export function sealEntriesWith(holder: DataKeyHolder): void {
  dataKey = holder;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The entry as it was saved; undefined when there is none, or when it does not open (or was never sealed) under this data key. */
export async function getSealed(name: SealedEntry): Promise<Record<string, unknown> | undefined> {
  const stored: unknown = await get(name);
  if (!isRecord(stored)) return undefined;
  if (!dataKey) return SEALED_PROP in stored ? undefined : stored;
  try {
    return openRow(name, stored, name, dataKey.rowKeys());
  } catch (e) {
    if (e instanceof UnreadableRowError) return undefined;
    throw e;
  }
}

export function setSealed(name: SealedEntry, value: Record<string, unknown>): Promise<void> {
  return set(
    name,
    dataKey ? sealRow(name, { ...value }, name, dataKey.rowKeys(), (n) => crypto.getRandomValues(new Uint8Array(n))) : value,
  );
}
