/**
 * Keeps a photo's chunks away from the page: reads the original 64 KiB at a time, hashes it, seals
 * each chunk under the photo's own key, writes it and hashes the sealed blob (keep-photo.ts), so a
 * cheap phone's screen keeps answering while a 10 MB photo goes through. Its chunks are not sealed
 * under the data key, so this worker needs none; the page writes the photo's (sealed) row.
 */
import { cryptoRandom } from '../../domain/ids.ts';
import { RasidDb } from '../store/db.ts';
import { PhotoStorageFullError, sealPhotoChunks, type PhotoInput } from './keep-photo.ts';

export interface KeepRequest {
  dbName: string;
  id: string;
  input: PhotoInput;
}

export type KeepAnswer =
  { ok: true; attachment: Awaited<ReturnType<typeof sealPhotoChunks>> } | { ok: false; storageFull: boolean; detail: string };

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = (e: MessageEvent<KeepRequest>) => {
  const { dbName, id, input } = e.data;
  const db = new RasidDb(dbName);
  void sealPhotoChunks(db, id, input, cryptoRandom)
    .then(
      (attachment): KeepAnswer => ({ ok: true, attachment }),
      (error: unknown): KeepAnswer => ({
        ok: false,
        storageFull: error instanceof PhotoStorageFullError,
        detail: error instanceof Error ? error.message : String(error),
      }),
    )
    .then((answer) => {
      db.close();
      scope.postMessage(answer);
    })
    .finally(() => scope.close());
};
