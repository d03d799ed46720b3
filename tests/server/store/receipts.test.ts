import { createHmac } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { newReceiptKey, provenClaims, receiptOf } from '../../../src/server/store/receipts.ts';

const KEY = Buffer.alloc(32, 7).toString('base64url');
const EPOCH = '8f0d2b5d9d38e999b7003d5b243b9fae';
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('watermark receipts', () => {
  test('are the HMAC-SHA256 that docs/protocol.md describes, as 43 characters of base64url', () => {
    const expected = createHmac('sha256', Buffer.alloc(32, 7))
      .update(Buffer.from('["rasid/watermark-receipt/1","8f0d2b5d9d38e999b7003d5b243b9fae","p3Zr8NcW5yHd",3]', 'utf8'))
      .digest('base64url');
    expect(receiptOf(KEY, EPOCH, 'p3Zr8NcW5yHd', 3)).toBe(expected);
    expect(expected).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test('prove only the device, deviceSeq and epoch they were made for, under this key', () => {
    const receipt = receiptOf(KEY, EPOCH, 'p3Zr8NcW5yHd', 3);
    expect(Buffer.from(receipt.slice(0, 42) + BASE64URL[BASE64URL.indexOf(receipt.at(-1)!) + 1]!, 'base64url')).toEqual(
      Buffer.from(receipt, 'base64url'),
    );
    const claim = { device: 'p3Zr8NcW5yHd', deviceSeq: 3, receipt };
    expect(provenClaims(KEY, EPOCH, [claim])).toEqual([claim]);
    const refused = [
      { ...claim, deviceSeq: 4 },
      { ...claim, device: 'k7Qm2xVb9RtL' },
      { device: claim.device, deviceSeq: 3 },
      { ...claim, receipt: '' },
      { ...claim, receipt: receipt.slice(0, 42) },
      { ...claim, receipt: `${receipt}A` },
      { ...claim, receipt: 'é'.repeat(43) },
      // The same bytes spelled otherwise: the last character's two spare bits set.
      { ...claim, receipt: receipt.slice(0, 42) + BASE64URL[BASE64URL.indexOf(receipt.at(-1)!) + 1]! },
    ];
    expect(provenClaims(KEY, EPOCH, refused)).toEqual([]);
    expect(provenClaims(KEY, 'f'.repeat(32), [claim])).toEqual([]);
    expect(
      provenClaims(
        newReceiptKey(() => new Uint8Array(32).fill(1)),
        EPOCH,
        [claim],
      ),
    ).toEqual([]);
  });
});
