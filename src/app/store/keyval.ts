/**
 * idb-keyval for the names kept-outside.ts lists, and no others. The app's one import of the library:
 * every entry it writes is one the panic knows to be a secret or not. The library's own functions,
 * only typed more narrowly, so the first load carries nothing more.
 *
 * The entries that decide whom this device is and whom it trusts (its enrollment, the pinned
 * deployment key and root, a coordinator's key file) are read and written sealed (`getSealed`,
 * `setSealed`): under the data key as rows are (at-rest.ts), each with its own name as associated
 * data. A profile copied off a locked phone shows none of them, and one changed or planted there
 * reads as absent: a device never sends its reports to a base, or seals them to a key, that someone
 * put in its profile without the passcode. Without a data key (no lock set up, as in tests of the
 * modules that use them) they are stored as they are.
 */
import { get as getEntry, set as setEntry, update as updateEntry } from 'idb-keyval';
import { openRow, SEALED_PROP, sealRow, UnreadableRowError, type DataKeyHolder } from './at-rest.ts';
import type { KeyvalName } from './kept-outside.ts';

export const get: <T = unknown>(name: KeyvalName) => Promise<T | undefined> = getEntry;

export const set: (name: KeyvalName, value: unknown) => Promise<void> = setEntry;

/** One transaction from read to write. */
export const update: <T>(name: KeyvalName, updater: (old: T | undefined) => T) => Promise<void> = updateEntry;

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
