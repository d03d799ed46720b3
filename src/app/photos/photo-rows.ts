/**
 * Removing what the phone holds of photos: one taken off a form, and the chunks of a keeping that
 * never finished. Apart from keep-photo.ts so that the tidying at start loads no hashing code.
 */
import type { RasidDb } from '../store/db.ts';

/** Photos being kept in this page right now: their chunks are not loose yet. */
export const keepingNow = new Set<string>();

export function removeChunks(db: RasidDb, photo: string): Promise<number> {
  return db.blobChunks.where('[photo+index]').between([photo, 0], [photo, Infinity]).delete();
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
  const loose = new Set<string>();
  await db.blobChunks.toCollection().eachPrimaryKey(([photo]) => {
    if (!kept.has(photo) && !keepingNow.has(photo)) loose.add(photo);
  });
  let removed = 0;
  for (const photo of loose) removed += await removeChunks(db, photo);
  return removed;
}
