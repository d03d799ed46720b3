import { describe, expect, test } from 'vitest';
import { generateKeyPair, readPublicKey } from '../../../src/domain/crypto/keys.ts';
import { parsePublicKeyText } from '../../../src/domain/crypto/public-key-text.ts';

const X25519 = 'x25519:hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo';
const ED25519 = 'ed25519:11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo';

describe('a public key in its travelling form, read without WebCrypto', () => {
  test('keys made here read back, each only for its own role', async () => {
    for (const alg of ['x25519', 'p256-ecdh', 'ed25519', 'p256-ecdsa'] as const) {
      const { publicKey } = await generateKeyPair(alg);
      const role = alg === 'x25519' || alg === 'p256-ecdh' ? 'agreement' : 'signing';
      expect(parsePublicKeyText(publicKey.text, role)).toEqual({ alg, raw: new Uint8Array(publicKey.raw) });
      expect(parsePublicKeyText(publicKey.text, role === 'agreement' ? 'signing' : 'agreement')).toBeUndefined();
    }
  });

  test('anything else is no key, and WebCrypto is never asked', async () => {
    const point = Buffer.alloc(65, 4);
    const compressed = Buffer.from(point).fill(2, 0, 1);
    for (const text of [
      undefined,
      42,
      '',
      'garbage',
      '<script>alert(1)</script>',
      'x'.repeat(500),
      X25519.slice(0, -2),
      `${X25519}AA`,
      X25519.replace('x25519', 'X25519'),
      X25519.replace(':', '='),
      `rsa:${X25519.slice(7)}`,
      `p256-ecdh:${compressed.toString('base64url')}`,
    ]) {
      expect(parsePublicKeyText(text, 'agreement'), String(text)).toBeUndefined();
      expect((await readPublicKey(text, 'agreement')).ok).toBe(false);
    }
    expect(parsePublicKeyText(`p256-ecdh:${point.toString('base64url')}`, 'agreement')?.alg).toBe('p256-ecdh');
    expect(parsePublicKeyText(ED25519, 'signing')?.alg).toBe('ed25519');
  });
});
