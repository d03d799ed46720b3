/**
 * Bytes and their text forms for the crypto core: base64url (how keys, IVs and ciphertext travel
 * in JSON), UTF-8, and a comparison that takes the same time wherever two values differ.
 *
 * Written on atob/btoa and TextEncoder so the same code runs in the phone's browser and in Node.
 */

/**
 * Bytes backed by a plain ArrayBuffer: what WebCrypto takes as a BufferSource. A bare `Uint8Array`
 * may sit on a SharedArrayBuffer, which WebCrypto refuses, so the core passes this type around.
 */
export type Bytes = Uint8Array<ArrayBuffer>;

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

export function utf8(text: string): Bytes {
  return encoder.encode(text);
}

/** UTF-8 bytes to text, or null when they are not valid UTF-8 (never a replacement character). */
export function fromUtf8(bytes: Uint8Array): string | null {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return null;
  }
}

/** A copy on a fresh ArrayBuffer: for bytes from elsewhere (hash-wasm, an injected random source). */
export function ownBytes(bytes: Uint8Array): Bytes {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The platform's own base64 (Chromium has it since version 140; Node 20 does not): a phone spells
 * several values of each op it seals, and in JavaScript that took about 200 ms of a 5 s push of
 * 3,000 reports.
 */
const native = {
  to: (Uint8Array.prototype as { toBase64?: (this: Uint8Array, options: { alphabet: 'base64url'; omitPadding: true }) => string }).toBase64,
  from: (Uint8Array as { fromBase64?: (text: string, options: { alphabet: 'base64url' }) => Bytes }).fromBase64,
};

export function toBase64url(bytes: Uint8Array): string {
  if (native.to) return native.to.call(bytes, { alphabet: 'base64url', omitPadding: true });
  let binary = '';
  // In slices: a whole body as arguments overflows the stack.
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * base64url without padding, or null. Only the one canonical spelling of some bytes is accepted:
 * a loose decoder ignores the unused low bits of the last character, so two spellings would decode
 * to the same signature or ciphertext, and a changed character would go unnoticed.
 */
export function fromBase64url(text: string): Bytes | null {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return null;
  // The last character of a 2- or 3-character group carries 4 or 2 bits that must be zero.
  const unused = text.length % 4 === 2 ? 0x0f : text.length % 4 === 3 ? 0x03 : 0;
  if (unused && ALPHABET.indexOf(text[text.length - 1]!) & unused) return null;
  // Only the canonical spelling gets here: the platform's decoder, which takes looser ones, sees no other.
  if (native.from) return native.from(text, { alphabet: 'base64url' });
  let binary: string;
  try {
    binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    return null;
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function fromHex(hex: string): Bytes {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) throw new RangeError('not hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * Whether two byte strings are equal, looking at every byte whatever the first difference, so the
 * time taken does not tell an attacker how many leading bytes were right. Lengths are not secret.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export async function sha256(bytes: Bytes): Promise<Bytes> {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes));
}
