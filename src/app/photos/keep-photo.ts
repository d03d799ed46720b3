/**
 * Keeps a photo on the phone as its sealed blob, read and sealed 64 KiB at a time: the original is
 * hashed as it is read, each chunk is sealed under the photo's own blob key and written at once, and
 * the sealed blob is hashed as it is written, so no step holds the photo whole in memory. The photo
 * row, written last, names the blob; until then the chunks belong to nothing, and a keeping cut off
 * (a full disk, a closed tab) leaves no photo behind: its chunks are removed (photo-rows.ts).
 */
import { createSHA256 } from 'hash-wasm';
import { BLOB_CHUNK_BYTES, blobHeader, importBlobKey, newBlobKey, sealChunk } from '../../domain/crypto/blob-seal.ts';
import { toBase64url } from '../../domain/crypto/bytes.ts';
import type { RandomBytes } from '../../domain/ids.ts';
import { attachmentSchema, type Attachment, type PHOTO_TYPES } from '../../domain/op/op.ts';
import { isQuotaError } from '../storage-status.ts';
import type { RasidDb } from '../store/db.ts';
import { keepingNow, removeChunks } from './photo-rows.ts';

/** The phone has no room for the photo: nothing of it was kept. */
export class PhotoStorageFullError extends Error {
  readonly code = 'photo.err.storageFull';
  constructor() {
    super('no room for the photo');
    this.name = 'PhotoStorageFullError';
  }
}

export interface PhotoInput {
  /** The original as it will be kept (its position already removed, when the monitor said no). */
  file: Blob;
  mime: (typeof PHOTO_TYPES)[number];
  /** UTC, to the millisecond. */
  capturedAt?: string;
}

/**
 * Reads, hashes and seals the photo into chunks of photo `id`, and gives its attachment; on any
 * failure its chunks are removed. What a worker runs (keep-photo.worker.ts), away from the page.
 */
export async function sealPhotoChunks(db: RasidDb, id: string, input: PhotoInput, random: RandomBytes): Promise<Attachment> {
  const rawKey = newBlobKey(random);
  const key = await importBlobKey(rawKey);
  const [original, sealed] = await Promise.all([createSHA256(), createSHA256()]);
  original.init();
  sealed.init();
  sealed.update(blobHeader());
  const size = input.file.size;
  const chunks = Math.max(1, Math.ceil(size / BLOB_CHUNK_BYTES));
  let sealedBytes = blobHeader().length;
  try {
    for (let index = 0; index < chunks; index++) {
      const plain = new Uint8Array(await input.file.slice(index * BLOB_CHUNK_BYTES, (index + 1) * BLOB_CHUNK_BYTES).arrayBuffer());
      original.update(plain);
      const bytes = await sealChunk(key, index, index === chunks - 1, plain);
      sealed.update(bytes);
      sealedBytes += bytes.length;
      await db.blobChunks.put({ photo: id, index, bytes });
    }
    return attachmentSchema.parse({
      sha256: original.digest('hex'),
      bytes: size,
      mime: input.mime,
      ...(input.capturedAt && { capturedAt: input.capturedAt }),
      blob: { sha256: sealed.digest('hex'), bytes: sealedBytes },
      key: toBase64url(rawKey),
    });
  } catch (error) {
    await removeChunks(db, id).catch(() => undefined);
    throw isQuotaError(error) ? new PhotoStorageFullError() : error;
  } finally {
    rawKey.fill(0);
  }
}

/** Seals a photo's chunks somewhere (here, or in a worker) and gives its attachment. */
export type ChunkSealer = (db: RasidDb, id: string, input: PhotoInput, random: RandomBytes) => Promise<Attachment>;

/**
 * Keeps the photo; resolves with its attachment and the photo row's id. The chunks are sealed by
 * `seal` (in this thread unless told otherwise); the photo row, sealed under the data key, is
 * written here, where that key is.
 */
export async function keepPhoto(
  db: RasidDb,
  input: PhotoInput,
  random: RandomBytes,
  seal: ChunkSealer = sealPhotoChunks,
): Promise<{ id: string; attachment: Attachment }> {
  const id = toBase64url(random(16));
  keepingNow.add(id);
  try {
    const attachment = await seal(db, id, input, random);
    try {
      await db.photos.put({ id, blob: attachment.blob.sha256, attachment });
    } catch (error) {
      await removeChunks(db, id).catch(() => undefined);
      throw isQuotaError(error) ? new PhotoStorageFullError() : error;
    }
    return { id, attachment };
  } finally {
    keepingNow.delete(id);
  }
}
