import { describe, expect, test } from 'vitest';
import { concatBytes, toHex } from '../../../src/domain/crypto/bytes.ts';
import {
  BLOB_CHUNK_BYTES,
  blobChunkCount,
  importBlobKey,
  newBlobKey,
  openBlob,
  openBlobPieces,
  sealBlob,
  sealedBlobSize,
  SEALED_CHUNK_BYTES,
} from '../../../src/domain/crypto/blob-seal.ts';
import { cryptoRandom } from '../../../src/domain/ids.ts';

const photoOf = (bytes: number) => Uint8Array.from({ length: bytes }, (_, i) => (i * 131 + (i >> 9)) % 256);
const key = () => importBlobKey(newBlobKey(cryptoRandom));

describe('a photo sealed under its own key', () => {
  test('opens back whole at every size around a chunk, and its sealed size is known from the photo alone', async () => {
    const k = await key();
    for (const bytes of [0, 1, BLOB_CHUNK_BYTES - 1, BLOB_CHUNK_BYTES, BLOB_CHUNK_BYTES + 1, 3 * BLOB_CHUNK_BYTES + 17]) {
      const photo = photoOf(bytes);
      const sealed = await sealBlob(k, photo);
      expect(sealed.length).toBe(sealedBlobSize(bytes));
      expect(blobChunkCount(sealed.length)).toBe(Math.max(1, Math.ceil(bytes / BLOB_CHUNK_BYTES)));
      const opened = await openBlob(k, sealed);
      expect(opened && toHex(opened)).toBe(toHex(photo));
    }
  });

  test('is ciphertext: the same photo sealed twice, under two keys, shares no chunk', async () => {
    const photo = photoOf(2 * BLOB_CHUNK_BYTES);
    const [a, b] = await Promise.all([key().then((k) => sealBlob(k, photo)), key().then((k) => sealBlob(k, photo))]);
    expect(toHex(a.subarray(1, 33))).not.toBe(toHex(b.subarray(1, 33)));
    expect(toHex(a)).not.toContain(toHex(photo.subarray(0, 32)));
  });

  test('does not open with one byte changed, a chunk dropped from the end, chunks swapped, or another key', async () => {
    const k = await key();
    const photo = photoOf(2 * BLOB_CHUNK_BYTES + 100);
    const sealed = await sealBlob(k, photo);
    const flipped = Uint8Array.from(sealed);
    flipped[BLOB_CHUNK_BYTES + 40] = flipped[BLOB_CHUNK_BYTES + 40]! ^ 1;
    expect(await openBlob(k, flipped)).toBeUndefined();
    // Cut after two whole chunks: the second was not sealed as the last one.
    expect(await openBlob(k, sealed.slice(0, 1 + 2 * SEALED_CHUNK_BYTES))).toBeUndefined();
    const swapped = Uint8Array.from(sealed);
    swapped.set(sealed.subarray(1 + SEALED_CHUNK_BYTES, 1 + 2 * SEALED_CHUNK_BYTES), 1);
    swapped.set(sealed.subarray(1, 1 + SEALED_CHUNK_BYTES), 1 + SEALED_CHUNK_BYTES);
    expect(await openBlob(k, swapped)).toBeUndefined();
    expect(await openBlob(await key(), sealed)).toBeUndefined();
    // Lengths no sealed blob can have: shorter than one empty chunk, or between one full chunk and two.
    expect(blobChunkCount(16)).toBeUndefined();
    expect(blobChunkCount(1 + SEALED_CHUNK_BYTES + 1)).toBeUndefined();
    expect(await openBlob(k, sealed.slice(0, 10))).toBeUndefined();
  });

  test('opens as its pieces arrive, in pieces of any size, and refuses a changed, cut or lengthened blob', async () => {
    const k = await key();
    /** The blob cut into pieces of `size` bytes, as a file or a store hands them over. */
    async function* piecesOf(bytes: Uint8Array, size: number) {
      for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
    }
    const opened = async (sealed: Uint8Array, size: number, length = sealed.length) => {
      const out: Uint8Array[] = [];
      for await (const chunk of openBlobPieces(k, length, piecesOf(sealed, size))) out.push(chunk);
      return toHex(Uint8Array.from(out.flatMap((c) => [...c])));
    };
    for (const bytes of [0, BLOB_CHUNK_BYTES, 2 * BLOB_CHUNK_BYTES + 100]) {
      const photo = photoOf(bytes);
      const sealed = await sealBlob(k, photo);
      for (const size of [1000, SEALED_CHUNK_BYTES, sealed.length]) expect(await opened(sealed, size)).toBe(toHex(photo));
    }
    const sealed = await sealBlob(k, photoOf(2 * BLOB_CHUNK_BYTES + 100));
    const flipped = Uint8Array.from(sealed);
    flipped[sealed.length - 5] = flipped[sealed.length - 5]! ^ 1;
    await expect(opened(flipped, 4096)).rejects.toThrow('does not open');
    await expect(opened(sealed.subarray(0, sealed.length - 1), 4096, sealed.length)).rejects.toThrow('does not open');
    await expect(opened(concatBytes(sealed, Uint8Array.of(0)), 4096, sealed.length)).rejects.toThrow('does not open');
  });
});
