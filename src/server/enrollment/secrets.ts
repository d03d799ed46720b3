/**
 * The secrets of enrollment: one-time codes and device tokens. Both are random, sent once, and
 * kept by the server only as their SHA-256, so a copy of the database lets no one enroll or sync.
 * A plain hash is enough (no salt, no slow KDF): the secrets have 128 bits or more of randomness,
 * so there is nothing to guess from the hash.
 */
import { createHash } from 'node:crypto';
import type { RandomBytes } from '../../domain/ids.ts';

/** 128 bits: the least the design allows, and still short enough to type from a screen (22 characters). */
export const CODE_BYTES = 16;
/** 256 bits: a token is never typed, so there is no reason to be short. */
export const TOKEN_BYTES = 32;

export function randomSecret(random: RandomBytes, bytes: number): string {
  return Buffer.from(random(bytes)).toString('base64url');
}

export function secretHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
