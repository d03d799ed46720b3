/**
 * The photos this device holds, found, and removed: one taken off a form, and the chunks of a
 * keeping that never finished. Apart from keep-photo.ts so that the tidying at start loads no hashing code.
 */
import type { Attachment } from '../../domain/op/op.ts';
import type { PhotoRow, RasidDb } from '../store/db.ts';

/** Photos being kept in this page right now: their chunks are not loose yet. */
export const keepingNow = new Set<string>();

/** The chunks of one photo's sealed blob, in order. */
export function chunksOf(db: RasidDb, photo: string) {
  return db.blobChunks.where('[photo+index]').between([photo, 0], [photo, Infinity]);
}

export function removeChunks(db: RasidDb, photo: string): Promise<number> {
  return chunksOf(db, photo).delete();
}

/** The photos whose chunks this device holds, read from the chunks' keys alone. */
async function photosWithChunks(db: RasidDb): Promise<Set<string>> {
  const photos = new Set<string>();
  await db.blobChunks.toCollection().eachPrimaryKey(([photo]) => void photos.add(photo));
  return photos;
}

/** Removes a photo and its chunks (taken off a form before it was saved, or never saved). */
export async function forgetPhoto(db: RasidDb, id: string): Promise<void> {
  await db.transaction('rw', [db.photos, db.blobChunks], async () => {
    await db.photos.delete(id);
    await removeChunks(db, id);
  });
}

/** Chunks of photos whose keeping never finished (no photo row names them): removed, at start. */
export async function removeLoosePhotoChunks(db: RasidDb): Promise<number> {
  const kept = new Set(await db.photos.toCollection().primaryKeys());
  const loose = [...(await photosWithChunks(db))].filter((photo) => !kept.has(photo) && !keepingNow.has(photo));
  let removed = 0;
  for (const photo of loose) removed += await removeChunks(db, photo);
  return removed;
}

/** The photo row this device holds for an attachment, if any. */
export async function photoOf(db: RasidDb, attachment: Attachment): Promise<PhotoRow | undefined> {
  const rows = await db.photos.where('blob').equals(attachment.blob.sha256).toArray();
  return rows.find((r) => r.attachment.sha256 === attachment.sha256 && r.attachment.key === attachment.key) ?? rows[0];
}

export interface PhotoCounts {
  /** Photos of this device's whose blob the base has not confirmed: they stay whole until it does. */
  waiting: number;
  waitingBytes: number;
  /** Photos the base holds whose sealed bytes are still here: their space can be freed. */
  freeable: number;
  freeableBytes: number;
}

/** What the photos on this device come to, for the Sync and Settings screens. */
export async function photoCounts(db: RasidDb): Promise<PhotoCounts> {
  const counts: PhotoCounts = { waiting: 0, waitingBytes: 0, freeable: 0, freeableBytes: 0 };
  const withChunks = await photosWithChunks(db);
  for (const row of await db.photos.toArray()) {
    if (row.unverified || !withChunks.has(row.id)) continue;
    if (row.held) {
      counts.freeable += 1;
      counts.freeableBytes += row.attachment.blob.bytes;
    } else {
      counts.waiting += 1;
      counts.waitingBytes += row.attachment.blob.bytes;
    }
  }
  return counts;
}

/**
 * Frees the space of the photos the base holds: their sealed bytes go, their rows and display
 * copies stay (the report still shows them; a desk can fetch one again). Photos not confirmed are
 * never touched. Returns how many were freed.
 */
export async function freeHeldPhotos(db: RasidDb): Promise<number> {
  const held = (await db.photos.toArray()).filter((r) => r.held && !r.unverified);
  let freed = 0;
  for (const row of held) if ((await removeChunks(db, row.id)) > 0) freed += 1;
  return freed;
}
