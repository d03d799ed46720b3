/**
 * Watermark receipts. Every answer tells a device its watermark (a coordinator, every device's),
 * with a receipt: a MAC under a key only this base holds, over the epoch, the device and the
 * `deviceSeq`. A device that later finds the base holding less shows the receipt back, and only a
 * receipt of the current epoch for more than the base holds proves ops were lost (a restore from an
 * older backup). A claim without one, a monitor's claim about itself included, proves nothing.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RandomBytes } from '../../domain/ids.ts';

const RECEIPT_CONTEXT = 'rasid/watermark-receipt/1';

export function newReceiptKey(random: RandomBytes): string {
  return Buffer.from(random(32)).toString('base64url');
}

/** The receipt for `deviceSeq` of `device` in `epoch`: 43 characters of base64url. */
export function receiptOf(key: string, epoch: string, device: string, deviceSeq: number): string {
  return createHmac('sha256', Buffer.from(key, 'base64url'))
    .update(JSON.stringify([RECEIPT_CONTEXT, epoch, device, deviceSeq]))
    .digest('base64url');
}

export interface Claim {
  device: string;
  deviceSeq: number;
  receipt?: string | undefined;
}

/** The claims whose receipt this base made in `epoch`: what a device can show it was told. */
export function provenClaims<C extends Claim>(key: string, epoch: string, claims: readonly C[]): C[] {
  return claims.filter((c) => {
    if (typeof c.receipt !== 'string') return false;
    // Compared as text: base64url decoding would let other spellings of the same bytes through.
    const shown = Buffer.from(c.receipt, 'utf8');
    const made = Buffer.from(receiptOf(key, epoch, c.device, c.deviceSeq), 'utf8');
    return shown.length === made.length && timingSafeEqual(shown, made);
  });
}
