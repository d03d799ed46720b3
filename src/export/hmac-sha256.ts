/**
 * HMAC-SHA-256 (RFC 2104, FIPS 180-4) computed synchronously, for pseudonymising every report id of
 * a partner's file. WebCrypto gives the same MAC, but one promise per id: at 100,000 reports that
 * alone took longer than the file's budget (docs/decisions.md, 078). The key's inner and outer
 * blocks are hashed once per key, so a short id costs two compressions. The tests check it against
 * WebCrypto and node:crypto.
 */

const ROUND = Int32Array.from(
  [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
    0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
    0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
    0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
    0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
    0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ].map((k) => k | 0),
);
const INITIAL = Int32Array.from(
  [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19].map((h) => h | 0),
);
const BLOCK = 64;

const w = new Int32Array(64);

/** Folds the 64-byte blocks of `bytes` from `offset` up to `end` into `state`. */
function compress(state: Int32Array, bytes: Uint8Array, offset: number, end: number): void {
  for (let at = offset; at < end; at += BLOCK) {
    for (let t = 0; t < 16; t++) {
      const i = at + 4 * t;
      w[t] = (bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!;
    }
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15]!;
      const y = w[t - 2]!;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) | 0;
    }
    let a = state[0]!;
    let b = state[1]!;
    let c = state[2]!;
    let d = state[3]!;
    let e = state[4]!;
    let f = state[5]!;
    let g = state[6]!;
    let h = state[7]!;
    for (let t = 0; t < 64; t++) {
      const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + s1 + ((e & f) ^ (~e & g)) + ROUND[t]! + w[t]!) | 0;
      const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    state[0] = (state[0]! + a) | 0;
    state[1] = (state[1]! + b) | 0;
    state[2] = (state[2]! + c) | 0;
    state[3] = (state[3]! + d) | 0;
    state[4] = (state[4]! + e) | 0;
    state[5] = (state[5]! + f) | 0;
    state[6] = (state[6]! + g) | 0;
    state[7] = (state[7]! + h) | 0;
  }
}

/**
 * SHA-256 of `before` bytes already folded into `state`, then `message[0..length)`: the message is
 * padded in `scratch` (which it may already occupy, at 0). Leaves the digest in `state`.
 */
function finish(state: Int32Array, before: number, scratch: Uint8Array, length: number): void {
  const padded = Math.ceil((length + 9) / BLOCK) * BLOCK;
  scratch[length] = 0x80;
  scratch.fill(0, length + 1, padded - 8);
  const bits = (before + length) * 8;
  putWord(scratch, padded - 8, Math.floor(bits / 2 ** 32));
  putWord(scratch, padded - 4, bits);
  compress(state, scratch, 0, padded);
}

/** Big-endian, the low 32 bits of `word`. */
function putWord(bytes: Uint8Array, at: number, word: number): void {
  bytes[at] = word >>> 24;
  bytes[at + 1] = word >>> 16;
  bytes[at + 2] = word >>> 8;
  bytes[at + 3] = word;
}

const encoder = new TextEncoder();

/** Report ids are ASCII: their UTF-8 is their char codes, written here far faster than encodeInto does. */
function ascii(text: string, into: Uint8Array): number | undefined {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return undefined;
    into[i] = code;
  }
  return text.length;
}
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A MAC function under one key: `mac(text)` is HMAC-SHA-256 of the text's UTF-8, as hex of its first `bytes` bytes. */
export function hmacSha256(key: Uint8Array, bytes = 32): (text: string) => string {
  let k = key;
  if (k.length > BLOCK) {
    const long = new Uint8Array(Math.ceil((k.length + 9) / BLOCK) * BLOCK);
    long.set(k);
    const state = INITIAL.slice();
    finish(state, 0, long, k.length);
    k = digestBytes(state);
  }
  const pad = (byte: number) => {
    const block = new Uint8Array(BLOCK).fill(byte);
    for (let i = 0; i < k.length; i++) block[i] = block[i]! ^ k[i]!;
    const state = INITIAL.slice();
    compress(state, block, 0, BLOCK);
    return state;
  };
  const inner = pad(0x36);
  const outer = pad(0x5c);
  const state = new Int32Array(8);
  let scratch = new Uint8Array(256);
  return (text) => {
    // A UTF-8 character takes at most 3 bytes per UTF-16 unit; room for the padding after it.
    if (scratch.length < text.length * 3 + 72) scratch = new Uint8Array(text.length * 3 + 72);
    const written = ascii(text, scratch) ?? encoder.encodeInto(text, scratch).written;
    state.set(inner);
    finish(state, BLOCK, scratch, written);
    for (let i = 0; i < 8; i++) putWord(scratch, 4 * i, state[i]!);
    state.set(outer);
    finish(state, BLOCK, scratch, 32);
    let hex = '';
    for (let i = 0; i < bytes; i++) hex += HEX[(state[i >> 2]! >>> (24 - 8 * (i & 3))) & 0xff];
    return hex;
  };
}

function digestBytes(state: Int32Array): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) putWord(out, 4 * i, state[i]!);
  return out;
}
