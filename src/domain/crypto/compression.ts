/**
 * Raw DEFLATE (RFC 1951). Bodies are compressed before sealing because ciphertext does not compress.
 * Compressing goes through CompressionStream, which every runtime here has (Node 20 and browsers),
 * the bytes written straight into the stream and read straight out: going through a Blob and a
 * Response instead cost about 750 µs an op in Chromium against 50 µs this way.
 *
 * Inflating stops at a byte limit: a sealed op comes from another device, and a few hundred bytes of
 * DEFLATE can expand to gigabytes.
 */
import { deflateSync, Inflate, inflateSync } from 'fflate';
import { concatBytes, type Bytes } from './bytes.ts';

export async function deflate(bytes: Bytes): Promise<Bytes> {
  const stream = new CompressionStream('deflate-raw');
  const writer = stream.writable.getWriter();
  // Errors surface on the readable side; these promises would only repeat them.
  writer.write(bytes).catch(() => {});
  writer.close().catch(() => {});
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  for (let read = await reader.read(); !read.done; read = await reader.read()) chunks.push(read.value);
  return concatBytes(...chunks);
}

/**
 * Raw DEFLATE against a preset dictionary (RFC 1951, as zlib's `deflateSetDictionary`), in plain
 * code: CompressionStream takes no dictionary. About 80 µs for a report's body in Node.
 */
export function deflateWithDictionary(bytes: Bytes, dictionary: Bytes): Bytes {
  return deflateSync(bytes, { level: 6, dictionary });
}

export type Inflated = { ok: true; bytes: Bytes } | { ok: false; reason: 'corrupt' | 'tooLarge' };

/**
 * Inputs up to this size inflate in one call into a buffer kept for reuse: allocating the output
 * anew cost about 1 ms an op in Chromium, 30 times the inflating. That call writes nothing past the
 * buffer but decodes to the input's end, so only a small input goes that way: what it can expand to
 * (about 1,000 times its size) bounds the work a bomb makes.
 */
const IN_ONE_CALL = 4096;
/** Larger inputs are fed a piece at a time, and stop at the piece that passes the limit. */
const INFLATE_PIECE = 1024;

let scratch = new Uint8Array(0);

class TooLarge extends Error {}

/**
 * Inflates raw DEFLATE, giving up (without reading on) once the output passes `maxBytes`. fflate in
 * plain code, not DecompressionStream: a stream per op cost a desk 0.1–0.9 ms each in Chromium, most
 * of reading a sealed op (decision 080). Bytes after the end of the DEFLATE data are not read, as in
 * zlib: the signature is over the body as inflated, so they cannot change what a reader sees.
 */
export function inflate(bytes: Bytes, maxBytes: number, dictionary?: Bytes): Inflated {
  if (bytes.length === 0) return { ok: false, reason: 'corrupt' };
  try {
    return bytes.length <= IN_ONE_CALL ? inflateInOneCall(bytes, maxBytes, dictionary) : inflateByPieces(bytes, maxBytes, dictionary);
  } catch (error) {
    // Otherwise not DEFLATE, or cut short.
    return { ok: false, reason: error instanceof TooLarge ? 'tooLarge' : 'corrupt' };
  }
}

function inflateInOneCall(bytes: Bytes, maxBytes: number, dictionary: Bytes | undefined): Inflated {
  // One byte past the limit: an output that fills the buffer went past it.
  if (scratch.length !== maxBytes + 1) scratch = new Uint8Array(maxBytes + 1);
  const out = inflateSync(bytes, dictionary ? { out: scratch, dictionary } : { out: scratch });
  return out.length > maxBytes ? { ok: false, reason: 'tooLarge' } : { ok: true, bytes: out.slice() };
}

function inflateByPieces(bytes: Bytes, maxBytes: number, dictionary: Bytes | undefined): Inflated {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let ended = false;
  const inflater = new Inflate(dictionary ? { dictionary } : {}, (chunk, final) => {
    total += chunk.length;
    if (total > maxBytes) throw new TooLarge();
    chunks.push(chunk);
    ended ||= final;
  });
  for (let at = 0; at < bytes.length; at += INFLATE_PIECE) {
    inflater.push(bytes.subarray(at, at + INFLATE_PIECE), at + INFLATE_PIECE >= bytes.length);
  }
  return ended ? { ok: true, bytes: concatBytes(...chunks) } : { ok: false, reason: 'corrupt' };
}
