/**
 * Where an upload's bytes live: a folder beside the embedded store (`folder-bytes.ts`) or, with
 * PostgreSQL, the database itself in chunks (`table-bytes.ts`), so that several base processes share
 * them with no other service. The base never opens these bytes: they are sealed blobs.
 *
 * Every byte that arrives is kept, even when the connection drops halfway through a request: that
 * is what lets an upload resume where it stopped rather than from zero.
 */
export interface BlobBytes {
  /** Makes an empty place for an upload. */
  create(id: string): Promise<void>;
  /** How many bytes the upload holds. */
  size(id: string): Promise<number>;
  /** Writes what `incoming` brings at `offset` (the upload's size); returns the new size. */
  append(id: string, offset: number, incoming: AsyncIterable<Uint8Array>): Promise<number>;
  /** Bytes `start` to `end` (exclusive) of an upload, in pieces, reading no more than a piece at a time. */
  read(id: string, start: number, end: number): AsyncIterable<Uint8Array>;
  /** Removes an upload's bytes; nothing happens when there are none. */
  remove(id: string): Promise<void>;
}

/** An upload id: 128 random bits in hex, so safe as a file name and a URL segment. */
export const UPLOAD_ID = /^[0-9a-f]{32}$/;
