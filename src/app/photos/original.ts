/**
 * The original of a photo this device holds, opened from its sealed chunks and checked against the
 * SHA-256 its author signed: for a partner's re-encoded copy, drawn from nothing but the photo the
 * report names.
 */
import { createSHA256 } from 'hash-wasm';
import { blobChunkCount, importBlobKey, openChunk } from '../../domain/crypto/blob-seal.ts';
import { fromBase64url, type Bytes } from '../../domain/crypto/bytes.ts';
import type { Attachment } from '../../domain/op/op.ts';
import type { RasidDb } from '../store/db.ts';
import { photoOf } from './photo-rows.ts';

/** Undefined when this device holds no verified row of it, its chunks are gone (space freed), or they do not open to it. */
export async function originalOf(db: RasidDb, attachment: Attachment): Promise<Blob | undefined> {
  const row = await photoOf(db, attachment);
  const chunks = blobChunkCount(attachment.blob.bytes);
  const rawKey = fromBase64url(attachment.key);
  if (!row || row.unverified || chunks === undefined || !rawKey) return undefined;
  const key = await importBlobKey(rawKey);
  const hash = await createSHA256();
  hash.init();
  const parts: Bytes[] = [];
  for (let index = 0; index < chunks; index++) {
    const chunk = await db.blobChunks.get([row.id, index]);
    const plain = chunk && (await openChunk(key, index, index === chunks - 1, chunk.bytes));
    if (!plain) return undefined;
    hash.update(plain);
    parts.push(plain);
  }
  return hash.digest('hex') === attachment.sha256 ? new Blob(parts, { type: attachment.mime }) : undefined;
}
