// Must come first: Dexie looks for IndexedDB when it is first imported.
import 'fake-indexeddb/auto';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { keepPhoto, PhotoStorageFullError } from '../../../src/app/photos/keep-photo.ts';
import { forgetPhoto, removeLoosePhotoChunks } from '../../../src/app/photos/photo-rows.ts';
import { DataKeyHolder } from '../../../src/app/store/at-rest.ts';
import { RasidDb } from '../../../src/app/store/db.ts';
import { cryptoRandom } from '../../../src/domain/ids.ts';

const dbs: RasidDb[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.delete();
});

async function unlockedDb(): Promise<RasidDb> {
  const dataKey = new DataKeyHolder();
  await dataKey.set(cryptoRandom(32));
  const db = new RasidDb(`keep-photo-${Math.random()}`, { dataKey });
  dbs.push(db);
  return db;
}

const photo = (bytes: number) => ({ file: new Blob([new Uint8Array(randomBytes(bytes))]), mime: 'image/jpeg' as const });

describe('keeping a photo on the phone', () => {
  it('keeps its blob key only in the sealed photo row: the row on disk shows the blob hash and no key', async () => {
    const db = await unlockedDb();
    const { id, attachment } = await keepPhoto(db, photo(70_000), cryptoRandom);
    const raw = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const open = indexedDB.open(db.name);
      open.onsuccess = () => {
        const get = open.result.transaction('photos').objectStore('photos').get(id);
        get.onsuccess = () => {
          resolve(get.result as Record<string, unknown>);
          open.result.close();
        };
        get.onerror = () => reject(new Error('the row could not be read', { cause: get.error }));
      };
      open.onerror = () => reject(new Error('the database could not be opened', { cause: open.error }));
    });
    expect(raw.blob).toBe(attachment.blob.sha256);
    expect(JSON.stringify(raw)).not.toContain(attachment.key);
    expect(JSON.stringify(raw)).not.toContain(attachment.sha256);
  });

  it('a disk that fills up midway is an error in words, and leaves no chunk of the photo behind', async () => {
    const db = await unlockedDb();
    const put = db.blobChunks.put.bind(db.blobChunks);
    let puts = 0;
    db.blobChunks.put = ((...args: Parameters<typeof put>) => {
      if (++puts === 3) return Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
      return put(...args);
    }) as typeof put;
    const kept = keepPhoto(db, photo(300_000), cryptoRandom);
    await expect(kept).rejects.toBeInstanceOf(PhotoStorageFullError);
    await expect(kept).rejects.toMatchObject({ code: 'photo.err.storageFull' });
    expect(await db.blobChunks.count()).toBe(0);
    expect(await db.photos.count()).toBe(0);
  });

  it('a photo taken off the form goes with its chunks; chunks of a keeping cut off are removed at start', async () => {
    const db = await unlockedDb();
    const first = await keepPhoto(db, photo(100_000), cryptoRandom);
    const second = await keepPhoto(db, photo(100_000), cryptoRandom);
    await forgetPhoto(db, first.id);
    expect((await db.photos.toArray()).map((p) => p.id)).toEqual([second.id]);
    expect(await db.blobChunks.count()).toBe(2);
    // A tab closed halfway through keeping a photo: chunks that no photo row names.
    await db.blobChunks.bulkPut([
      { photo: 'cut-off', index: 0, bytes: new Uint8Array(10) },
      { photo: 'cut-off', index: 1, bytes: new Uint8Array(10) },
    ]);
    expect(await removeLoosePhotoChunks(db)).toBe(2);
    expect(await db.blobChunks.count()).toBe(2);
  });
});
