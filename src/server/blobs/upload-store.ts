/**
 * The tus protocol's data store for sealed blobs: each upload a row in `blob_uploads` (bound to the
 * device that began it, and to the blob and size it must turn out to be) and its bytes in a
 * `BlobBytes`. When the last byte is in, `finishUpload` checks the hash and keeps the blob once.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { DataStore, ERRORS, Upload } from '@tus/server';
import type { DeviceId } from '../../domain/ids.ts';
import type { Database } from '../store/schema.ts';
import type { BlobBytes } from './bytes.ts';
import { refusalOf } from './refusal.ts';

/** Metadata the upload store keeps: the blob's hash is the only metadata a device sends. */
export interface UploadMetadata {
  sha256: string;
  /** Set by the base from the caller's token, never taken from the request. */
  device: DeviceId;
}

const NO_SUCH_UPLOAD = refusalOf(ERRORS.FILE_NOT_FOUND, 'upload_unknown');

export class UploadStore extends DataStore {
  constructor(
    private readonly db: Kysely<Database>,
    readonly bytes: BlobBytes,
    private readonly now: () => number,
  ) {
    super();
    this.extensions = ['creation', 'creation-with-upload', 'termination'];
  }

  override async create(upload: Upload): Promise<Upload> {
    const { sha256, device } = upload.metadata as unknown as UploadMetadata;
    const createdAt = this.now();
    // A device that begins the same blob again has lost its upload's URL: the earlier, unfinished
    // upload is given up, so that what a device holds here is bounded by the blobs its ops name.
    const earlier = await this.db
      .selectFrom('blob_uploads')
      .select('id')
      .where('device', '=', device)
      .where('sha256', '=', sha256)
      .where('done_at', 'is', null)
      .execute();
    for (const { id } of earlier) await this.discard(id);
    await this.bytes.create(upload.id);
    await this.db
      .insertInto('blob_uploads')
      .values({ id: upload.id, device, sha256, bytes: upload.size!, created_at: createdAt, done_at: null })
      .execute();
    upload.metadata = { sha256 };
    upload.creation_date = new Date(createdAt).toISOString();
    return upload;
  }

  override async getUpload(id: string): Promise<Upload> {
    const row = await this.uploadRow(id);
    if (!row) throw NO_SUCH_UPLOAD;
    const bytes = Number(row.bytes);
    // A finished upload whose bytes were dropped as a second copy of a held blob still says it is whole.
    const offset = row.done_at !== null ? bytes : await this.bytes.size(id);
    return new Upload({
      id,
      size: bytes,
      offset,
      metadata: { sha256: row.sha256 },
      creation_date: new Date(Number(row.created_at)).toISOString(),
    });
  }

  override async write(incoming: Readable, id: string, offset: number): Promise<number> {
    return this.bytes.append(id, offset, incoming);
  }

  override async remove(id: string): Promise<void> {
    const row = await this.uploadRow(id);
    if (!row) throw NO_SUCH_UPLOAD;
    if (row.done_at !== null) throw refusalOf(ERRORS.INVALID_TERMINATION, 'upload_finished');
    await this.discard(id);
  }

  /** The device an upload is bound to, or undefined when there is no such upload. */
  async ownerOf(id: string): Promise<DeviceId | undefined> {
    return (await this.uploadRow(id))?.device;
  }

  /**
   * Called once the last byte is in: the blob is kept when its bytes have the hash the op names,
   * once (a second upload of a held blob gives its bytes back); otherwise the upload is discarded.
   */
  async finishUpload(id: string): Promise<'kept' | 'mismatch'> {
    const row = await this.uploadRow(id);
    if (!row) throw NO_SUCH_UPLOAD;
    const bytes = Number(row.bytes);
    const hash = createHash('sha256');
    for await (const piece of this.bytes.read(id, 0, bytes)) hash.update(piece);
    if (hash.digest('hex') !== row.sha256) {
      await this.discard(id);
      return 'mismatch';
    }
    const now = this.now();
    const kept = await this.db
      .insertInto('blobs')
      .values({ sha256: row.sha256, bytes, upload_id: id, stored_at: now })
      .onConflict((oc) => oc.column('sha256').doNothing())
      .executeTakeFirst();
    await this.db.updateTable('blob_uploads').set({ done_at: now }).where('id', '=', id).execute();
    if (Number(kept.numInsertedOrUpdatedRows ?? 0) === 0) await this.bytes.remove(id);
    return 'kept';
  }

  private async discard(id: string): Promise<void> {
    await this.db.deleteFrom('blob_uploads').where('id', '=', id).execute();
    await this.bytes.remove(id);
  }

  private uploadRow(id: string) {
    return this.db.selectFrom('blob_uploads').selectAll().where('id', '=', id).executeTakeFirst();
  }
}
