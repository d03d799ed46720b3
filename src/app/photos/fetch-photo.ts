/**
 * A photo of a report fetched from the base and checked before anything of it is shown: the sealed
 * blob's SHA-256 must be the one its author signed in the op, it must open under the blob key the
 * op carries, and the opened original's SHA-256 must be the signed one. A photo that fails is kept
 * aside (its row marked, never a display copy made) and shown as not verifying, never as evidence.
 *
 * Fetched in ranges of 1 MiB, each chunk written as it arrives: a fetch cut off resumes from the
 * chunks already held. One chunk of the photo is in memory at a time, but for its display copy.
 */
import { createSHA256 } from 'hash-wasm';
import { blobChunkCount, blobHeader, importBlobKey, openChunk, SEALED_CHUNK_BYTES } from '../../domain/crypto/blob-seal.ts';
import { concatBytes, fromBase64url, type Bytes } from '../../domain/crypto/bytes.ts';
import type { Attachment } from '../../domain/op/op.ts';
import type { RasidDb } from '../store/db.ts';
import type { Endpoint } from '../sync/transport.ts';
import { thumbnailOf } from './add-photo.ts';
import { chunksOf, photoOf, removeChunks } from './photo-rows.ts';

const RANGE_BYTES = 1024 * 1024;

export type PhotoCheck = 'verified' | 'unverified' | 'unavailable';

/** Fetches, checks and keeps one photo; `unavailable` when the base does not hold it (yet) or cannot be reached. */
export async function fetchPhoto(
  db: RasidDb,
  endpoint: Endpoint,
  attachment: Attachment,
  opts: { again?: boolean } = {},
): Promise<PhotoCheck> {
  const held = await photoOf(db, attachment);
  // Asked again (a base that served other bytes may since have been put right): the mark goes.
  if (held?.unverified && opts.again) await db.photos.delete(held.id);
  else if (held) return held.unverified ? 'unverified' : 'verified';
  const chunks = blobChunkCount(attachment.blob.bytes);
  if (chunks === undefined) return 'unverified';
  // Keyed by the blob, so a fetch cut off resumes into the same place.
  const id = `fetched-${attachment.blob.sha256.slice(0, 32)}`;
  const have = await chunksOf(db, id).count();
  let at = have === 0 ? 0 : 1 + have * SEALED_CHUNK_BYTES;
  let pending: Uint8Array = new Uint8Array(0);
  let index = have;
  while (at < attachment.blob.bytes) {
    const end = Math.min(attachment.blob.bytes, at + RANGE_BYTES) - 1;
    let res: Response;
    try {
      res = await endpoint.fetch(`${endpoint.origin}/api/v1/blobs/${attachment.blob.sha256}`, {
        headers: { Authorization: `Bearer ${endpoint.token}`, Range: `bytes=${at}-${end}` },
      });
    } catch {
      return 'unavailable';
    }
    if (res.status === 404) return 'unavailable';
    if (res.status !== 206 && res.status !== 200) return 'unavailable';
    let body = new Uint8Array(await res.arrayBuffer());
    // A base that ignores the range sends the whole: take the part asked for, and never more than it.
    body = res.status === 200 ? body.subarray(at, end + 1) : body.subarray(0, end + 1 - at);
    if (body.length === 0) return keepAside(db, id, attachment);
    if (at === 0) {
      if (body[0] !== blobHeader()[0]) return keepAside(db, id, attachment);
      body = body.subarray(1);
      at = 1;
    }
    at += body.length;
    pending = concatBytes(pending, body);
    while (pending.length >= SEALED_CHUNK_BYTES || (at >= attachment.blob.bytes && pending.length > 0)) {
      const bytes = pending.slice(0, SEALED_CHUNK_BYTES);
      pending = pending.subarray(bytes.length);
      await db.blobChunks.put({ photo: id, index, bytes });
      index += 1;
    }
  }
  return check(db, id, attachment, chunks);
}

/** Hashes the sealed blob, opens each chunk and hashes the original; keeps the photo, or keeps it aside. */
async function check(db: RasidDb, id: string, attachment: Attachment, chunks: number): Promise<PhotoCheck> {
  const key = await importBlobKey(fromBase64url(attachment.key)!);
  const [sealed, original] = await Promise.all([createSHA256(), createSHA256()]);
  sealed.init();
  original.init();
  sealed.update(blobHeader());
  const parts: Bytes[] = [];
  for (let index = 0; index < chunks; index++) {
    const row = await db.blobChunks.get([id, index]);
    if (!row) return keepAside(db, id, attachment);
    sealed.update(row.bytes);
    const plain = await openChunk(key, index, index === chunks - 1, row.bytes);
    if (!plain) return keepAside(db, id, attachment);
    original.update(plain);
    parts.push(plain);
  }
  if (sealed.digest('hex') !== attachment.blob.sha256 || original.digest('hex') !== attachment.sha256) return keepAside(db, id, attachment);
  const thumbnail = await thumbnailOf(new Blob(parts, { type: attachment.mime }));
  await db.photos.put({ id, blob: attachment.blob.sha256, attachment, held: 1, ...(thumbnail && { thumbnail }) });
  return 'verified';
}

/** A photo that is not what its author signed: its bytes go, its row says so, and it is never shown. */
async function keepAside(db: RasidDb, id: string, attachment: Attachment): Promise<PhotoCheck> {
  await removeChunks(db, id);
  await db.photos.put({ id, blob: attachment.blob.sha256, attachment, unverified: 1 });
  return 'unverified';
}
