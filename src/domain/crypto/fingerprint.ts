/**
 * Fingerprints of public keys: SHA-256 of the raw public key bytes.
 *
 * The enrollment QR code carries the deployment key's full fingerprint, and a device refuses a key
 * from the server whose fingerprint differs: a hostile server cannot hand out its own key. People
 * compare the short form by eye (reading it aloud over a phone call, say).
 */
import { fingerprintSchema, keyIdSchema } from '../id-schemas.ts';
import type { Fingerprint, KeyId } from '../ids.ts';
import { constantTimeEqual, fromBase64url, sha256, toBase64url, type Bytes } from './bytes.ts';

export const FINGERPRINT_MISMATCH = 'err.key.fingerprintMismatch';

/** The full fingerprint, base64url (43 characters): what a QR code carries and machines compare. */
export async function fingerprintOf(raw: Bytes): Promise<Fingerprint> {
  return fingerprintSchema.parse(toBase64url(await sha256(raw)));
}

/**
 * A key id: the first 9 bytes of the fingerprint (12 characters). It only names which key a sealed
 * op was wrapped to or from, so a reader finds its entry without trying each; nothing trusts it.
 */
export function keyIdOf(fingerprint: Fingerprint): KeyId {
  return keyIdSchema.parse(fingerprint.slice(0, 12));
}

// Crockford's base32: no I, L, O or U, so what is read aloud or typed is not misread.
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The short form for eyes: the first 80 bits of the fingerprint as four groups of four Crockford
 * base32 characters, e.g. `7KQ2-M9XD-4RTA-0BEW`. Finding another key with the same 80 bits costs
 * about 2^80 tries. Machines compare the full fingerprint. It takes text and gives text: it shows
 * whatever fingerprint a screen holds (the base's answer included), and people compare the result.
 */
export function shortFingerprint(fingerprint: string): string {
  const bytes = fromBase64url(fingerprint);
  if (!bytes || bytes.length < 10) throw new RangeError('not a fingerprint');
  let bits = 0n;
  for (const b of bytes.subarray(0, 10)) bits = (bits << 8n) | BigInt(b);
  let out = '';
  for (let i = 15; i >= 0; i--) out += CROCKFORD[Number((bits >> BigInt(5 * i)) & 31n)];
  return out.match(/.{4}/g)!.join('-');
}

export type FingerprintCheck = { ok: true } | { ok: false; reason: typeof FINGERPRINT_MISMATCH };

/** Whether a key's fingerprint is the expected one (as the QR code carried it). */
export function checkFingerprint(expected: Fingerprint, actual: Fingerprint): FingerprintCheck {
  const a = fromBase64url(expected);
  const b = fromBase64url(actual);
  return a && b && a.length === 32 && constantTimeEqual(a, b) ? { ok: true } : { ok: false, reason: FINGERPRINT_MISMATCH };
}

/**
 * One short fingerprint for a device's two public keys (agreement and signing, as they travel), so a
 * coordinator can read the one the Devices screen shows to the monitor holding the phone, whose
 * Settings show the same: what the base reported at enrollment is then checked against the phone.
 */
export async function deviceKeysFingerprint(keys: { agreement: string; signing: string }): Promise<string> {
  const text = JSON.stringify({ agreement: keys.agreement, signing: keys.signing });
  return shortFingerprint(toBase64url(await sha256(new TextEncoder().encode(text))));
}
