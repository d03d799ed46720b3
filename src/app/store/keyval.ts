/**
 * idb-keyval for the names kept-outside.ts lists, and no others. The app's one import of the library:
 * every entry it writes is one the panic knows to be a secret or not. The library's own functions,
 * only typed more narrowly, so the first load carries nothing more.
 */
import { get as getEntry, set as setEntry, update as updateEntry } from 'idb-keyval';
import type { KeyvalName } from './kept-outside.ts';

export const get: <T = unknown>(name: KeyvalName) => Promise<T | undefined> = getEntry;

export const set: (name: KeyvalName, value: unknown) => Promise<void> = setEntry;

/** One transaction from read to write. */
export const update: <T>(name: KeyvalName, updater: (old: T | undefined) => T) => Promise<void> = updateEntry;
