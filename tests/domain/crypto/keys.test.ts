import { createHash, createHmac } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { SUITES, detectSuite, supportsSuite, type KeyAlg } from '../../../src/domain/crypto/algorithms.ts';
import { fromHex, toBase64url, toHex, utf8 } from '../../../src/domain/crypto/bytes.ts';
import { generateKeyPair, keyPairOf, publicKeyFromRaw, readPublicKey } from '../../../src/domain/crypto/keys.ts';
import { OP_KEY_CONTEXT, agree } from '../../../src/domain/crypto/pair-keys.ts';
import { RFC6979, RFC7748, RFC8032, ed25519Pair, p256Pair, x25519Pair } from './fixtures.ts';

const subtle = globalThis.crypto.subtle;

describe('suites', () => {
  test('Node 20 here makes X25519 and Ed25519 keys, and P-256 ones for the fallback', async () => {
    expect(await detectSuite()).toBe('x25519-ed25519');
    expect(await supportsSuite('p256')).toBe(true);
  });
});

describe('key pairs', () => {
  test.each(['x25519', 'p256-ecdh', 'ed25519', 'p256-ecdsa'] as KeyAlg[])(
    'a new %s key pair travels as text and comes back the same key',
    async (alg) => {
      const pair = await generateKeyPair(alg);
      expect(pair.publicKey.text).toMatch(new RegExp(`^${alg}:[A-Za-z0-9_-]+$`));
      const role = alg === 'x25519' || alg === 'p256-ecdh' ? 'agreement' : 'signing';
      const read = await readPublicKey(pair.publicKey.text, role);
      expect(read.ok && toHex(read.key.raw)).toBe(toHex(pair.publicKey.raw));
      expect(read.ok && read.key.fingerprint).toBe(pair.publicKey.fingerprint);
    },
  );

  test('an imported RFC 8032 key signs exactly the published signatures, and its public key verifies them', async () => {
    for (const v of RFC8032) {
      const pair = await ed25519Pair(v.secret, v.public);
      const sig = await subtle.sign({ name: 'Ed25519' }, pair.privateKey, fromHex(v.message));
      expect(toHex(new Uint8Array(sig))).toBe(v.signature);
      expect(await subtle.verify({ name: 'Ed25519' }, pair.publicKey.key, fromHex(v.signature), fromHex(v.message))).toBe(true);
    }
  });

  test('the RFC 6979 P-256 public key verifies its published ECDSA signatures, and not a changed one', async () => {
    const pair = await p256Pair('p256-ecdsa');
    const verify = (sig: string, msg: string) =>
      subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, pair.publicKey.key, fromHex(sig), utf8(msg));
    expect(await verify(RFC6979.sample, 'sample')).toBe(true);
    expect(await verify(RFC6979.test, 'test')).toBe(true);
    expect(await verify(RFC6979.test, 'sample')).toBe(false);
  });

  test('agreement between the RFC 7748 keys gives the published shared secret, both ways', async () => {
    const alice = await x25519Pair(RFC7748.alicePrivate, RFC7748.alicePublic);
    const bob = await x25519Pair(RFC7748.bobPrivate, RFC7748.bobPublic);
    // agree() hands back HKDF's pseudorandom key as an HMAC key, never the secret: compare what it
    // makes of a message with the same from the published secret, through node:crypto.
    const prk = createHmac('sha256', OP_KEY_CONTEXT).update(fromHex(RFC7748.shared)).digest();
    const expected = createHmac('sha256', prk).update('check').digest('hex');
    for (const key of [await agree(alice, bob.publicKey), await agree(bob, alice.publicKey)]) {
      expect(toHex(new Uint8Array(await subtle.sign('HMAC', key, utf8('check'))))).toBe(expected);
    }
  });

  test('a private key cannot be paired with a public key of another algorithm', async () => {
    const ed = await generateKeyPair('ed25519');
    const x = await generateKeyPair('x25519');
    expect(() => keyPairOf(ed.privateKey, x.publicKey)).toThrow(TypeError);
    expect(keyPairOf(x.privateKey, x.publicKey).alg).toBe('x25519');
  });
});

describe('reading public keys that arrived', () => {
  test('the fingerprint is the SHA-256 of the raw key bytes (checked against node:crypto)', async () => {
    const key = await publicKeyFromRaw('x25519', fromHex(RFC7748.alicePublic));
    expect(key.fingerprint).toBe(createHash('sha256').update(fromHex(RFC7748.alicePublic)).digest('base64url'));
    expect(key.kid).toBe(key.fingerprint.slice(0, 12));
    expect(key.text).toBe(`x25519:${toBase64url(fromHex(RFC7748.alicePublic))}`);
  });

  test('anything but a well-formed key of the expected role is refused with a reason, never thrown', async () => {
    const x = (await generateKeyPair('x25519')).publicKey.text;
    const ed = (await generateKeyPair('ed25519')).publicKey.text;
    const p = (await generateKeyPair('p256-ecdh')).publicKey.text;
    const offCurve = `p256-ecdh:${toBase64url(fromHex('04' + '11'.repeat(64)))}`;
    const cases: unknown[] = [
      ed, // a signing key offered as an agreement key
      x.replace('x25519:', 'ed25519:'),
      x.replace('x25519:', 'x448:'),
      x.slice(0, -2),
      x + 'AA',
      x.replace(':', ''),
      x.slice(0, -1) + '=',
      p.slice(0, -2),
      offCurve,
      '',
      null,
      42,
      { text: x },
      'x25519:' + 'A'.repeat(300),
    ];
    for (const c of cases) expect(await readPublicKey(c, 'agreement'), String(c)).toEqual({ ok: false, reason: 'err.key.invalid' });
    expect((await readPublicKey(x, 'signing')).ok).toBe(false);
    expect((await readPublicKey(ed, 'signing')).ok).toBe(true);
  });

  test('the fallback suite uses P-256 for both agreement and signing', () => {
    expect(SUITES.p256).toEqual({ agreement: 'p256-ecdh', signing: 'p256-ecdsa' });
  });
});
