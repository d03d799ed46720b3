/**
 * Published keys for known-answer tests, and small builders shared by the crypto tests.
 * Every constant here comes from an RFC, so a wrong library or a wrong import shows at once.
 */
import { fromHex, ownBytes, type Bytes } from '../../../src/domain/crypto/bytes.ts';
import { importKeyPair, keyPairOf, publicKeyFromRaw, type AgreementKeyPair, type SigningKeyPair } from '../../../src/domain/crypto/keys.ts';
import type { OpBody } from '../../../src/domain/op/op.ts';
import type { SealedOpHeader } from '../../../src/domain/op/header.ts';
import type { RandomBytes } from '../../../src/domain/ids.ts';
import { deviceId, opId, reportId } from '../../ids.ts';

const PKCS8_X25519 = '302e020100300506032b656e04220420';
const PKCS8_ED25519 = '302e020100300506032b657004220420';

/** RFC 7748 section 6.1: Alice's and Bob's X25519 keys and their shared secret. */
export const RFC7748 = {
  alicePrivate: '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a',
  alicePublic: '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
  bobPrivate: '5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb',
  bobPublic: 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f',
  shared: '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742',
};

/** RFC 8032 section 7.1, TEST 1 and TEST 2: Ed25519 keys, messages and signatures. */
export const RFC8032 = [
  {
    secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    public: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    public: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
];

/** RFC 6979 appendix A.2.5: the P-256 key, and its ECDSA SHA-256 signatures of "sample" and "test". */
export const RFC6979 = {
  d: 'c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721',
  ux: '60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6',
  uy: '7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299',
  sample:
    'efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8',
  test: 'f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083',
};

export function x25519Pair(privateHex: string, publicHex: string): Promise<AgreementKeyPair> {
  return importKeyPair('x25519', fromHex(PKCS8_X25519 + privateHex), fromHex(publicHex), true);
}

export function ed25519Pair(secretHex: string, publicHex: string): Promise<SigningKeyPair> {
  return importKeyPair('ed25519', fromHex(PKCS8_ED25519 + secretHex), fromHex(publicHex), true);
}

const b64u = (hex: string) => Buffer.from(fromHex(hex)).toString('base64url');

/** The RFC 6979 key as an ECDSA or an ECDH key (the same scalar serves both in a test). */
export async function p256Pair<A extends 'p256-ecdsa' | 'p256-ecdh'>(
  alg: A,
): Promise<A extends 'p256-ecdsa' ? SigningKeyPair : AgreementKeyPair> {
  const jwk = { kty: 'EC', crv: 'P-256', d: b64u(RFC6979.d), x: b64u(RFC6979.ux), y: b64u(RFC6979.uy) };
  const params = { name: alg === 'p256-ecdsa' ? 'ECDSA' : 'ECDH', namedCurve: 'P-256' };
  const privateKey = await crypto.subtle.importKey('jwk', jwk, params, true, alg === 'p256-ecdsa' ? ['sign'] : ['deriveBits']);
  const publicKey = await publicKeyFromRaw(alg, fromHex('04' + RFC6979.ux + RFC6979.uy));
  return keyPairOf(privateKey, publicKey) as never;
}

/** Randomness that hands out the given bytes in order, so sealing and wrapping give fixed bytes. */
export function scriptedRandom(...chunks: string[]): RandomBytes {
  const queue = chunks.map(fromHex);
  return (n) => {
    const next = queue.shift();
    if (!next || next.length !== n) throw new Error(`scripted randomness: wanted ${n} bytes, next is ${next?.length}`);
    return next;
  };
}

export const HEADER: SealedOpHeader = {
  v: 2,
  id: opId('0195781a-3c00-7abc-8def-0123456789ab'),
  kind: 'create',
  reportId: reportId('0195781a-3c00-7abc-8def-000000000001'),
  device: deviceId('phone-alice-01'),
  deviceSeq: 7,
};

export const BODY: OpBody = {
  hlc: '2025-03-08T09:30:00.000Z-0000-alice01',
  changes: {
    type: 'displacement',
    narrative: 'نزحت 40 أسرة من الحي الشرقي إلى المدرسة بعد القصف',
    households: 40,
    shelter: 'collective_centre',
  },
  supersedes: {},
};

/** Every variant of `bytes` with exactly one byte changed (xor 0x01), for tamper tests. */
export function* eachByteFlipped(bytes: Uint8Array): Generator<[number, Bytes]> {
  for (let i = 0; i < bytes.length; i++) {
    const copy = ownBytes(bytes);
    copy[i]! ^= 0x01;
    yield [i, copy];
  }
}
