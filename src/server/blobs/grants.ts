/**
 * Who may move which blob, read from the op store without opening any op: a blob may be uploaded
 * by the author of an acknowledged op that names it, or by a coordinator relaying it, and only at
 * the size that op's signed list gives; a coordinator may download any blob the base holds, a
 * monitor only the blobs of ops it is served (the ops of its own reports).
 */
import type { Kysely } from 'kysely';
import type { BlobRef } from '../../domain/op/op.ts';
import type { Caller } from '../store/rules.ts';
import type { Database } from '../store/schema.ts';

export type UploadGrant = { ok: true } | { ok: false; why: 'not_named' | 'length' | 'held' };

/** Whether `caller` may begin an upload of blob `sha256` of `bytes`. */
export async function uploadGrant(db: Kysely<Database>, caller: Caller, sha256: string, bytes: number): Promise<UploadGrant> {
  let named = db.selectFrom('op_blobs').select('bytes').where('sha256', '=', sha256);
  if (caller.role !== 'coordinator') named = named.where('device', '=', caller.device);
  const sizes = await named.execute();
  if (sizes.length === 0) return { ok: false, why: 'not_named' };
  // Every op naming a blob by its hash names one size: the sealed size follows from the original's.
  if (!sizes.some((s) => Number(s.bytes) === bytes)) return { ok: false, why: 'length' };
  if (await heldBlob(db, sha256)) return { ok: false, why: 'held' };
  return { ok: true };
}

/** The blob the base holds whole under `sha256`, or undefined. */
export async function heldBlob(db: Kysely<Database>, sha256: string): Promise<{ bytes: number; uploadId: string } | undefined> {
  const row = await db.selectFrom('blobs').select(['bytes', 'upload_id']).where('sha256', '=', sha256).executeTakeFirst();
  return row && { bytes: Number(row.bytes), uploadId: row.upload_id };
}

/** Whether `caller` may download blob `sha256`: always for a coordinator; for a monitor, when an op it is served names it. */
export async function mayDownload(db: Kysely<Database>, caller: Caller, sha256: string): Promise<boolean> {
  if (caller.role === 'coordinator') return true;
  const served = await db
    .selectFrom('op_blobs')
    .innerJoin('ops', 'ops.seq', 'op_blobs.seq')
    .innerJoin('report_owners', 'report_owners.report_id', 'ops.report_id')
    .select('op_blobs.seq')
    .where('op_blobs.sha256', '=', sha256)
    .where('report_owners.device', '=', caller.device)
    .limit(1)
    .executeTakeFirst();
  return served !== undefined;
}

/** At most this many blobs are listed as wanted at once; a device asks again once it has sent them. */
export const MAX_WANTED = 500;

/**
 * Blobs acknowledged ops name that the base does not hold: a monitor's own, or, for a coordinator,
 * every device's (it relays what it holds). How a base restored from a backup asks for them again.
 */
export async function wantedBlobs(db: Kysely<Database>, caller: Caller): Promise<BlobRef[]> {
  let query = db
    .selectFrom('op_blobs')
    .leftJoin('blobs', 'blobs.sha256', 'op_blobs.sha256')
    .select(['op_blobs.sha256', 'op_blobs.bytes'])
    .where('blobs.sha256', 'is', null)
    .distinct()
    .orderBy('op_blobs.sha256')
    .limit(MAX_WANTED);
  if (caller.role !== 'coordinator') query = query.where('op_blobs.device', '=', caller.device);
  return (await query.execute()).map((r) => ({ sha256: r.sha256, bytes: Number(r.bytes) }));
}
