/**
 * Run once, after db.ts's upgrade to version 3 left its mark; loaded only then, so the first load of
 * every later start carries none of it.
 */
import type { RasidDb } from './db.ts';
import { SEALED_PROP } from './at-rest.ts';
import { get, getSealed, SEALED_ENTRIES, setSealed } from './keyval.ts';

/**
 * Once, after the upgrade that sealed the meta table (db.ts, v3): entries that an earlier version
 * kept in clear, or sealed under the data key itself (format 1), are sealed as rows are now. Only
 * then: the upgrade's mark is itself sealed, so no hand without the passcode can ask for this again
 * with entries of its own.
 */
export async function sealEntriesAsNow(db: RasidDb): Promise<void> {
  if (!(await db.getMeta('entriesToSeal'))) return;
  for (const name of SEALED_ENTRIES) {
    const stored: unknown = await get(name);
    if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) continue;
    if (!(SEALED_PROP in stored)) await setSealed(name, stored as Record<string, unknown>);
    else {
      const opened = await getSealed(name);
      if (opened) await setSealed(name, opened);
    }
  }
  await db.meta.delete('entriesToSeal');
}
