/**
 * Photos from the phone to the base: kept chunk by chunk in the phone's database, added to a report,
 * synced, then sent by a resumable upload once the base asks for them. The base here is the real
 * one in the test's process (sync-fixtures.ts); its fetch can be cut mid-upload as a connection is.
 */
// Must come first: Dexie looks for IndexedDB when it is first imported.
import 'fake-indexeddb/auto';
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openBlob, importBlobKey } from '../../../src/domain/crypto/blob-seal.ts';
import { fromBase64url } from '../../../src/domain/crypto/bytes.ts';
import { keepPhoto } from '../../../src/app/photos/keep-photo.ts';
import { readBlobRange } from '../../../src/app/photos/blob-bytes.ts';
import { freeHeldPhotos, photoCounts } from '../../../src/app/photos/photo-rows.ts';
import { sendWantedBlobs, UPLOAD_CHUNK_BYTES } from '../../../src/app/photos/send-blobs.ts';
import { RasidDb } from '../../../src/app/store/db.ts';
import { createReport } from '../../../src/app/store/reports.ts';
import { runSync } from '../../../src/app/sync/engine.ts';
import type { Fetch } from '../../../src/app/sync/transport.ts';
import { ORIGIN, sealedDeployment, trackDeployments, type Device } from '../sync/sync-fixtures.ts';

const hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** An invented photo: random bytes stand in for a JPEG (nothing here reads it as one). */
function invented(bytes: number): { file: Blob; original: Uint8Array } {
  const original = new Uint8Array(randomBytes(bytes));
  return { file: new Blob([original], { type: 'image/jpeg' }), original };
}

async function reportWithPhoto(monitor: Device, bytes: number) {
  const { file, original } = invented(bytes);
  const kept = await keepPhoto(monitor.db, { file, mime: 'image/jpeg', capturedAt: '2025-03-08T08:15:00.000Z' }, monitor.writer.random);
  await createReport(monitor.writer, { type: 'damage', narrative: 'احتراق مخبز الحي' } as never, undefined, [kept.attachment]);
  return { ...kept, original };
}

const endpointOf = (d: Device, fetch: Fetch) => ({ origin: ORIGIN, token: d.token, fetch });

