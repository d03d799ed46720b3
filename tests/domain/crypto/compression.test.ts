import { deflateRawSync, inflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { fromUtf8, toHex, utf8 } from '../../../src/domain/crypto/bytes.ts';
import { deflate, deflateWithDictionary, inflate } from '../../../src/domain/crypto/compression.ts';

describe('compression of bodies', () => {
  test('any bytes inflate back to themselves', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 12_000 }), async (bytes) => {
        const back = inflate(await deflate(bytes), 24_000);
        expect(back.ok && toHex(back.bytes)).toBe(toHex(bytes));
      }),
      { numRuns: 50 },
    );
  });

  test('a report body shrinks, and raw DEFLATE from another implementation (node:zlib) inflates', async () => {
    const text = JSON.stringify({ narrative: 'نزحت أسر كثيرة من الحي الشرقي إلى المدرسة '.repeat(20) });
    expect((await deflate(utf8(text))).length).toBeLessThan(text.length / 4);
    const back = inflate(new Uint8Array(deflateRawSync(text)), 1_000_000);
    expect(back.ok && fromUtf8(back.bytes)).toBe(text);
  });

  test('a small input that inflates past the limit is stopped, not inflated', async () => {
    const bomb = new Uint8Array(deflateRawSync(new Uint8Array(50_000_000)));
    expect(bomb.length).toBeLessThan(100_000);
    expect(inflate(bomb, 256 * 1024)).toEqual({ ok: false, reason: 'tooLarge' });
    // Small inputs inflate in one call, larger ones a piece at a time: both stop at the limit.
    const small = new Uint8Array(deflateRawSync(new Uint8Array(4_000_000)));
    expect(small.length).toBeLessThan(4096);
    expect(inflate(small, 256 * 1024)).toEqual({ ok: false, reason: 'tooLarge' });
    expect(inflate(new Uint8Array(deflateRawSync(new Uint8Array(1000))), 1000).ok).toBe(true);
    expect(inflate(new Uint8Array(deflateRawSync(new Uint8Array(1001))), 1000)).toEqual({ ok: false, reason: 'tooLarge' });
  });

  test('bytes that are not DEFLATE, cut short, or nothing at all are refused as corrupt', async () => {
    const good = await deflate(utf8('{"a":1}'.repeat(50)));
    expect(inflate(new Uint8Array(0), 10_000)).toEqual({ ok: false, reason: 'corrupt' });
    expect(inflate(good.slice(0, good.length - 3), 10_000)).toEqual({ ok: false, reason: 'corrupt' });
    const large = await deflate(crypto.getRandomValues(new Uint8Array(10_000)));
    expect(inflate(large.slice(0, large.length - 3), 20_000)).toEqual({ ok: false, reason: 'corrupt' });
    expect(inflate(new Uint8Array([0xff, 0xff, 0xff, 0xff]), 10_000)).toEqual({ ok: false, reason: 'corrupt' });
  });

  describe('against a preset dictionary', () => {
    const dictionary = utf8('{"changes":{"narrative":"","type":"displacement"},"hlc":"","supersedes":{}}');
    const text = '{"changes":{"narrative":"نزحت أسر من الحي الشرقي","type":"displacement"},"hlc":"2026-12-01","supersedes":{}}';

    test('any bytes inflate back to themselves with the same dictionary', async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 12_000 }), async (bytes) => {
          const back = inflate(deflateWithDictionary(bytes, dictionary), 24_000, dictionary);
          expect(back.ok && toHex(back.bytes)).toBe(toHex(bytes));
        }),
        { numRuns: 50 },
      );
    });

    test('the dictionary shrinks what it names, and another implementation (node:zlib) reads and writes the same DEFLATE', () => {
      const bytes = utf8(text);
      const withIt = deflateWithDictionary(bytes, dictionary);
      expect(withIt.length).toBeLessThan(new Uint8Array(deflateRawSync(bytes)).length - 20);
      expect(fromUtf8(new Uint8Array(inflateRawSync(withIt, { dictionary })))).toBe(text);
      const back = inflate(new Uint8Array(deflateRawSync(bytes, { dictionary })), 10_000, dictionary);
      expect(back.ok && fromUtf8(back.bytes)).toBe(text);
    });

    test('without the dictionary, the bytes do not read back as the text', () => {
      const back = inflate(deflateWithDictionary(utf8(text), dictionary), 10_000);
      expect(back.ok && fromUtf8(back.bytes)).not.toBe(text);
    });

    test('a bomb is stopped at the limit with a dictionary too', () => {
      const bomb = new Uint8Array(deflateRawSync(new Uint8Array(4_000_000), { dictionary }));
      expect(inflate(bomb, 256 * 1024, dictionary)).toEqual({ ok: false, reason: 'tooLarge' });
      const large = new Uint8Array(deflateRawSync(new Uint8Array(50_000_000), { dictionary }));
      expect(large.length).toBeGreaterThan(4096);
      expect(inflate(large, 256 * 1024, dictionary)).toEqual({ ok: false, reason: 'tooLarge' });
    });
  });
});
