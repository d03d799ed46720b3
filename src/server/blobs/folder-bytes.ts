/**
 * Upload bytes in a folder, one file an upload (`<folder>/<upload id>`): the embedded default,
 * beside the SQLite store. Each piece is written where it belongs as it arrives and the file is
 * synced before the base answers, so an answered offset survives a power cut.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UPLOAD_ID, type BlobBytes } from './bytes.ts';

/** The folder, inside the data folder, that holds the embedded store's blobs. */
export const BLOB_FOLDER_NAME = 'blobs';

export function folderBytes(folder: string): BlobBytes {
  const file = (id: string) => {
    // Ids come from the base itself, but a path is built from them: check once more.
    if (!UPLOAD_ID.test(id)) throw new RangeError('not an upload id');
    return join(folder, id);
  };
  const ready = mkdir(folder, { recursive: true });
  return {
    async create(id) {
      await ready;
      await writeFile(file(id), new Uint8Array(0), { flag: 'wx' });
    },
    async size(id) {
      return (await stat(file(id))).size;
    },
    async append(id, offset, incoming) {
      const handle = await open(file(id), 'r+');
      let at = offset;
      try {
        for await (const piece of incoming) {
          await handle.write(piece, 0, piece.length, at);
          at += piece.length;
        }
      } finally {
        // What arrived before a dropped connection is kept, and synced as much as a whole request.
        await handle.sync();
        await handle.close();
      }
      return at;
    },
    async *read(id, start, end) {
      if (end <= start) return;
      for await (const piece of createReadStream(file(id), { start, end: end - 1, highWaterMark: 256 * 1024 })) {
        yield piece as Buffer;
      }
    },
    async remove(id) {
      await rm(file(id), { force: true });
    },
  };
}
