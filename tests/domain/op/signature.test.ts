import { createHash, createPrivateKey, sign as nodeSign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { canonicalJson } from '../../../src/domain/canonical-json.ts';
import { fromUtf8, toHex } from '../../../src/domain/crypto/bytes.ts';
import { generateKeyPair, type SigningKeyPair } from '../../../src/domain/crypto/keys.ts';
import { signOp, signedMessage, checkOpSignature } from '../../../src/domain/op/signature.ts';
import { BODY, HEADER, RFC8032, ed25519Pair, eachByteFlipped, p256Pair } from '../crypto/fixtures.ts';
import { deviceId, opId, reportId } from '../../ids.ts';

const bodyText = canonicalJson(BODY);
const BAD = { ok: false, reason: 'quarantine.badSignature' };

describe('what an op signature covers', () => {
  test('the canonical JSON of the context, the six header fields and the SHA-256 of the body text', async () => {
    const hash = createHash('sha256').update(bodyText, 'utf8').digest('base64url');
    const message = fromUtf8(await signedMessage({ ...HEADER, extra: 'ignored' } as typeof HEADER, bodyText));
    expect(message).toBe(
      `{"body":"${hash}","ctx":"rasid/op-signature/1","header":{"device":"phone-alice-01","deviceSeq":7,` +
        `"id":"0195781a-3c00-7abc-8def-0123456789ab","kind":"create","reportId":"0195781a-3c00-7abc-8def-000000000001","v":2}}`,
    );
  });
});

describe('Ed25519 op signatures', () => {
  test('the RFC 8032 key signs the fixed op with these bytes (Ed25519 is deterministic)', async () => {
    const signer = await ed25519Pair(RFC8032[0]!.secret, RFC8032[0]!.public);
    const sig = await signOp(signer, HEADER, bodyText);
    expect(toHex(sig)).toBe(
      'd10260ecbb2666b2f942635ae8079f70f4ae7eb1883059e3d9ceaf36fcf0c91adc37112e0eb6b95f35e0ebbcec92b96d827da61bd91284688d0e843f7d61a30b',
    );
    expect(await checkOpSignature(signer.publicKey, HEADER, bodyText, sig)).toEqual({ ok: true });
    // The same through node:crypto's own key objects, from the published secret.
    const key = createPrivateKey({
      key: Buffer.from(`302e020100300506032b657004220420${RFC8032[0]!.secret}`, 'hex'),
      format: 'der',
      type: 'pkcs8',
    });
    expect(nodeSign(null, await signedMessage(HEADER, bodyText), key).toString('hex')).toBe(toHex(sig));
  });
});

describe.each([
  ['Ed25519', () => generateKeyPair('ed25519')],
  ['ECDSA P-256', () => p256Pair('p256-ecdsa')],
] as [string, () => Promise<SigningKeyPair>][])('%s op signatures', (_name, makeSigner) => {
  test('a signed op passes the signature check with the author key and no other', async () => {
    const signer = await makeSigner();
    const other = await generateKeyPair(signer.alg);
    const sig = await signOp(signer, HEADER, bodyText);
    expect(sig.length).toBe(64);
    expect(await checkOpSignature(signer.publicKey, HEADER, bodyText, sig)).toEqual({ ok: true });
    expect(await checkOpSignature(other.publicKey, HEADER, bodyText, sig)).toEqual(BAD);
  });

  test('changing any byte of the signature fails the check', async () => {
    const signer = await makeSigner();
    const sig = await signOp(signer, HEADER, bodyText);
    for (const [i, changed] of eachByteFlipped(sig)) {
      expect(await checkOpSignature(signer.publicKey, HEADER, bodyText, changed), `byte ${i}`).toEqual(BAD);
    }
  });

  test('changing any header field fails the check', async () => {
    const signer = await makeSigner();
    const sig = await signOp(signer, HEADER, bodyText);
    const changes = [
      { v: 1 as const },
      { id: opId('0195781a-3c00-7abc-8def-0123456789ac') },
      { kind: 'edit' as const },
      { reportId: reportId('0195781a-3c00-7abc-8def-000000000002') },
      { device: deviceId('phone-alice-02') },
      { deviceSeq: 8 },
    ];
    for (const c of changes)
      expect(await checkOpSignature(signer.publicKey, { ...HEADER, ...c }, bodyText, sig), JSON.stringify(c)).toEqual(BAD);
  });

  test('changing any character of the body text fails the check', async () => {
    const signer = await makeSigner();
    const sig = await signOp(signer, HEADER, bodyText);
    for (let i = 0; i < bodyText.length; i += 3) {
      const changed = bodyText.slice(0, i) + String.fromCharCode(bodyText.charCodeAt(i) ^ 1) + bodyText.slice(i + 1);
      expect((await checkOpSignature(signer.publicKey, HEADER, changed, sig)).ok, `character ${i}`).toBe(false);
    }
  });

  test('whatever arrives as a signature gives a reason, never an exception', async () => {
    const signer = await makeSigner();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 100 }), async (sig) => {
        expect(await checkOpSignature(signer.publicKey, HEADER, bodyText, sig)).toEqual(BAD);
      }),
      { numRuns: 60 },
    );
  });
});
