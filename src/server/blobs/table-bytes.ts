/**
 * Upload bytes in the database, in chunks of at most 256 KiB (`blob_chunks`): with PostgreSQL, so
 * that every base process sharing the database serves every blob. Written once over Kysely, so the
 * same code runs on SQLite (where tests use it; a deployment on SQLite keeps its blobs in a folder).
 *
 * A chunk is keyed by the offset it starts at: two processes writing the same upload at the same
 * offset cannot both succeed, so bytes are never written twice or out of order.
 */
import { sql, type Kysely } from 'kysely';
import { ERRORS } from '@tus/server';
import type { Database } from '../store/schema.ts';
import type { BlobBytes } from './bytes.ts';
import { refusalOf } from './refusal.ts';

const CHUNK_BYTES = 256 * 1024;

export function tableBytes(db: Kysely<Database>): BlobBytes {
  const chunkList = (id: string) =>
    db
      .selectFrom('blob_chunks')
      .select(['start', sql<number>`length(data)`.as('length')])
      .where('upload_id', '=', id)
      .orderBy('start')
      .execute();
  const size = async (id: string) => {
    const last = await db
      .selectFrom('blob_chunks')
      .select(['start', sql<number>`length(data)`.as('length')])
      .where('upload_id', '=', id)
      .orderBy('start', 'desc')
      .limit(1)
      .executeTakeFirst();
    return last ? Number(last.start) + Number(last.length) : 0;
  };
  return {
    async create() {},
    size,
    async append(id, offset, incoming) {
      let at = offset;
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      const flush = async () => {
        if (pendingBytes === 0) return;
        const data = Buffer.concat(pending, pendingBytes);
        pending = [];
        pendingBytes = 0;
        const written = await db
          .insertInto('blob_chunks')
          .values({ upload_id: id, start: at, data })
          .onConflict((oc) => oc.columns(['upload_id', 'start']).doNothing())
          .executeTakeFirst();
        // Another request wrote here first: this one's offset was stale.
        if (Number(written.numInsertedOrUpdatedRows ?? 0) === 0) throw refusalOf(ERRORS.INVALID_OFFSET, 'upload_offset');
        at += data.length;
      };
      try {
        for await (const piece of incoming) {
          pending.push(piece);
          pendingBytes += piece.length;
          if (pendingBytes >= CHUNK_BYTES) await flush();
        }
      } finally {
        // What arrived before a dropped connection is kept.
        await flush();
      }
      return at;
    },
    async *read(id, start, end) {
      for (const chunk of await chunkList(id)) {
        const from = Number(chunk.start);
        const to = from + Number(chunk.length);
        if (to <= start || from >= end) continue;
        const row = await db
          .selectFrom('blob_chunks')
          .select('data')
          .where('upload_id', '=', id)
          .where('start', '=', from)
          .executeTakeFirstOrThrow();
        // Both drivers give a Buffer for blob and bytea.
        const data = row.data;
        yield data.subarray(Math.max(0, start - from), Math.min(data.length, end - from));
      }
    },
    async remove(id) {
      await db.deleteFrom('blob_chunks').where('upload_id', '=', id).execute();
    },
  };
}
