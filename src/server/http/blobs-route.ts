/**
 * Photos' sealed blobs at the base, under `/api/v1/blobs`:
 *
 *   POST   /uploads, HEAD|PATCH|DELETE /uploads/<id>   the tus protocol (resumable uploads)
 *   GET    /<sha256>                                    a blob the base holds, with HTTP ranges
 *   GET    /wanted                                      blobs the caller's ops name that the base lacks
 *
 * Every request carries a device token. An upload begins only for a blob that an acknowledged op
 * of the caller's names (or any device's, for a coordinator relaying it), at exactly the size that
 * op's signed list gives; its only metadata is the blob's hash. Every later request on it must come
 * from the device that began it: its URL alone grants nothing, and another device is told there is
 * no such upload. When the last byte is in, the base checks the hash; a mismatch discards the upload.
 */
import type { Context, Hono } from 'hono';
import { Server, type Upload } from '@tus/server';
import { toHex } from '../../domain/crypto/bytes.ts';
import { blobRefSchema, MAX_ORIGINAL_BYTES } from '../../domain/op/op.ts';
import { sealedBlobSize } from '../../domain/crypto/blob-seal.ts';
import { UPLOAD_ID } from '../blobs/bytes.ts';
import { heldBlob, mayDownload, uploadGrant, wantedBlobs, type UploadGrant } from '../blobs/grants.ts';
import { UploadRefusal } from '../blobs/refusal.ts';
import { tableBytes } from '../blobs/table-bytes.ts';
import { UploadStore } from '../blobs/upload-store.ts';
import type { Caller } from '../store/index.ts';
import type { ApiDeps } from './api.ts';
import { requireDevice, type ApiEnv } from './auth.ts';
import { ApiError } from './errors.ts';
import { jsonAnswer } from './json-answer.ts';

const UPLOADS_PATH = '/api/v1/blobs/uploads';
/** A blob's hash as the signed ops write it. */
const isSha256 = (text: unknown): text is string => blobRefSchema.shape.sha256.safeParse(text).success;

interface Refusal {
  status_code: number;
  body: string;
}

const GRANT_REFUSALS: Record<Exclude<UploadGrant, { ok: true }>['why'], UploadRefusal> = {
  not_named: new UploadRefusal(403, 'blob_not_named', 'No acknowledged op of this device names this blob: push the op first.'),
  length: new UploadRefusal(400, 'blob_length', 'Upload-Length is not the size the signed op gives this blob.'),
  held: new UploadRefusal(409, 'blob_held', 'The base already holds this blob.'),
};

const NO_SUCH_UPLOAD = new UploadRefusal(404, 'upload_unknown', 'There is no such upload for this device.');

