import { createHash, createPrivateKey, sign as nodeSign } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { canonicalJson } from '../../../src/domain/canonical-json.ts';
import { fromUtf8 } from '../../../src/domain/crypto/bytes.ts';
import { generateKeyPair } from '../../../src/domain/crypto/keys.ts';
import { checkOuter, outerMessage, signOuter } from '../../../src/domain/op/outer-signature.ts';
import { BODY, HEADER, RFC8032, ed25519Pair, p256Pair } from '../crypto/fixtures.ts';

const bodyText = canonicalJson(BODY);

describe('what an outer signature covers', () => {
  test('the canonical JSON of the blob hashes, the SHA-256 of the body text, the context and the six header fields', async () => {
    const hash = createHash('sha256').update(bodyText, 'utf8').digest('base64url');
    expect(fromUtf8(await outerMessage({ ...HEADER, extra: 'ignored' } as typeof HEADER, bodyText))).toBe(
      `{"blobs":[],"body":"${hash}","ctx":"rasid/op-outer/1","header":{"device":"phone-alice-01","deviceSeq":7,` +
        `"id":"0195781a-3c00-7abc-8def-0123456789ab","kind":"create","reportId":"0195781a-3c00-7abc-8def-000000000001","v":2}}`,
    );
  });

  test('the blobs an op names, each its size and SHA-256, in the order given', async () => {
    const hash = createHash('sha256').update(bodyText, 'utf8').digest('base64url');
    const blobs = [
      { sha256: 'b'.repeat(64), bytes: 2_000_033 },
      { sha256: 'a'.repeat(64), bytes: 17 },
    ];
    expect(fromUtf8(await outerMessage(HEADER, bodyText, blobs))).toBe(
      `{"blobs":[{"bytes":2000033,"sha256":"${'b'.repeat(64)}"},{"bytes":17,"sha256":"${'a'.repeat(64)}"}],"body":"${hash}","ctx":"rasid/op-outer/1",` +
        `"header":{"device":"phone-alice-01","deviceSeq":7,"id":"0195781a-3c00-7abc-8def-0123456789ab","kind":"create","reportId":"0195781a-3c00-7abc-8def-000000000001","v":2}}`,
    );
    const signer = await generateKeyPair('ed25519');
    const osig = await signOuter(signer, HEADER, bodyText, blobs);
    expect(await checkOuter(signer.publicKey, HEADER, bodyText, osig, blobs)).toBe(true);
    expect(await checkOuter(signer.publicKey, HEADER, bodyText, osig, [...blobs].reverse())).toBe(false);
    expect(await checkOuter(signer.publicKey, HEADER, bodyText, osig, [blobs[0]!, { ...blobs[1]!, bytes: 18 }])).toBe(false);
    expect(await checkOuter(signer.publicKey, HEADER, bodyText, osig)).toBe(false);
  });

  test('the RFC 8032 key signs it as node:crypto does from the published secret', async () => {
    const signer = await ed25519Pair(RFC8032[0]!.secret, RFC8032[0]!.public);
    const key = createPrivateKey({
      key: Buffer.from(`302e020100300506032b657004220420${RFC8032[0]!.secret}`, 'hex'),
      format: 'der',
      type: 'pkcs8',
    });
    const osig = await signOuter(signer, HEADER, bodyText);
    expect(osig).toBe(nodeSign(null, await outerMessage(HEADER, bodyText), key).toString('base64url'));
    expect(osig).toHaveLength(86);
    expect(await checkOuter(signer.publicKey, HEADER, bodyText, osig)).toBe(true);
  });
});

describe('checking an outer signature', () => {
  test('fails for another key, header, body, blob list or signature, and for what is no signature; it never throws', async () => {
    for (const signer of [await ed25519Pair(RFC8032[1]!.secret, RFC8032[1]!.public), await p256Pair('p256-ecdsa')]) {
      const osig = await signOuter(signer, HEADER, bodyText);
      expect(await checkOuter(signer.publicKey, HEADER, bodyText, osig)).toBe(true);
      const other = await generateKeyPair(signer.alg);
      const flipped = `${osig.slice(0, 20)}${osig[20] === 'A' ? 'B' : 'A'}${osig.slice(21)}`;
      const refused: [string, Promise<boolean>][] = [
        ['another key', checkOuter(other.publicKey, HEADER, bodyText, osig)],
        ['another deviceSeq', checkOuter(signer.publicKey, { ...HEADER, deviceSeq: 8 }, bodyText, osig)],
        ['another version', checkOuter(signer.publicKey, { ...HEADER, v: 1 }, bodyText, osig)],
        ['another body', checkOuter(signer.publicKey, HEADER, `${bodyText} `, osig)],
        ['a blob added', checkOuter(signer.publicKey, HEADER, bodyText, osig, [{ sha256: '0'.repeat(64), bytes: 1_000_017 }])],
        ['one character changed', checkOuter(signer.publicKey, HEADER, bodyText, flipped)],
        ['cut short', checkOuter(signer.publicKey, HEADER, bodyText, osig.slice(0, 85))],
        ['not text', checkOuter(signer.publicKey, HEADER, bodyText, 42)],
        ['not base64url', checkOuter(signer.publicKey, HEADER, bodyText, '!'.repeat(86))],
      ];
      for (const [what, check] of refused) expect(await check, `${signer.alg}: ${what}`).toBe(false);
    }
  });
});
