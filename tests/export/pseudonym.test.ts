import { describe, expect, test } from 'vitest';
import { toBase64url } from '../../src/domain/crypto/bytes.ts';
import { UUID_PATTERN } from '../../src/domain/ids.ts';
import { importPseudonymKey, newPseudonymKey, pseudonymOf, pseudonymsOf } from '../../src/export/pseudonym.ts';

const ID = '01957a3c-1f00-7000-8000-0000000000a1';
const OTHER = '01957a3c-1f00-7000-8000-0000000000a2';
const keyA = toBase64url(new Uint8Array(32).fill(7));
const keyB = toBase64url(new Uint8Array(32).fill(8));

describe('pseudonyms', () => {
  test('the same id and key give the same pseudonym, so a partner can match a corrected row', async () => {
    const first = await pseudonymOf(await importPseudonymKey(keyA), ID);
    const again = await pseudonymOf(await importPseudonymKey(keyA), ID);
    expect(again).toBe(first);
  });

  test('another key (another partner, or a rotated key) gives another pseudonym', async () => {
    const a = await pseudonymOf(await importPseudonymKey(keyA), ID);
    const b = await pseudonymOf(await importPseudonymKey(keyB), ID);
    expect(a).not.toBe(b);
  });

  test('is never the raw id nor looks like one, and different ids differ', async () => {
    const key = await importPseudonymKey(keyA);
    const p = await pseudonymOf(key, ID);
    expect(p).not.toBe(ID);
    expect(p).not.toContain(ID.slice(-12));
    expect(UUID_PATTERN.test(p)).toBe(false);
    expect(p).toMatch(/^[0-9a-f]{32}$/);
    expect(await pseudonymOf(key, OTHER)).not.toBe(p);
  });

  test('is HMAC-SHA-256 of the id, so it can be checked with any crypto library', async () => {
    const { createHmac } = await import('node:crypto');
    const expected = createHmac('sha256', Buffer.alloc(32, 7)).update(ID).digest('hex').slice(0, 32);
    expect(await pseudonymOf(await importPseudonymKey(keyA), ID)).toBe(expected);
  });

  test('many at once give the same as one by one through WebCrypto, whatever the id and the key', async () => {
    const all = pseudonymsOf(keyA, [ID, OTHER, ID]);
    expect(all.size).toBe(2);
    expect(all.get(OTHER)).toBe(await pseudonymOf(await importPseudonymKey(keyA), OTHER));
    // Ids of every length around SHA-256's block and padding edges, in Latin-1, Arabic and beyond the BMP,
    // under a key of 32 bytes and one longer than a block (which HMAC hashes first).
    const ids = Array.from({ length: 140 }, (_, n) => 'a'.repeat(n % 70) + (n >= 70 ? 'حلب😀' : n % 3 === 0 ? 'é' : ''));
    for (const key of [keyB, toBase64url(Uint8Array.from({ length: 100 }, (_, i) => i))]) {
      const imported = await importPseudonymKey(key);
      const many = pseudonymsOf(key, ids);
      for (const id of ids) expect(many.get(id)).toBe(await pseudonymOf(imported, id));
    }
  });

  test('a key not spelled as newPseudonymKey spells it is refused as damaged', async () => {
    // The last character carries two bits past the 32 bytes; a damaged key sets them.
    await expect(importPseudonymKey('A'.repeat(42) + 'B')).rejects.toThrow('err.profile.key');
    await expect(importPseudonymKey('A'.repeat(42) + '=')).rejects.toThrow('err.profile.key');
    expect(() => pseudonymsOf('A'.repeat(42) + 'B', [ID])).toThrow('err.profile.key');
  });

  test('a new key takes 32 bytes from the random source it is given', () => {
    const key = newPseudonymKey((n) => new Uint8Array(n).fill(0xff));
    expect(key).toBe('_'.repeat(42) + '8');
    expect(newPseudonymKey((n) => new Uint8Array(n).fill(1))).not.toBe(key);
  });
});