export function blobsRoutes(api: Hono<ApiEnv>, { store, now, random, blobBytes }: ApiDeps): void {
  const uploads = new UploadStore(store.db, blobBytes ?? tableBytes(store.db), now);
  // The caller each request was authenticated as, for the hooks (tus passes them the request alone).
  const callers = new WeakMap<Request, Caller>();
  const callerOf = (req: Request): Caller => {
    const caller = callers.get(req);
    if (!caller) throw new UploadRefusal(401, 'token_missing', 'This endpoint needs a device token.');
    return caller;
  };

  const tus = new Server({
    path: UPLOADS_PATH,
    datastore: uploads,
    relativeLocation: true,
    // The app and the API share one origin: no other origin's page may upload.
    allowedOrigins: () => false,
    maxSize: sealedBlobSize(MAX_ORIGINAL_BYTES),
    disableTerminationForFinishedUploads: true,
    namingFunction: () => toHex(random(16)),
    getFileIdFromRequest: (_req, last) => (last !== undefined && UPLOAD_ID.test(last) ? last : undefined),
    async onUploadCreate(req, upload: Upload) {
      const caller = callerOf(req);
      const metadata = upload.metadata ?? {};
      const sha256 = metadata.sha256;
      if (Object.keys(metadata).length !== 1 || !isSha256(sha256)) {
        throw new UploadRefusal(400, 'blob_metadata', "An upload's only metadata is sha256: the sealed blob's SHA-256 in lowercase hex.");
      }
      const grant = await uploadGrant(store.db, caller, sha256, upload.size ?? -1);
      if (!grant.ok) throw GRANT_REFUSALS[grant.why];
      return { metadata: { sha256, device: caller.device } };
    },
    async onIncomingRequest(req, id) {
      if (req.method === 'POST') return;
      if ((await uploads.ownerOf(id)) !== callerOf(req).device) throw NO_SUCH_UPLOAD;
    },
    async onUploadFinish(_req, upload) {
      if ((await uploads.finishUpload(upload.id)) === 'mismatch') {
        throw new UploadRefusal(
          422,
          'blob_hash',
          'The bytes received do not have the SHA-256 the op names; the upload was discarded: send the blob again.',
        );
      }
      return {};
    },
    onResponseError: (_req, error) => tusRefusal(error),
  });

  const handle = async (c: Context<ApiEnv>) => {
    const request = c.req.raw;
    callers.set(request, c.get('caller'));
    const answer = await tus.handleWeb(request);
    if (answer.status >= 400) answer.headers.set('Content-Type', 'application/json');
    return answer;
  };
  const device = requireDevice(store.db, now);
  api.post('/v1/blobs/uploads', device, handle);
  api.on(['PATCH', 'DELETE'], '/v1/blobs/uploads/:id', device, handle);
  // Hono routes a HEAD request as a GET (and drops the body it answers with): here, tus's HEAD.
  api.get('/v1/blobs/uploads/:id', device, async (c) => {
    if (c.req.method !== 'HEAD') throw new ApiError(404, 'not_found', 'An upload is read with HEAD; a blob is downloaded by its hash.');
    return handle(c);
  });

  api.get('/v1/blobs/wanted', device, async (c) => jsonAnswer(c, { blobs: await wantedBlobs(store.db, c.get('caller')) }));

  api.get('/v1/blobs/:sha256', device, async (c) => {
    const sha256 = c.req.param('sha256');
    const held = isSha256(sha256) ? await heldBlob(store.db, sha256) : undefined;
    // A blob the caller may not see is answered as one the base does not hold.
    if (!held || !(await mayDownload(store.db, c.get('caller'), sha256))) {
      throw new ApiError(404, 'blob_unknown', 'The base holds no such blob for this device.');
    }
    const range = byteRange(c.req.header('Range'), held.bytes);
    if (range === 'unsatisfiable') {
      return c.body(null, 416, { 'Content-Range': `bytes */${held.bytes}` });
    }
    const [start, end] = range ?? [0, held.bytes];
    const headers: Record<string, string> = {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(end - start),
      'Accept-Ranges': 'bytes',
      // The hash names the bytes: the same ETag always means the same blob, so a range resumes safely.
      ETag: `"${sha256}"`,
    };
    if (range) headers['Content-Range'] = `bytes ${start}-${end - 1}/${held.bytes}`;
    return c.body(streamOf(uploads.bytes.read(held.uploadId, start, end)), range ? 206 : 200, headers);
  });
}

/** The one range a `Range` header asks for, as [start, end); undefined for none or one not understood (the whole blob is sent). */
export function byteRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    return suffix === 0 ? 'unsatisfiable' : [Math.max(0, size - suffix), size];
  }
  const start = Number(match[1]);
  const last = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size) return 'unsatisfiable';
  if (last < start) return undefined;
  return [start, last + 1];
}

function streamOf(pieces: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = pieces[Symbol.asyncIterator]();
  return new ReadableStream({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

/**
 * The tus library's own errors in the API's error shape. Its 5xx answers for requests it does not
 * support (a deferred length, concatenation) are the client's doing, so 400; a lock another request
 * holds too long is 409, to be retried.
 */
function tusRefusal(error: Error | Refusal): Refusal {
  if (error instanceof UploadRefusal) return error;
  if (!('status_code' in error)) {
    // A fault of the base's own (its database, its disk): logged here, never described to the client.
    console.error(error.stack ?? error.message);
    return new UploadRefusal(500, 'internal', 'The server met an unexpected problem.');
  }
  if (error.status_code === 500 && /lock/i.test(error.body)) {
    return new UploadRefusal(409, 'upload_busy', 'Another request holds this upload; try again.');
  }
  const status = error.status_code > 500 ? 400 : error.status_code;
  return new UploadRefusal(status, 'upload_refused', error.body.trim());
}
