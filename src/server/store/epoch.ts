/**
 * The store's epoch: the name devices know this store by. A new epoch makes every device pull
 * again from zero. It is made with the store, and made anew when the store turns out to have lost
 * ops it had decided: a restore from an older backup keeps the old epoch in the restored data, and
 * after it re-pushed ops can land on the same sequence numbers as before, so a device's cursor still
 * looks valid while ops it never saw now sit below it. Read on every request, never cached, so every
 * process sharing one PostgreSQL sees a new epoch at once.
 */
import type { Kysely } from 'kysely';
import { deviceIdSchema } from '../../domain/id-schemas.ts';
import type { RandomBytes } from '../../domain/ids.ts';
import type { Database } from './schema.ts';
import { allWatermarks, deviceWatermark } from './watermark.ts';

export function newEpoch(random: RandomBytes): string {
  return Array.from(random(16), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function currentEpoch(db: Kysely<Database>): Promise<string> {
  const row = await db.selectFrom('meta').select('epoch').where('id', '=', 1).executeTakeFirstOrThrow();
  return row.epoch;
}

export interface EpochState {
  epoch: string;
  /** The MAC key of watermark receipts (receipts.ts). */
  receiptKey: string;
}

export async function readEpoch(db: Kysely<Database>): Promise<EpochState> {
  const row = await db.selectFrom('meta').select(['epoch', 'receipt_key']).where('id', '=', 1).executeTakeFirstOrThrow();
  if (row.receipt_key === null) throw new Error('the store has no receipt key: open it with openStore');
  return { epoch: row.epoch, receiptKey: row.receipt_key };
}

/**
 * Whether the store holds less than a device was told in this epoch: any deviceSeq a device says it
 * saw decided (its own watermark; a coordinator's view of every device's) above what is decided now.
 */
export async function lostDecidedOps(db: Kysely<Database>, known: readonly { device: string; deviceSeq: number }[]): Promise<boolean> {
  if (known.length === 0) return false;
  if (known.length === 1) {
    // A name no device can have holds no watermark here.
    const device = deviceIdSchema.safeParse(known[0]!.device);
    return known[0]!.deviceSeq > (device.success ? await deviceWatermark(db, device.data) : 0);
  }
  const now = new Map<string, number>((await allWatermarks(db)).map((w) => [w.device, w.deviceSeq]));
  return known.some((k) => k.deviceSeq > (now.get(k.device) ?? 0));
}

/** The least time between two renewals: a device that keeps showing a loss resets the others once, not on every sync. */
export const EPOCH_RENEWAL_GAP_MS = 10 * 60_000;

/**
 * Replaces the epoch `from` with a new one, unless it was renewed less than EPOCH_RENEWAL_GAP_MS
 * ago. Compare-and-set: two requests that find the loss at once make one new epoch between them,
 * not two that would reset every device twice.
 */
export async function renewEpoch(db: Kysely<Database>, from: string, random: RandomBytes, now: number): Promise<string> {
  await db
    .updateTable('meta')
    .set({ epoch: newEpoch(random), epoch_renewed_at: now })
    .where('id', '=', 1)
    .where('epoch', '=', from)
    .where((eb) => eb.or([eb('epoch_renewed_at', 'is', null), eb('epoch_renewed_at', '<=', now - EPOCH_RENEWAL_GAP_MS)]))
    .execute();
  return currentEpoch(db);
}
