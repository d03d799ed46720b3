/**
 * A kept photo's sealed blob read back from the phone's chunks: any byte range of it (what an upload
 * sends from where the base stands), reading only the chunks the range touches.
 */
import { blobHeader, SEALED_CHUNK_BYTES } from '../../domain/crypto/blob-seal.ts';
import { concatBytes, type Bytes } from '../../domain/crypto/bytes.ts';
import type { RasidDb } from '../store/db.ts';

/** The photo's chunks are gone (space freed, or never all written). */
export class BlobMissingError extends Error {
  readonly code = 'photo.err.missing';
}

/** Bytes `start` to `end` (exclusive) of photo `photo`'s sealed blob. */
export async function readBlobRange(db: RasidDb, photo: string, start: number, end: number): Promise<Bytes> {
  const header = blobHeader();
  const parts: Uint8Array[] = [];
  if (start < header.length) parts.push(header.subarray(start, Math.min(end, header.length)));
  const from = Math.max(start, header.length) - header.length;
  const to = end - header.length;
  if (to > from) {
    const first = Math.floor(from / SEALED_CHUNK_BYTES);
    const last = Math.floor((to - 1) / SEALED_CHUNK_BYTES);
    const rows = await db.blobChunks.bulkGet(Array.from({ length: last - first + 1 }, (_, i): [string, number] => [photo, first + i]));
    for (const [i, row] of rows.entries()) {
      if (!row) throw new BlobMissingError('a chunk of the photo is missing');
      const at = (first + i) * SEALED_CHUNK_BYTES;
      parts.push(row.bytes.subarray(Math.max(0, from - at), Math.min(row.bytes.length, to - at)));
    }
  }
  return concatBytes(...parts);
}
