import { createCipheriv, hkdfSync } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { fromHex, toHex } from '../../../src/domain/crypto/bytes.ts';
import { generateKeyPair, publicKeyFromRaw } from '../../../src/domain/crypto/keys.ts';
import { OP_KEY_CONTEXT, PairKeyCache, agree, opKeyInfo, opWrappingKey } from '../../../src/domain/crypto/pair-keys.ts';
import { HEADER, RFC7748, x25519Pair } from './fixtures.ts';
import { opId } from '../../ids.ts';
import type { KeyId } from '../../../src/domain/ids.ts';

const subtle = globalThis.crypto.subtle;

describe('the per-op wrapping key', () => {
  test('is HKDF-SHA-256 of the shared secret, with the direction and the op id as info (checked against node:crypto)', async () => {
    const alice = await x25519Pair(RFC7748.alicePrivate, RFC7748.alicePublic);
    const bob = await x25519Pair(RFC7748.bobPrivate, RFC7748.bobPublic);
    const kek = await opWrappingKey(await agree(alice, bob.publicKey), HEADER.id, alice.publicKey.kid, bob.publicKey.kid);
    const contentKey = await subtle.importKey('raw', fromHex('11'.repeat(32)), 'AES-GCM', true, ['encrypt']);
    const wrapped = new Uint8Array(await subtle.wrapKey('raw', contentKey, kek, 'AES-KW'));

    // The same from the published shared secret, with node:crypto's HKDF and AES key wrap.
    const info = opKeyInfo(alice.publicKey.kid, bob.publicKey.kid, HEADER.id);
    const okm = Buffer.from(hkdfSync('sha256', fromHex(RFC7748.shared), OP_KEY_CONTEXT, info, 32));
    const kw = createCipheriv('id-aes256-wrap', okm, Buffer.from('a6a6a6a6a6a6a6a6', 'hex'));
    const expected = Buffer.concat([kw.update(fromHex('11'.repeat(32))), kw.final()]);
    expect(toHex(wrapped)).toBe(expected.toString('hex'));
    expect(toHex(wrapped)).toBe('ace1d068c4810b00491333fe851a24f3de75b5609ee320ea43092a16a178bcb3b8951c3bf7a7e672');
  });

  test('differs by op and by direction', async () => {
    const alice = await x25519Pair(RFC7748.alicePrivate, RFC7748.alicePublic);
    const bob = await x25519Pair(RFC7748.bobPrivate, RFC7748.bobPublic);
    const pair = await agree(alice, bob.publicKey);
    const contentKey = await subtle.importKey('raw', fromHex('22'.repeat(32)), 'AES-GCM', true, ['encrypt']);
    const wrapWith = async (id: string, from: KeyId, to: KeyId) =>
      toHex(new Uint8Array(await subtle.wrapKey('raw', contentKey, await opWrappingKey(pair, opId(id), from, to), 'AES-KW')));
    const a = alice.publicKey.kid;
    const b = bob.publicKey.kid;
    const base = await wrapWith(HEADER.id, a, b);
    expect(await wrapWith(HEADER.id, a, b)).toBe(base);
    expect(await wrapWith('0195781a-3c00-7abc-8def-0123456789ac', a, b)).not.toBe(base);
    expect(await wrapWith(HEADER.id, b, a)).not.toBe(base);
  });
});

describe('the cache of key agreements', () => {
  test('agrees once per pair of keys, however many ops and however concurrent', async () => {
    const me = await generateKeyPair('x25519');
    const authors = await Promise.all([1, 2, 3].map(() => generateKeyPair('x25519')));
    const cache = new PairKeyCache();
    const gets = authors.flatMap((a) => Array.from({ length: 20 }, () => cache.get(me, a.publicKey)));
    const keys = await Promise.all(gets);
    expect(cache.size).toBe(3);
    expect(new Set(keys).size).toBe(3);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  test('refuses keys on different curves, and does not keep the failure', async () => {
    const cache = new PairKeyCache();
    const x = await generateKeyPair('x25519');
    const p = await generateKeyPair('p256-ecdh');
    await expect(cache.get(x, p.publicKey)).rejects.toThrow(TypeError);
    await Promise.resolve();
    expect(cache.size).toBe(0);
  });

  test('refuses an X25519 public key of small order (an all-zero secret)', async () => {
    const me = await generateKeyPair('x25519');
    const zero = await publicKeyFromRaw('x25519', new Uint8Array(32));
    await expect(agree(me, zero)).rejects.toThrow();
  });

  test('P-256 agreement gives the same secret both ways', async () => {
    const a = await generateKeyPair('p256-ecdh');
    const b = await generateKeyPair('p256-ecdh');
    const ab = new Uint8Array(await subtle.sign('HMAC', await agree(a, b.publicKey), new Uint8Array(1)));
    const ba = new Uint8Array(await subtle.sign('HMAC', await agree(b, a.publicKey), new Uint8Array(1)));
    expect(toHex(ab)).toBe(toHex(ba));
  });
});
