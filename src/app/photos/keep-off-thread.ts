/**
 * The chunk sealer the form uses in a browser: a worker per photo (keep-photo.worker.ts), so that
 * hashing and sealing never hold the page. Where there is no Worker (tests under Node) it seals here.
 */
import { PhotoStorageFullError, sealPhotoChunks, type ChunkSealer } from './keep-photo.ts';
import type { KeepAnswer, KeepRequest } from './keep-photo.worker.ts';

export const sealOffThread: ChunkSealer = (db, id, input, random) => {
  if (typeof Worker === 'undefined') return sealPhotoChunks(db, id, input, random);
  const worker = new Worker(new URL('./keep-photo.worker.ts', import.meta.url), { type: 'module' });
  return new Promise((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<KeepAnswer>) => {
      worker.terminate();
      if (e.data.ok) resolve(e.data.attachment);
      else reject(e.data.storageFull ? new PhotoStorageFullError() : new Error(e.data.detail));
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(e.message || 'the photo worker did not start'));
    };
    worker.postMessage({ dbName: db.name, id, input } satisfies KeepRequest);
  });
};