describe('photos sent from the phone', () => {
  const deployments = trackDeployments();

  it('a kept photo is its sealed blob, chunk by chunk, that opens to the original under its key', async () => {
    const { monitor } = await sealedDeployment(deployments);
    const { id, attachment, original } = await reportWithPhoto(monitor, 200_000);
    expect(attachment.sha256).toBe(hex(original));
    expect(await monitor.db.blobChunks.count()).toBe(4);
    const sealed = await readBlobRange(monitor.db, id, 0, attachment.blob.bytes);
    expect(sealed.length).toBe(attachment.blob.bytes);
    expect(hex(sealed)).toBe(attachment.blob.sha256);
    const opened = await openBlob(await importBlobKey(fromBase64url(attachment.key)!), sealed);
    expect(hex(opened!)).toBe(attachment.sha256);
    // Any range reads the same bytes as the whole.
    expect(hex(await readBlobRange(monitor.db, id, 65_000, 140_000))).toBe(hex(sealed.subarray(65_000, 140_000)));
  });

  it('nothing is sent before the op naming the photo is acknowledged; then the base holds the very blob', async () => {
    const { base, monitor, coordinator } = await sealedDeployment(deployments);
    const { attachment } = await reportWithPhoto(monitor, 600_000);
    // Not confirmed: it waits whole, and its space cannot be freed.
    expect(await photoCounts(monitor.db)).toEqual({ waiting: 1, waitingBytes: attachment.blob.bytes, freeable: 0, freeableBytes: 0 });
    expect(await freeHeldPhotos(monitor.db)).toBe(0);
    // The base knows of no such photo yet: nothing to send.
    expect(await sendWantedBlobs(monitor.db, endpointOf(monitor, base.fetch))).toEqual({ sent: 0, failed: 0, elsewhere: 0 });
    await runSync(monitor.sync);
    const progress: number[] = [];
    expect(await sendWantedBlobs(monitor.db, endpointOf(monitor, base.fetch), (p) => progress.push(p.sent))).toEqual({
      sent: 1,
      failed: 0,
      elsewhere: 0,
    });
    expect(progress.at(-1)).toBe(attachment.blob.bytes);
    expect(progress.length).toBe(Math.ceil(attachment.blob.bytes / UPLOAD_CHUNK_BYTES));
    const served = await base.fetch(`${ORIGIN}/api/v1/blobs/${attachment.blob.sha256}`, {
      headers: { Authorization: `Bearer ${coordinator.token}` },
    });
    expect(hex(new Uint8Array(await served.arrayBuffer()))).toBe(attachment.blob.sha256);
    expect((await monitor.db.photos.toArray()).map((p) => p.held)).toEqual([1]);
    // Asked again, the base wants nothing.
    expect(await sendWantedBlobs(monitor.db, endpointOf(monitor, base.fetch))).toEqual({ sent: 0, failed: 0, elsewhere: 0 });
    // Confirmed by the base, its space can be freed; the photo's row stays.
    expect(await photoCounts(monitor.db)).toEqual({ waiting: 0, waitingBytes: 0, freeable: 1, freeableBytes: attachment.blob.bytes });
    expect(await freeHeldPhotos(monitor.db)).toBe(1);
    expect(await monitor.db.blobChunks.count()).toBe(0);
    expect((await monitor.db.photos.toArray()).map((p) => p.attachment.sha256)).toEqual([attachment.sha256]);
    expect(await photoCounts(monitor.db)).toEqual({ waiting: 0, waitingBytes: 0, freeable: 0, freeableBytes: 0 });
  });

  it('an upload cut off, then the app reloaded, resumes from where the base stands, not from zero', async () => {
    const { base, monitor, coordinator } = await sealedDeployment(deployments);
    const { attachment } = await reportWithPhoto(monitor, 900_000);
    await runSync(monitor.sync);
    // The connection drops during the third upload request.
    let patches = 0;
    const cut: Fetch = async (url, init) => {
      if (init.method === 'PATCH' && ++patches === 3) throw new TypeError('Failed to fetch');
      return base.fetch(url, init);
    };
    expect(await sendWantedBlobs(monitor.db, endpointOf(monitor, cut))).toEqual({ sent: 0, failed: 1, elsewhere: 0 });
    const [row] = await monitor.db.photos.toArray();
    expect(row!.uploadUrl).toMatch(new RegExp(`^${ORIGIN}/api/v1/blobs/uploads/[0-9a-f]{32}$`));

    // A reload: the same database opened again, a new upload started from the row alone.
    monitor.db.close();
    const reopened = new RasidDb(monitor.db.name, { dataKey: monitor.db.dataKey });
    const offsets: string[] = [];
    const watch: Fetch = async (url, init) => {
      if (init.method === 'PATCH') offsets.push((init.headers as Record<string, string>)['Upload-Offset']!);
      return base.fetch(url, init);
    };
    expect(await sendWantedBlobs(reopened, endpointOf(monitor, watch))).toEqual({ sent: 1, failed: 0, elsewhere: 0 });
    expect(offsets[0]).toBe(String(2 * UPLOAD_CHUNK_BYTES));
    const served = await base.fetch(`${ORIGIN}/api/v1/blobs/${attachment.blob.sha256}`, {
      headers: { Authorization: `Bearer ${coordinator.token}` },
    });
    expect(hex(new Uint8Array(await served.arrayBuffer()))).toBe(attachment.blob.sha256);
    reopened.close();
  });

  it('a photo a coordinator relayed first is not asked of its author', async () => {
    const { base, monitor, coordinator } = await sealedDeployment(deployments);
    const { id, attachment } = await reportWithPhoto(monitor, 50_000);
    await runSync(monitor.sync);
    // The coordinator relays the same sealed bytes first.
    const sealed = await readBlobRange(monitor.db, id, 0, attachment.blob.bytes);
    const relayDb = coordinator.db;
    await relayDb.blobChunks.bulkPut(
      Array.from({ length: Math.ceil((sealed.length - 1) / 65_552) }, (_, index) => ({
        photo: 'relayed',
        index,
        bytes: sealed.slice(1 + index * 65_552, 1 + (index + 1) * 65_552),
      })),
    );
    await relayDb.photos.put({ id: 'relayed', blob: attachment.blob.sha256, attachment });
    expect(await sendWantedBlobs(relayDb, endpointOf(coordinator, base.fetch))).toEqual({ sent: 1, failed: 0, elsewhere: 0 });
    expect(await sendWantedBlobs(monitor.db, endpointOf(monitor, base.fetch))).toEqual({ sent: 0, failed: 0, elsewhere: 0 });
  });
});
