/**
 * The key algorithms the crypto core speaks, and which of them this runtime has.
 *
 * Preferred: X25519 for key agreement and Ed25519 for signatures (Node 20; Chromium has X25519 since
 * 133 and Ed25519 since 137). Fallback: P-256 for both (ECDH and ECDSA), for a browser without
 * them, such as a Chromium before 137. Agreement only works between keys on the same curve, and
 * every device must check every coordinator's signatures, so a deployment uses ONE suite for all
 * its keys, chosen when its deployment key is made.
 */

export const AGREEMENT_ALGS = ['x25519', 'p256-ecdh'] as const;
export type AgreementAlg = (typeof AGREEMENT_ALGS)[number];
export const SIGNING_ALGS = ['ed25519', 'p256-ecdsa'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];
export type KeyAlg = AgreementAlg | SigningAlg;
export const KEY_ALGS: readonly KeyAlg[] = [...AGREEMENT_ALGS, ...SIGNING_ALGS];

export const SUITES = {
  'x25519-ed25519': { agreement: 'x25519', signing: 'ed25519' },
  p256: { agreement: 'p256-ecdh', signing: 'p256-ecdsa' },
} as const satisfies Record<string, { agreement: AgreementAlg; signing: SigningAlg }>;
export type SuiteName = keyof typeof SUITES;

export function isAgreementAlg(alg: KeyAlg): alg is AgreementAlg {
  return (AGREEMENT_ALGS as readonly string[]).includes(alg);
}

/** What WebCrypto calls each algorithm when generating or importing a key. */
export function importParams(alg: KeyAlg): EcKeyImportParams | Algorithm {
  switch (alg) {
    case 'x25519':
      return { name: 'X25519' };
    case 'p256-ecdh':
      return { name: 'ECDH', namedCurve: 'P-256' };
    case 'ed25519':
      return { name: 'Ed25519' };
    case 'p256-ecdsa':
      return { name: 'ECDSA', namedCurve: 'P-256' };
  }
}

/** Raw public key length: 32 bytes for the 25519 curves, an uncompressed point (65 bytes) for P-256. */
export function publicKeyLength(alg: KeyAlg): number {
  return alg === 'x25519' || alg === 'ed25519' ? 32 : 65;
}

export function privateUsages(alg: KeyAlg): KeyUsage[] {
  return isAgreementAlg(alg) ? ['deriveBits'] : ['sign'];
}

export function publicUsages(alg: KeyAlg): KeyUsage[] {
  return isAgreementAlg(alg) ? [] : ['verify'];
}

/** The algorithm a WebCrypto key was made for, when it is one of ours. */
export function algOfKey(key: CryptoKey): KeyAlg | undefined {
  const a = key.algorithm as Algorithm & { namedCurve?: string };
  if (a.name === 'X25519') return 'x25519';
  if (a.name === 'Ed25519') return 'ed25519';
  if (a.name === 'ECDH' && a.namedCurve === 'P-256') return 'p256-ecdh';
  if (a.name === 'ECDSA' && a.namedCurve === 'P-256') return 'p256-ecdsa';
  return undefined;
}

async function canGenerate(alg: KeyAlg): Promise<boolean> {
  try {
    await globalThis.crypto.subtle.generateKey(importParams(alg), false, privateUsages(alg));
    return true;
  } catch {
    return false;
  }
}

let detected: Promise<SuiteName> | undefined;

/** The best suite this runtime can make keys for: asked once, by trying, since no API tells. */
export function detectSuite(): Promise<SuiteName> {
  detected ??= (async () => ((await canGenerate('x25519')) && (await canGenerate('ed25519')) ? 'x25519-ed25519' : 'p256'))();
  return detected;
}

/** Whether this runtime can take part in a deployment that uses `suite`. */
export async function supportsSuite(suite: SuiteName): Promise<boolean> {
  const { agreement, signing } = SUITES[suite];
  return (await canGenerate(agreement)) && (await canGenerate(signing));
}
