/**
 * Pseudonymous report ids for partner exports: HMAC-SHA-256 of the report id under a key held per
 * partner profile (WebCrypto, in browsers, workers and Node alike). The same id and key always give
 * the same pseudonym, so a partner can match a corrected row to the one it replaces; two partners
 * hold different keys, so their files cannot be joined on the id; a coordinator rotates a key by
 * replacing it, after which the partner's old pseudonyms no longer match.
 *
 * Keys are made by the caller's random source and stored in the profile as base64url text.
 */
import { fromBase64url, toBase64url } from '../domain/crypto/bytes.ts';
import type { RandomBytes } from '../domain/ids.ts';
import { hmacSha256 } from './hmac-sha256.ts';

/** 256 bits: the HMAC-SHA-256 block is larger, the hash output is this. */
export const PSEUDONYM_KEY_BYTES = 32;
/** 128 bits of the MAC, as hex: no collision in any real deployment, short enough for a spreadsheet. */
const PSEUDONYM_BYTES = 16;

export const PSEUDONYM_KEY_PATTERN = /^[A-Za-z0-9_-]{43,}$/;

export function newPseudonymKey(random: RandomBytes): string {
  return toBase64url(random(PSEUDONYM_KEY_BYTES));
}

/**
 * Imported once per export: importing per row would cost more than the MACs themselves. A key that
 * is not base64url as newPseudonymKey spells it is refused as damaged (the profile's catalog key).
 */
export async function importPseudonymKey(key: string): Promise<CryptoKey> {
  const raw = fromBase64url(key);
  if (!raw) throw new Error('err.profile.key');
  return crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

const encoder = new TextEncoder();

export async function pseudonymOf(key: CryptoKey, reportId: string): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(reportId)));
  let hex = '';
  for (let i = 0; i < PSEUDONYM_BYTES; i++) hex += mac[i]!.toString(16).padStart(2, '0');
  return hex;
}

/**
 * Pseudonyms for many ids at once, as a lookup the (synchronous) row shaping can use: the same MAC
 * as pseudonymOf, computed here without a promise per id (hmac-sha256.ts). The key is refused as
 * importPseudonymKey refuses it.
 */
export function pseudonymsOf(key: string, reportIds: Iterable<string>): Map<string, string> {
  const raw = fromBase64url(key);
  if (!raw) throw new Error('err.profile.key');
  const mac = hmacSha256(raw, PSEUDONYM_BYTES);
  const known = new Map<string, string>();
  for (const id of reportIds) if (!known.has(id)) known.set(id, mac(id));
  return known;
}
