import { createDecipheriv } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { canonicalJson } from '../../../src/domain/canonical-json.ts';
import { fromBase64url, fromHex, toBase64url, toHex, utf8 } from '../../../src/domain/crypto/bytes.ts';
import { generateKeyPair, type KeyPair } from '../../../src/domain/crypto/keys.ts';
import { ARGON2ID_DEFAULT, ARGON2ID_FLOOR, argon2idBytes, passphraseBytes } from '../../../src/domain/crypto/passphrase.ts';
import { agree } from '../../../src/domain/crypto/pair-keys.ts';
import {
  newDataKey,
  unwrapWithKey,
  unwrapWithPassphrase,
  wrapUnderKey,
  wrapUnderPassphrase,
  type WrappedKey,
} from '../../../src/domain/crypto/wrapped-key.ts';
import { signOp, checkOpSignature } from '../../../src/domain/op/signature.ts';
import type { KeyAlg } from '../../../src/domain/crypto/algorithms.ts';
import { BODY, HEADER, scriptedRandom } from './fixtures.ts';

const subtle = globalThis.crypto.subtle;
const PASS = 'صباح الخير 2025';
const FLOOR = { params: ARGON2ID_FLOOR };
const WRONG = { ok: false, reason: 'err.passphrase.wrong' };
const MALFORMED = { ok: false, reason: 'err.wrappedKey.malformed' };
const FAILED = { ok: false, reason: 'err.wrappedKey.failed' };

async function wrapped(key: CryptoKey, passphrase = PASS): Promise<WrappedKey> {
  const r = await wrapUnderPassphrase(key, passphrase, FLOOR);
  if (!r.ok) throw new Error(r.reason);
  return r.wrapped;
}

/** Whether two AES-GCM keys are the same key: one decrypts what the other encrypted. */
async function sameAesKey(a: CryptoKey, b: CryptoKey): Promise<boolean> {
  const iv = new Uint8Array(12);
  const ct = await subtle.encrypt({ name: 'AES-GCM', iv }, a, utf8('x'));
  return subtle.decrypt({ name: 'AES-GCM', iv }, b, ct).then(
    () => true,
    () => false,
  );
}

function withByteFlipped(text: string, i: number): string {
  const bytes = fromBase64url(text)!;
  bytes[i]! ^= 1 << (i % 8);
  return toBase64url(bytes);
}

