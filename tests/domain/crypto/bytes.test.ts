import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  concatBytes,
  constantTimeEqual,
  fromBase64url,
  fromHex,
  fromUtf8,
  toBase64url,
  toHex,
  utf8,
} from '../../../src/domain/crypto/bytes.ts';

describe('base64url', () => {
  test('any bytes come back from their base64url text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const text = toBase64url(bytes);
        expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(fromBase64url(text)).toEqual(bytes);
      }),
    );
  });

  test('matches the RFC 4648 examples, without padding', () => {
    expect(['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'].map((s) => toBase64url(utf8(s)))).toEqual([
      '',
      'Zg',
      'Zm8',
      'Zm9v',
      'Zm9vYg',
      'Zm9vYmE',
      'Zm9vYmFy',
    ]);
    expect(toBase64url(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
  });

  test('a body larger than the argument limit of a function call encodes', () => {
    const big = new Uint8Array(300_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    expect(constantTimeEqual(fromBase64url(toBase64url(big))!, big)).toBe(true);
  });

  test('only the one canonical spelling decodes, so no character can change unnoticed', () => {
    expect(fromBase64url('AA')).toEqual(new Uint8Array([0]));
    // 'AB' differs from 'AA' only in bits a loose decoder drops.
    expect(fromBase64url('AB')).toBeNull();
    expect(fromBase64url('AAA')).toEqual(new Uint8Array([0, 0]));
    expect(fromBase64url('AAB')).toBeNull();
    expect(fromBase64url('AA==')).toBeNull();
    expect(fromBase64url('+/8')).toBeNull();
    expect(fromBase64url('A')).toBeNull();
    expect(fromBase64url('AA AA')).toBeNull();
  });

  test('every one-character change of an encoding decodes to other bytes or to nothing', () => {
    const bytes = fromHex('00ff10203040506070');
    const text = toBase64url(bytes);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/ ';
    for (let i = 0; i < text.length; i++) {
      for (const c of alphabet) {
        if (c === text[i]) continue;
        const decoded = fromBase64url(text.slice(0, i) + c + text.slice(i + 1));
        if (decoded) expect(toHex(decoded)).not.toBe(toHex(bytes));
      }
    }
  });
});

describe('constantTimeEqual', () => {
  test('agrees with plain comparison', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (a, b) => {
        expect(constantTimeEqual(a, b)).toBe(toHex(a) === toHex(b));
        expect(constantTimeEqual(a, concatBytes(a))).toBe(true);
      }),
    );
  });

  test('a difference in the last byte alone is a difference', () => {
    expect(constantTimeEqual(fromHex('000000'), fromHex('000001'))).toBe(false);
    expect(constantTimeEqual(fromHex('0000'), fromHex('000000'))).toBe(false);
  });
});

describe('UTF-8', () => {
  test('invalid UTF-8 is refused, never replaced', () => {
    expect(fromUtf8(utf8('نزوح'))).toBe('نزوح');
    expect(fromUtf8(fromHex('c328'))).toBeNull();
    expect(fromUtf8(fromHex('ed9fbf'))).toBe('\ud7ff');
    expect(fromUtf8(fromHex('eda080'))).toBeNull();
  });
});
