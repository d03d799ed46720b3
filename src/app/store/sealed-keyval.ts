/**
 * The idb-keyval entries that decide whom this device is and whom it trusts (its enrollment, the
 * pinned deployment key and root, a coordinator's key file), sealed under the data key as rows are
 * (at-rest.ts), each with its own name as associated data. A profile copied off a locked phone
 * shows none of them, and one changed or planted there reads as absent: a device never sends its
 * reports to a base, or seals them to a key, that someone put in its profile without the passcode.
 *
 * Without a data key (no lock set up, as in tests of the modules that use them) entries are stored
 * as they are.
 */
import { cryptoRandom } from '../../domain/ids.ts';
import { openRow, SEALED_PROP, sealRow, UnreadableRowError, type DataKeyHolder } from './at-rest.ts';
import type { RasidDb } from './db.ts';
import { get, set } from './keyval.ts';

const SEALED_ENTRIES = ['enrollment', 'deploymentKey', 'deploymentRoot', 'deploymentKeyFile'] as const;
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
  return set(name, dataKey ? sealRow(name, { ...value }, name, dataKey.rowKeys(), cryptoRandom) : value);
}

/**
 * Once, after the upgrade that sealed the meta table (db.ts, v3): entries that an earlier version
 * kept in clear, or sealed under the data key itself (format 1), are sealed as rows are now. Only
 * then: the upgrade's mark is itself sealed, so no hand without the passcode can ask for this again
 * with entries of its own.
 */
export async function sealEntriesAsNow(db: RasidDb): Promise<void> {
  if (!dataKey || !(await db.getMeta('entriesToSeal'))) return;
  for (const name of SEALED_ENTRIES) {
    const stored: unknown = await get(name);
    if (!isRecord(stored)) continue;
    if (!(SEALED_PROP in stored)) await setSealed(name, stored);
    else {
      const opened = await getSealed(name);
      if (opened) await setSealed(name, opened);
    }
  }
  await db.meta.delete('entriesToSeal');
}