describe('a data key wrapped under a passphrase', () => {
  test('fixed key, salt and IV give these bytes (AES-GCM part checked against node:crypto)', async () => {
    const dataKey = await newDataKey(scriptedRandom('42'.repeat(32)));
    const r = await wrapUnderPassphrase(dataKey, PASS, {
      params: ARGON2ID_FLOOR,
      random: scriptedRandom('a1'.repeat(16), 'b2'.repeat(12)),
    });
    expect(r.ok && r.wrapped).toEqual({
      v: 1,
      kind: 'aes-gcm-256',
      kdf: { alg: 'argon2id', m: 19456, t: 2, p: 1, salt: toBase64url(fromHex('a1'.repeat(16))) },
      iv: toBase64url(fromHex('b2'.repeat(12))),
      ct: 'nLKGXuU2Dr4xkTZN3DyuGUvwgRyEN4QVU2-tk4hLCujAorzQHuu6sbjaUN1ExOTi',
    });
    // Decrypt it apart: Argon2id (KAT-checked in primitives.test.ts), then node:crypto's AES-GCM
    // with the canonical JSON of every other field as associated data.
    const blob = (r as { wrapped: WrappedKey }).wrapped;
    const kek = await argon2idBytes(passphraseBytes(PASS), fromHex('a1'.repeat(16)), ARGON2ID_FLOOR);
    const ct = fromBase64url(blob.ct)!;
    const d = createDecipheriv('aes-256-gcm', kek, fromHex('b2'.repeat(12)));
    d.setAAD(utf8(canonicalJson({ ...blob, ct: undefined })));
    d.setAuthTag(ct.subarray(32));
    expect(Buffer.concat([d.update(ct.subarray(0, 32)), d.final()]).toString('hex')).toBe('42'.repeat(32));
  });

  test('the passphrase unwraps the same key, not extractable, and flags weak parameters for re-wrapping', async () => {
    const dataKey = await newDataKey();
    const r = await unwrapWithPassphrase(await wrapped(dataKey), PASS);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.kind).toBe('aes-gcm-256');
    expect(r.key.extractable).toBe(false);
    expect(r.rewrap).toBe(true);
    expect(await sameAesKey(dataKey, r.key)).toBe(true);
  });

  test('under the default parameters there is nothing to re-wrap', async () => {
    const r = await wrapUnderPassphrase(await newDataKey(), PASS);
    expect(r.ok && r.wrapped.kdf).toMatchObject(ARGON2ID_DEFAULT);
    const u = await unwrapWithPassphrase(r.ok && r.wrapped, PASS);
    expect(u.ok && u.rewrap).toBe(false);
  });

  test('a wrong passphrase gives a typed error, never a key', async () => {
    const blob = await wrapped(await newDataKey());
    for (const wrong of ['صباح الخير 2024', PASS + ' ', 'password1', PASS.toUpperCase() + 'x']) {
      expect(await unwrapWithPassphrase(blob, wrong)).toEqual(WRONG);
    }
  });

  test('the same passphrase typed in another Unicode form unwraps (NFC)', async () => {
    const composed = 'caf\u00e9 au lait';
    const decomposed = 'cafe\u0301 au lait';
    const blob = await wrapped(await newDataKey(), composed);
    expect((await unwrapWithPassphrase(blob, decomposed)).ok).toBe(true);
  });

  test('a passphrase under 8 characters is refused; 8 Arabic letters are enough', async () => {
    expect(await wrapUnderPassphrase(await newDataKey(), '1234567', FLOOR)).toEqual({ ok: false, reason: 'err.passphrase.tooShort' });
    expect((await wrapUnderPassphrase(await newDataKey(), 'كلمةسرية', FLOOR)).ok).toBe(true);
  });

  test('parameters below the floor are never written', async () => {
    await expect(wrapUnderPassphrase(await newDataKey(), PASS, { params: { m: 1024, t: 2, p: 1 } })).rejects.toThrow(RangeError);
  });

  describe('changing a byte of the ciphertext, IV or salt, a parameter, or the kind makes unwrapping fail', () => {
    // One blob, each change its own test: every unwrap runs Argon2id.
    let blob: WrappedKey;
    beforeAll(async () => {
      blob = await wrapped(await newDataKey());
    });
    const CHANGES: [string, (b: WrappedKey) => WrappedKey][] = [
      ...[0, 17, 31, 32, -1].map((i): [string, (b: WrappedKey) => WrappedKey] => [
        `ciphertext byte ${i}`,
        (b) => ({ ...b, ct: withByteFlipped(b.ct, i < 0 ? fromBase64url(b.ct)!.length + i : i) }),
      ]),
      ...[0, 5, 11].map((i): [string, (b: WrappedKey) => WrappedKey] => [`IV byte ${i}`, (b) => ({ ...b, iv: withByteFlipped(b.iv, i) })]),
      ...[0, 15].map((i): [string, (b: WrappedKey) => WrappedKey] => [
        `salt byte ${i}`,
        (b) => ({ ...b, kdf: { ...b.kdf!, salt: withByteFlipped(b.kdf!.salt, i) } }),
      ]),
      ['passes t + 1', (b) => ({ ...b, kdf: { ...b.kdf!, t: 3 } })],
      ['memory m + 1 MiB', (b) => ({ ...b, kdf: { ...b.kdf!, m: b.kdf!.m + 1024 } })],
      ['the kind', (b) => ({ ...b, kind: 'x25519' })],
    ];
    test.each(CHANGES)('%s', async (_, change) => {
      expect((await unwrapWithPassphrase(change(blob), PASS)).ok).toBe(false);
    });
    test('and the blob as written still unwraps', async () => {
      expect((await unwrapWithPassphrase(blob, PASS)).ok).toBe(true);
    });
  });

  test('parameters outside the floor and ceiling, and other malformed blobs, are refused before any work', async () => {
    const blob = await wrapped(await newDataKey());
    const bad: unknown[] = [
      { ...blob, kdf: { ...blob.kdf!, m: 8 } },
      { ...blob, kdf: { ...blob.kdf!, t: 1 } },
      { ...blob, kdf: { ...blob.kdf!, m: 64 * 1024 * 1024 } },
      { ...blob, kdf: { ...blob.kdf!, t: 1000 } },
      { ...blob, kdf: { ...blob.kdf!, salt: 'AAAA' } },
      { ...blob, kdf: undefined },
      { ...blob, v: 2 },
      { ...blob, iv: blob.iv + 'AA' },
      { ...blob, ct: blob.ct.slice(0, 20) },
      { ...blob, ct: blob.ct + '=' },
      { ...blob, pub: (await generateKeyPair('x25519')).publicKey.text },
      null,
      'blob',
    ];
    for (const b of bad) expect(await unwrapWithPassphrase(b, PASS), JSON.stringify(b)).toEqual(MALFORMED);
  });

  test('whatever is stored in place of a blob gives a reason, never an exception', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (junk) => {
        expect((await unwrapWithPassphrase(junk, PASS)).ok).toBe(false);
        expect((await unwrapWithKey(junk, await newDataKey())).ok).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});

describe('private keys wrapped under the data key', () => {
  async function works(alg: KeyAlg, original: KeyPair, privateKey: CryptoKey): Promise<boolean> {
    if (alg === 'x25519' || alg === 'p256-ecdh') {
      const other = await generateKeyPair(alg);
      const a = await subtle.sign('HMAC', await agree({ ...original, privateKey } as never, other.publicKey), new Uint8Array(1));
      const b = await subtle.sign('HMAC', await agree(other, original.publicKey as never), new Uint8Array(1));
      return toHex(new Uint8Array(a)) === toHex(new Uint8Array(b));
    }
    const sig = await signOp({ ...original, privateKey } as never, HEADER, canonicalJson(BODY));
    return (await checkOpSignature(original.publicKey as never, HEADER, canonicalJson(BODY), sig)).ok;
  }

  test.each(['x25519', 'p256-ecdh', 'ed25519', 'p256-ecdsa'] as KeyAlg[])(
    'a %s private key unwraps into a working, non-extractable key with its public half',
    async (alg) => {
      const pair = await generateKeyPair(alg);
      const dataKey = await newDataKey();
      const blob = await wrapUnderKey(pair.privateKey, dataKey, { publicKey: pair.publicKey });
      expect(blob.kind).toBe(alg);
      expect(blob.kdf).toBeUndefined();
      const r = await unwrapWithKey(blob, dataKey);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.publicKey?.text).toBe(pair.publicKey.text);
      expect(r.key.extractable).toBe(false);
      await expect(subtle.exportKey('pkcs8', r.key)).rejects.toThrow();
      expect(await works(alg, pair, r.key)).toBe(true);
    },
  );

  test('the stored blob holds no private key bytes in clear', async () => {
    const pair = await generateKeyPair('x25519');
    const pkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey));
    const secret = toHex(pkcs8.subarray(pkcs8.length - 32));
    const blob = await wrapUnderKey(pair.privateKey, await newDataKey(), { publicKey: pair.publicKey });
    expect(toHex(fromBase64url(blob.ct)!)).not.toContain(secret);
    expect(JSON.stringify(blob)).not.toContain(toBase64url(pkcs8.subarray(pkcs8.length - 32)));
  });

  test('another data key, any changed byte, or a swapped public half fails with a typed reason', async () => {
    const pair = await generateKeyPair('ed25519');
    const dataKey = await newDataKey();
    const blob = await wrapUnderKey(pair.privateKey, dataKey, { publicKey: pair.publicKey });
    expect(await unwrapWithKey(blob, await newDataKey())).toEqual(FAILED);
    const ctLen = fromBase64url(blob.ct)!.length;
    for (let i = 0; i < ctLen; i++)
      expect(await unwrapWithKey({ ...blob, ct: withByteFlipped(blob.ct, i) }, dataKey), `ct byte ${i}`).toEqual(FAILED);
    for (let i = 0; i < 12; i++)
      expect(await unwrapWithKey({ ...blob, iv: withByteFlipped(blob.iv, i) }, dataKey), `iv byte ${i}`).toEqual(FAILED);
    const impostor = await generateKeyPair('ed25519');
    expect(await unwrapWithKey({ ...blob, pub: impostor.publicKey.text }, dataKey)).toEqual(FAILED);
    expect(await unwrapWithKey(blob, dataKey)).toMatchObject({ ok: true });
  });

  test('unlock: the passcode unwraps the data key, which unwraps the private keys', async () => {
    const dataKey = await newDataKey();
    const signing = await generateKeyPair('ed25519');
    const stored = {
      dataKey: await wrapped(dataKey),
      signing: await wrapUnderKey(signing.privateKey, dataKey, { publicKey: signing.publicKey }),
    };
    const unlocked = await unwrapWithPassphrase(stored.dataKey, PASS);
    expect(unlocked.ok).toBe(true);
    const key = await unwrapWithKey(stored.signing, (unlocked as { key: CryptoKey }).key);
    expect(key.ok && (await works('ed25519', signing, key.key))).toBe(true);
    // A blob under a key is not a passphrase blob, nor the reverse.
    expect(await unwrapWithPassphrase(stored.signing, PASS)).toEqual(MALFORMED);
    expect(await unwrapWithKey(stored.dataKey, dataKey)).toEqual(MALFORMED);
  });
});
