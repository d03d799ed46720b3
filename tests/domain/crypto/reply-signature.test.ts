import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { fromUtf8 } from '../../../src/domain/crypto/bytes.ts';
import { generateKeyPair } from '../../../src/domain/crypto/keys.ts';
import { checkReply, replyMessage, signReply, type SignedReply } from '../../../src/domain/crypto/reply-signature.ts';
import { RFC8032, ed25519Pair, p256Pair } from './fixtures.ts';

const REPLY: SignedReply = {
  device: 'phone-alice-01',
  createdAt: 1748770560000,
  signer: 'desk-base-01',
  response: { watermark: 3, epoch: 'e1', ops: [], results: [{ id: 'x', status: 'ack' }], cursor: null, more: false, serverTime: 1 },
};

describe('what a reply signature covers', () => {
  test('the phone, the time, the signer and the SHA-256 of the canonical JSON of the response, under its context', async () => {
    const canonical =
      '{"cursor":null,"epoch":"e1","more":false,"ops":[],"results":[{"id":"x","status":"ack"}],"serverTime":1,"watermark":3}';
    const hash = createHash('sha256').update(canonical, 'utf8').digest('base64url');
    expect(fromUtf8(await replyMessage(REPLY))).toBe(
      `{"createdAt":1748770560000,"ctx":"rasid/sync-reply/1","device":"phone-alice-01","response":"${hash}","signer":"desk-base-01"}`,
    );
  });
});

describe('checking a reply signature', () => {
  test('fails for another key and for any change to what it covers; it never throws', async () => {
    for (const signer of [await ed25519Pair(RFC8032[1]!.secret, RFC8032[1]!.public), await p256Pair('p256-ecdsa')]) {
      const sig = await signReply(signer, REPLY);
      expect(await checkReply(signer.publicKey, REPLY, sig)).toBe(true);
      const other = await generateKeyPair(signer.alg);
      expect(await checkReply(other.publicKey, REPLY, sig)).toBe(false);
      const changed: SignedReply[] = [
        { ...REPLY, device: 'phone-bob-02' },
        { ...REPLY, createdAt: REPLY.createdAt + 1 },
        { ...REPLY, signer: 'desk-other-02' },
        { ...REPLY, response: { ...(REPLY.response as object), watermark: 1_000_000 } },
        { ...REPLY, response: { ...(REPLY.response as object), reset: true } },
      ];
      for (const reply of changed) expect(await checkReply(signer.publicKey, reply, sig)).toBe(false);
      for (const junk of [undefined, 42, '', 'A'.repeat(86), sig.slice(1)])
        expect(await checkReply(signer.publicKey, REPLY, junk)).toBe(false);
    }
  });
});
