/**
 * Sends the base the photos it asks for (`GET /api/v1/blobs/wanted`: blobs that acknowledged ops
 * name and it does not hold), each by a resumable tus upload read from the phone's chunks. The list
 * comes from the base, so a blob is sent only once the op naming it was acknowledged, and a base
 * restored from a backup gets its lost photos back the same way. Loaded only when there is a photo
 * to send: the first screen never pays for tus-js-client.
 *
 * The upload's URL is kept in the photo's sealed row as soon as the base gives it (never in
 * localStorage, where tus-js-client would keep it): a reload or a dropped connection resumes from the
 * offset the base answers. The only metadata sent is the blob's hash.
 */
import { Upload, type DetailedError, type FileReader, type UrlStorage } from 'tus-js-client';
import { z } from 'zod/mini';
import { blobRefSchema, type BlobRef } from '../../domain/op/op.ts';
import type { PhotoRow, RasidDb } from '../store/db.ts';
import type { Endpoint } from '../sync/transport.ts';
import { readBlobRange } from './blob-bytes.ts';
import { fetchStack } from './fetch-stack.ts';
import { chunksOf } from './photo-rows.ts';

/** Each upload request carries at most this much: what a dropped connection can cost again. */
export const UPLOAD_CHUNK_BYTES = 256 * 1024;

export interface BlobProgress {
  /** The sealed blob's SHA-256. */
  blob: string;
  /** Bytes the base holds of it. */
  sent: number;
  total: number;
}

export interface SendOutcome {
  /** Photos the base now holds that it lacked. */
  sent: number;
  /** Photos it asked for that this device holds but could not send this time (a dropped connection, a refusal). */
  failed: number;
  /** Photos it asked for that this device does not hold (another device's, or freed here). */
  elsewhere: number;
}

const wantedSchema = z.array(blobRefSchema);

/** tus-js-client's own URL store is never used: the upload state lives in the sealed database. */
const noUrlStorage: UrlStorage = {
  findAllUploads: () => Promise.resolve([]),
  findUploadsByFingerprint: () => Promise.resolve([]),
  removeUpload: () => Promise.resolve(),
  addUpload: () => Promise.resolve(''),
};

export async function sendWantedBlobs(db: RasidDb, endpoint: Endpoint, onProgress?: (p: BlobProgress) => void): Promise<SendOutcome> {
  const res = await endpoint.fetch(`${endpoint.origin}/api/v1/blobs/wanted`, { headers: { Authorization: `Bearer ${endpoint.token}` } });
  if (!res.ok) throw new Error(`the base answered ${res.status} for the blobs it wants`);
  const parsed = wantedSchema.safeParse(((await res.json()) as { blobs?: unknown }).blobs);
  if (!parsed.success) throw new Error('the base sent a list of wanted blobs this app does not read');
  const outcome: SendOutcome = { sent: 0, failed: 0, elsewhere: 0 };
  for (const wanted of parsed.data) {
    const photo = await heldHere(db, wanted);
    if (!photo) {
      outcome.elsewhere += 1;
      continue;
    }
    const result = await sendBlob(db, endpoint, photo, onProgress);
    if (result === 'sent') outcome.sent += 1;
    else outcome.failed += 1;
  }
  return outcome;
}

/** This device's photo of that blob, when it still has every chunk of it. */
async function heldHere(db: RasidDb, wanted: BlobRef): Promise<PhotoRow | undefined> {
  const rows = await db.photos.where('blob').equals(wanted.sha256).toArray();
  const photo = rows.find((r) => r.attachment.blob.bytes === wanted.bytes);
  if (!photo) return undefined;
  const chunks = await chunksOf(db, photo.id).count();
  return chunks > 0 ? photo : undefined;
}

function chunkReader(db: RasidDb, photo: PhotoRow): FileReader {
  return {
    openFile: () =>
      Promise.resolve({
        size: photo.attachment.blob.bytes,
        slice: async (start: number, end: number) => {
          const stop = Math.min(end, photo.attachment.blob.bytes);
          // A Blob: tus-js-client reads a slice's length from its `size`.
          return { value: new Blob([await readBlobRange(db, photo.id, start, stop)]), done: stop >= photo.attachment.blob.bytes };
        },
        close: () => {},
      }),
  };
}

/** One blob, to its end or its first failure (the next sync tries again, from where the base stands). */
async function sendBlob(
  db: RasidDb,
  endpoint: Endpoint,
  photo: PhotoRow,
  onProgress?: (p: BlobProgress) => void,
): Promise<'sent' | 'failed'> {
  const total = photo.attachment.blob.bytes;
  const blob = photo.attachment.blob.sha256;
  const keepUrl = (url: string | undefined) => db.photos.update(photo.id, { uploadUrl: url });
  return new Promise((resolve) => {
    const upload: Upload = new Upload(photo as unknown as Blob, {
      endpoint: `${endpoint.origin}/api/v1/blobs/uploads`,
      uploadUrl: photo.uploadUrl ?? null,
      headers: { Authorization: `Bearer ${endpoint.token}` },
      metadata: { sha256: blob },
      uploadSize: total,
      chunkSize: UPLOAD_CHUNK_BYTES,
      // One try here: the sync's own schedule tries again later.
      retryDelays: null,
      storeFingerprintForResuming: false,
      removeFingerprintOnSuccess: false,
      urlStorage: noUrlStorage,
      fileReader: chunkReader(db, photo),
      httpStack: fetchStack(endpoint.fetch),
      onUploadUrlAvailable: () => {
        void keepUrl(upload.url ?? undefined);
      },
      onChunkComplete: (_size, accepted) => onProgress?.({ blob, sent: accepted, total }),
      onSuccess: () => {
        void db.photos.update(photo.id, { held: 1, uploadUrl: undefined }).then(() => resolve('sent'));
      },
      onError: (error) => {
        const status = (error as DetailedError).originalResponse?.getStatus();
        const body = (error as DetailedError).originalResponse?.getBody() ?? '';
        // The base holds it already (sent by a coordinator relaying it): done.
        if (status === 409 && body.includes('"blob_held"')) {
          void db.photos.update(photo.id, { held: 1, uploadUrl: undefined }).then(() => resolve('sent'));
          return;
        }
        // The base discarded the bytes (a hash that did not match): start again from zero next time.
        if (status === 422) void keepUrl(undefined);
        resolve('failed');
      },
    });
    upload.start();
  });
}
