/**
 * A desk fetching a photo from the base and checking it before keeping it: the real base in the
 * test's process, whose answers a hostile fetch can change on the way.
 */
// Must come first: Dexie looks for IndexedDB when it is first imported.
import 'fake-indexeddb/auto';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fetchPhoto } from '../../../src/app/photos/fetch-photo.ts';
import { keepPhoto } from '../../../src/app/photos/keep-photo.ts';
import { sendWantedBlobs } from '../../../src/app/photos/send-blobs.ts';
import { createReport } from '../../../src/app/store/reports.ts';
import { runSync } from '../../../src/app/sync/engine.ts';
import type { Fetch } from '../../../src/app/sync/transport.ts';
import { ORIGIN, sealedDeployment, trackDeployments } from '../sync/sync-fixtures.ts';

describe('a photo fetched by a desk', () => {
  const deployments = trackDeployments();

  /** A monitor's report with a photo of `bytes`, synced and its photo sent; the coordinator's endpoint through `fetch`. */
  async function sentPhoto(bytes: number) {
    const { base, monitor, coordinator } = await sealedDeployment(deployments);
    const file = new Blob([new Uint8Array(randomBytes(bytes))], { type: 'image/jpeg' });
    const { attachment } = await keepPhoto(monitor.db, { file, mime: 'image/jpeg' }, monitor.writer.random);
    await createReport(monitor.writer, { type: 'damage', narrative: 'سقف منهار' } as never, undefined, [attachment]);
    await runSync(monitor.sync);
    await sendWantedBlobs(monitor.db, { origin: ORIGIN, token: monitor.token, fetch: base.fetch });
    const endpoint = (fetch: Fetch) => ({ origin: ORIGIN, token: coordinator.token, fetch });
    return { base, coordinator, attachment, endpoint };
  }

  it('is kept when both hashes are the signed ones, in ranges, and resumes where a cut left it', async () => {
    const { base, coordinator, attachment, endpoint } = await sentPhoto(2_500_000);
    const ranges: string[] = [];
    let cut = true;
    const flaky: Fetch = async (url, init) => {
      ranges.push((init.headers as Record<string, string>).Range!);
      if (cut && ranges.length === 2) throw new TypeError('Failed to fetch');
      return base.fetch(url, init);
    };
    expect(await fetchPhoto(coordinator.db, endpoint(flaky), attachment)).toBe('unavailable');
    cut = false;
    expect(await fetchPhoto(coordinator.db, endpoint(flaky), attachment)).toBe('verified');
    // The second fetch began at the chunks the first had kept whole (16 of 64 KiB and their tags).
    expect(ranges[2]).toBe(`bytes=${1 + 15 * 65_552}-${1 + 15 * 65_552 + 1024 * 1024 - 1}`);
    const [row] = await coordinator.db.photos.toArray();
    expect(row).toMatchObject({ blob: attachment.blob.sha256, held: 1 });
    expect(row!.unverified).toBeUndefined();
  });

  it('one byte changed by a hostile base: marked as not verifying, nothing of it kept; fetched again as it is, kept', async () => {
    const { base, coordinator, attachment, endpoint } = await sentPhoto(200_000);
    const hostile: Fetch = async (url, init) => {
      const res = await base.fetch(url, init);
      const body = new Uint8Array(await res.arrayBuffer());
      body[150] = body[150]! ^ 1;
      return new Response(body, { status: res.status, headers: res.headers });
    };
    expect(await fetchPhoto(coordinator.db, endpoint(hostile), attachment)).toBe('unverified');
    expect((await coordinator.db.photos.toArray()).map((r) => r.unverified)).toEqual([1]);
    expect(await coordinator.db.blobChunks.count()).toBe(0);
    // Asked again without `again`, the mark stands; with it, the photo is fetched anew.
    expect(await fetchPhoto(coordinator.db, endpoint(base.fetch), attachment)).toBe('unverified');
    expect(await fetchPhoto(coordinator.db, endpoint(base.fetch), attachment, { again: true })).toBe('verified');
  });

  it('a base sending more than the range asked for gets no more than the range taken', async () => {
    const { base, coordinator, attachment, endpoint } = await sentPhoto(100_000);
    const padded: Fetch = async (url, init) => {
      const res = await base.fetch(url, init);
      const body = new Uint8Array(await res.arrayBuffer());
      return new Response(new Blob([body, new Uint8Array(5_000_000)]), { status: res.status, headers: res.headers });
    };
    expect(await fetchPhoto(coordinator.db, endpoint(padded), attachment)).toBe('verified');
  });

  it('a photo the base does not hold is unavailable, and nothing is kept', async () => {
    const { coordinator, attachment, endpoint } = await sentPhoto(10_000);
    const missing: Fetch = async () => new Response('{}', { status: 404 });
    expect(await fetchPhoto(coordinator.db, endpoint(missing), attachment)).toBe('unavailable');
    expect(await coordinator.db.photos.count()).toBe(0);
  });
});
