import { describe, expect, test } from 'vitest';
import { fromHex } from '../../../src/domain/crypto/bytes.ts';
import { checkFingerprint, deviceKeysFingerprint, shortFingerprint } from '../../../src/domain/crypto/fingerprint.ts';
import { generateKeyPair, publicKeyFromRaw, readPinnedKey } from '../../../src/domain/crypto/keys.ts';
import { RFC7748 } from './fixtures.ts';
import type { Fingerprint } from '../../../src/domain/ids.ts';
import { fingerprint } from '../../ids.ts';

describe('fingerprints', () => {
  test('the RFC 7748 Alice key has this fingerprint and short form', async () => {
    const alice = await publicKeyFromRaw('x25519', fromHex(RFC7748.alicePublic));
    // SHA-256(8520f009...4e6a) = 300c9c96...25ae (computed apart, with node:crypto); the short form is
    // its first 80 bits in Crockford base32.
    expect(alice.fingerprint).toBe('MAyclgO5Kks57TlYv5JAEUgE20_TcwEsDKR0MtY0Ja4');
    expect(shortFingerprint(alice.fingerprint)).toBe('6069-S5G3-Q4N4-PEFD');
  });

  test('the short form has no letters people confuse (I, L, O, U)', async () => {
    for (let i = 0; i < 20; i++) {
      const { publicKey } = await generateKeyPair('x25519');
      expect(shortFingerprint(publicKey.fingerprint)).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    }
  });

  test('a key matches its own fingerprint and no other', async () => {
    const a = await publicKeyFromRaw('x25519', fromHex(RFC7748.alicePublic));
    const b = await publicKeyFromRaw('x25519', fromHex(RFC7748.bobPublic));
    expect(checkFingerprint(a.fingerprint, a.fingerprint)).toEqual({ ok: true });
    expect(checkFingerprint(a.fingerprint, b.fingerprint)).toEqual({ ok: false, reason: 'err.key.fingerprintMismatch' });
    // What the type refuses (no fingerprint, a key id, a short fingerprint) is refused at run time too.
    expect(checkFingerprint('' as Fingerprint, a.fingerprint).ok).toBe(false);
    expect(checkFingerprint(a.fingerprint.slice(0, 12) as Fingerprint, a.fingerprint).ok).toBe(false);
    expect(checkFingerprint(shortFingerprint(a.fingerprint) as Fingerprint, a.fingerprint).ok).toBe(false);
  });
});

describe('the deployment key pinned by the enrollment QR code', () => {
  test('the key whose fingerprint the QR code carries is accepted', async () => {
    const deployment = await generateKeyPair('x25519');
    const read = await readPinnedKey(deployment.publicKey.text, deployment.publicKey.fingerprint);
    expect(read.ok && read.key.text).toBe(deployment.publicKey.text);
  });

  test('a key substituted by a hostile server is refused', async () => {
    const deployment = await generateKeyPair('x25519');
    const substitute = await generateKeyPair('x25519');
    expect(await readPinnedKey(substitute.publicKey.text, deployment.publicKey.fingerprint)).toEqual({
      ok: false,
      reason: 'err.key.fingerprintMismatch',
    });
  });

  test('a fingerprint changed in any one character refuses the right key', async () => {
    const deployment = await generateKeyPair('x25519');
    const fp = deployment.publicKey.fingerprint;
    for (let i = 0; i < fp.length; i++) {
      const changed = fp.slice(0, i) + (fp[i] === 'A' ? 'B' : 'A') + fp.slice(i + 1);
      expect((await readPinnedKey(deployment.publicKey.text, fingerprint(changed))).ok).toBe(false);
    }
  });

  test('a signing key cannot stand in for the deployment key, even with its own fingerprint', async () => {
    const signing = await generateKeyPair('ed25519');
    expect(await readPinnedKey(signing.publicKey.text, signing.publicKey.fingerprint)).toEqual({ ok: false, reason: 'err.key.invalid' });
  });
});

describe("a device's key fingerprint, read aloud between coordinator and monitor", () => {
  test('is the same for the same keys, in the short form, and differs when either key differs', async () => {
    const [agreement, signing, other] = await Promise.all([
      generateKeyPair('x25519'),
      generateKeyPair('ed25519'),
      generateKeyPair('ed25519'),
    ]);
    const keys = { agreement: agreement.publicKey.text, signing: signing.publicKey.text };
    const print = await deviceKeysFingerprint(keys);
    expect(print).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    expect(await deviceKeysFingerprint({ ...keys })).toBe(print);
    expect(await deviceKeysFingerprint({ ...keys, signing: other.publicKey.text })).not.toBe(print);
    const otherAgreement = await generateKeyPair('x25519');
    expect(await deviceKeysFingerprint({ ...keys, agreement: otherAgreement.publicKey.text })).not.toBe(print);
  });
});
