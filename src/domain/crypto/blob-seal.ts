/**
 * A photo sealed for the wire and the base: its own random 256-bit key (which travels inside the
 * sealed op that names it), and the photo cut into chunks of 64 KiB, each sealed with AES-256-GCM on
 * its own. No step needs the whole photo in memory: a phone seals a chunk as it reads it, the base
 * stores and serves ciphertext it cannot open, and a desk opens a chunk as it arrives.
 *
 * Sealed blob = version (1 byte, 1) ‖ chunk 0 ‖ chunk 1 ‖ … ; chunk i = AES-GCM(key, nonce_i, plaintext_i),
 * ciphertext then 16-byte tag. nonce_i = i as 11 bytes big-endian ‖ last (1 byte: 1 for the final chunk,
 * else 0), as in the STREAM construction: chunks cannot be reordered, dropped from the end or
 * added after it without a tag failing. Every chunk but the last holds exactly 64 KiB; the last holds
 * the rest, possibly nothing (an empty photo is one empty final chunk). A key seals one blob only, so
 * counter nonces never repeat under a key. The version byte is the associated data of every chunk.
 */
import type { RandomBytes } from '../ids.ts';
import { concatBytes, ownBytes, type Bytes } from './bytes.ts';

export const BLOB_VERSION = 1;
export const BLOB_CHUNK_BYTES = 64 * 1024;
const TAG_BYTES = 16;
export const BLOB_KEY_BYTES = 32;
/** What a sealed chunk adds to its plaintext. */
export const SEALED_CHUNK_BYTES = BLOB_CHUNK_BYTES + TAG_BYTES;

const subtle = () => globalThis.crypto.subtle;

/** The size of the sealed blob of a photo of `plainBytes`: what the upload's length must be, known before it starts. */
export function sealedBlobSize(plainBytes: number): number {
  const chunks = Math.max(1, Math.ceil(plainBytes / BLOB_CHUNK_BYTES));
  return 1 + plainBytes + TAG_BYTES * chunks;
}

/** How many chunks a sealed blob of `sealedBytes` holds, or undefined when no blob has that size. */
export function blobChunkCount(sealedBytes: number): number | undefined {
  if (sealedBytes < 1 + TAG_BYTES) return undefined;
  const chunks = Math.max(1, Math.ceil((sealedBytes - 1) / SEALED_CHUNK_BYTES));
  return sealedBlobSize(sealedBytes - 1 - TAG_BYTES * chunks) === sealedBytes ? chunks : undefined;
}

function nonce(index: number, last: boolean): Bytes {
  const n = new Uint8Array(12);
  new DataView(n.buffer).setBigUint64(3, BigInt(index));
  n[11] = last ? 1 : 0;
  return n;
}

const AAD = Uint8Array.of(BLOB_VERSION);

export function newBlobKey(random: RandomBytes): Bytes {
  return ownBytes(random(BLOB_KEY_BYTES));
}

export async function importBlobKey(raw: Bytes): Promise<CryptoKey> {
  if (raw.length !== BLOB_KEY_BYTES) throw new RangeError('A blob key is 32 bytes');
  return subtle().importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
}

/** The bytes a sealed blob starts with, before its first chunk. */
export function blobHeader(): Bytes {
  return Uint8Array.of(BLOB_VERSION);
}

/** Seals chunk `index` (64 KiB of plaintext unless it is the last). */
export async function sealChunk(key: CryptoKey, index: number, last: boolean, plaintext: Bytes): Promise<Bytes> {
  if (plaintext.length > BLOB_CHUNK_BYTES || (!last && plaintext.length !== BLOB_CHUNK_BYTES)) {
    throw new RangeError('Every chunk but the last holds exactly 64 KiB');
  }
  return new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv: nonce(index, last), additionalData: AAD }, key, plaintext));
}

/** Opens chunk `index`; undefined when it was not sealed there, so, under this key (changed, moved, or cut). */
export async function openChunk(key: CryptoKey, index: number, last: boolean, sealed: Bytes): Promise<Bytes | undefined> {
  try {
    return new Uint8Array(await subtle().decrypt({ name: 'AES-GCM', iv: nonce(index, last), additionalData: AAD }, key, sealed));
  } catch {
    return undefined;
  }
}

/** A whole blob sealed at once: for small photos and tests; a phone seals a photo chunk by chunk as it reads it. */
export async function sealBlob(key: CryptoKey, plaintext: Bytes): Promise<Bytes> {
  const chunks = Math.max(1, Math.ceil(plaintext.length / BLOB_CHUNK_BYTES));
  const sealed: Bytes[] = [blobHeader()];
  for (let i = 0; i < chunks; i++) {
    sealed.push(await sealChunk(key, i, i === chunks - 1, plaintext.subarray(i * BLOB_CHUNK_BYTES, (i + 1) * BLOB_CHUNK_BYTES)));
  }
  return concatBytes(...sealed);
}

/** A whole blob opened: the photo, or undefined when any part of it was not sealed under this key as it stands. */
export async function openBlob(key: CryptoKey, sealed: Bytes): Promise<Bytes | undefined> {
  const chunks = blobChunkCount(sealed.length);
  if (chunks === undefined || sealed[0] !== BLOB_VERSION) return undefined;
  const opened: Bytes[] = [];
  for (let i = 0; i < chunks; i++) {
    const start = 1 + i * SEALED_CHUNK_BYTES;
    const chunk = await openChunk(key, i, i === chunks - 1, sealed.subarray(start, Math.min(sealed.length, start + SEALED_CHUNK_BYTES)));
    if (!chunk) return undefined;
    opened.push(chunk);
  }
  return concatBytes(...opened);
}

/**
 * A sealed blob of `sealedBytes` opened as its pieces arrive (a file, a download, the base's store),
 * one chunk in memory at a time: yields the photo chunk by chunk, and throws once a part was not
 * sealed under this key as it stands, or the pieces end early or run long.
 */
export async function* openBlobPieces(key: CryptoKey, sealedBytes: number, pieces: AsyncIterable<Uint8Array>): AsyncGenerator<Bytes> {
  const chunks = blobChunkCount(sealedBytes);
  if (chunks === undefined) throw new BlobDoesNotOpen();
  let pending: Bytes = new Uint8Array(0);
  let index = -1;
  let seen = 0;
  const take = async function* (final: boolean): AsyncGenerator<Bytes> {
    if (index < 0) {
      if (pending.length < 1) return;
      if (pending[0] !== BLOB_VERSION) throw new BlobDoesNotOpen();
      pending = pending.subarray(1);
      index = 0;
    }
    while (index < chunks && (pending.length >= SEALED_CHUNK_BYTES || (final && pending.length > 0))) {
      const last = index === chunks - 1;
      const size = last ? pending.length : SEALED_CHUNK_BYTES;
      if (last && !final) return;
      const plain = await openChunk(key, index, last, ownBytes(pending.subarray(0, size)));
      if (!plain) throw new BlobDoesNotOpen();
      pending = pending.subarray(size);
      index++;
      yield plain;
    }
  };
  for await (const piece of pieces) {
    seen += piece.length;
    if (seen > sealedBytes) throw new BlobDoesNotOpen();
    pending = concatBytes(pending, piece);
    yield* take(false);
  }
  if (seen !== sealedBytes) throw new BlobDoesNotOpen();
  yield* take(true);
  if (index !== chunks) throw new BlobDoesNotOpen();
}

export class BlobDoesNotOpen extends Error {
  constructor() {
    super('The blob does not open under its key as it stands');
  }
}
