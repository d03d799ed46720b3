/**
 * This device's own ops the base rejected for good, which the sync screen lists. Which ones is read
 * from every own op's clear part, unopened; only those rejected are opened. It is read in a live
 * query, again at each write of a sync: opening every op the phone ever wrote each time would hold
 * the page that shows the sync.
 */
import type { DeviceId } from '../../domain/ids.ts';
import { storedInRange } from './stored-rows.ts';
import type { OpRow, RasidDb } from './db.ts';

export async function rejectedOwnOps(db: RasidDb, device: DeviceId): Promise<OpRow[]> {
  const own = await storedInRange<OpRow, 'id' | 'rejected'>(db, db.ops, '[device+deviceSeq]', [device, 0], [device, Infinity]);
  const ids = own.filter((o) => o.rejected !== undefined).map((o) => o.id);
  if (ids.length === 0) return [];
  return (await db.ops.bulkGet(ids)).filter((o): o is OpRow => o !== undefined);
}
