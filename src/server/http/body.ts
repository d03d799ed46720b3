/**
 * Reading a JSON request body safely: JSON content type only, `Content-Encoding: gzip` or none,
 * and a hard byte limit both on the wire and after inflation. Inflation stops as soon as its output
 * passes the limit, so a small gzip bomb (1 GB of zeros is about 1 MB compressed) costs at most
 * the limit in memory and a few milliseconds, and is answered 413. Anything malformed is a 400.
 */
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { Context } from 'hono';
import type { z } from 'zod/mini';
import { ApiError } from './errors.ts';

const inflate = promisify(gunzip);

/** Enrollment and code requests are tiny; they get a small limit of their own. */
export const SMALL_BODY_BYTES = 64 * 1024;

export async function readJsonBody<S extends z.ZodMiniType>(c: Context, schema: S, limit: number): Promise<z.infer<S>> {
  const type = (c.req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new ApiError(415, 'unsupported_media_type', 'Send the request body as application/json.');
  const encoding = (c.req.header('Content-Encoding') ?? '').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'identity' && encoding !== 'gzip') {
    throw new ApiError(415, 'unsupported_encoding', 'Send the request body uncompressed or with Content-Encoding: gzip.');
  }
  const declared = Number(c.req.header('Content-Length') ?? 0);
  if (declared > limit) throw tooLarge(limit);

  const raw = await readLimited(c.req.raw.body, limit);
  const bytes = encoding === 'gzip' ? await inflateLimited(raw, limit) : raw;

  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new ApiError(400, 'bad_json', 'The request body is not valid JSON in UTF-8.');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : 'the body';
    throw new ApiError(400, 'bad_request', `The request does not have the expected shape (at ${where}).`);
  }
  return parsed.data;
}

function tooLarge(limit: number): ApiError {
  return new ApiError(413, 'too_large', `The request body is over ${limit} bytes (after decompression); send smaller batches.`);
}

async function readLimited(stream: ReadableStream<Uint8Array> | null, limit: number): Promise<Buffer> {
  if (!stream) return Buffer.alloc(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      // The client went away mid-body: nothing to answer, and nothing for the operator to see.
      throw new ApiError(400, 'body_incomplete', 'The request body ended early.');
    }
    if (chunk.done) break;
    size += chunk.value.byteLength;
    // Stop reading, without cancelling: a cancel would drop the connection before the 413 is written.
    // The answer says `Connection: close` when the rest is still on its way (app.ts).
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk.value);
  }
  return Buffer.concat(chunks, size);
}

async function inflateLimited(raw: Buffer, limit: number): Promise<Buffer> {
  try {
    // zlib stops and fails as soon as its output passes maxOutputLength.
    return await inflate(raw, { maxOutputLength: limit });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(limit);
    throw new ApiError(400, 'bad_gzip', 'The request body is not valid gzip.');
  }
}
