/**
 * The deployment's public key as this device pinned it at enrollment: fetched from the base and
 * kept only if its fingerprint is the one the enrollment link carried. A base that hands out a key
 * of its own (seized, or an impostor on the network) is refused before the device sends anything.
 */
import { markPinned } from '../enrollment-save.ts';
import { getSealed, setSealed } from '../store/keyval.ts';
import type { SigningAlg } from '../../domain/crypto/algorithms.ts';
import { fromBase64url } from '../../domain/crypto/bytes.ts';
import { readPinnedKey, readPublicKey, type PublicKey } from '../../domain/crypto/keys.ts';
import { checkOpSignature } from '../../domain/op/signature.ts';
import { readStatement } from '../../domain/op/read.ts';
import { rootDeviceOf } from '../../domain/root.ts';
import { DEPLOYMENT_KEY_FIELD } from '../../domain/roster.ts';
import type { Fingerprint } from '../../domain/ids.ts';
import { deploymentKeyResponseSchema } from '../../domain/protocol.ts';
import type { Fetch } from '../sync/transport.ts';

export const PINNED_KEY = 'deploymentKey';

export interface PinnedKey {
  key: string;
  fingerprint: Fingerprint;
}

/** Why a deployment key was refused, as catalog keys. */
export const PIN_ERRORS = {
  mismatch: 'err.key.fingerprintMismatch',
  missing: 'enroll.err.noDeploymentKey',
  network: 'sync.err.network',
} as const;

export class PinError extends Error {
  constructor(readonly key: string) {
    super(key);
  }
}

/** What a device pins before it enrolls: the deployment key, and the root it follows from once there is one. */
export interface Pins {
  key: PinnedKey;
  root?: PinnedRootKey;
}

/**
 * The keys the base answers, if `fingerprint` pins them: the root's, with the deployment key taken
 * only from the root's statement naming it; or, for a deployment made before roots, the deployment
 * key's own.
 */
export async function fetchPinnedKey(origin: string, fingerprint: Fingerprint, fetch: Fetch): Promise<Pins> {
  let res: Response;
  try {
    res = await fetch(`${origin}/api/v1/deployment-key`, { method: 'GET', headers: { Accept: 'application/json' }, cache: 'no-store' });
  } catch {
    throw new PinError(PIN_ERRORS.network);
  }
  const parsed = deploymentKeyResponseSchema.safeParse(await res.json().catch(() => undefined));
  if (!res.ok || !parsed.success) throw new PinError(PIN_ERRORS.missing);
  const { key, root, statement } = parsed.data;
  const rootKey = root ? await readPublicKey(root.key, 'signing') : undefined;
  if (!rootKey?.ok || rootKey.key.fingerprint !== fingerprint) return { key: await checkPinned(key, fingerprint) };
  // The root is the one pinned: the deployment key counts only as its statement names it.
  const named = statement && (await rootNames(statement, rootKey.key));
  if (named !== key) throw new PinError(PIN_ERRORS.missing);
  const agreement = await readPublicKey(key, 'agreement');
  if (!agreement.ok) throw new PinError(PIN_ERRORS.missing);
  return {
    key: { key: agreement.key.text, fingerprint: agreement.key.fingerprint },
    root: { key: rootKey.key.text, fingerprint: rootKey.key.fingerprint },
  };
}

/** The deployment key a root statement names, if the root signed it. */
async function rootNames(statement: unknown, root: PublicKey<SigningAlg>): Promise<string | undefined> {
  const read = readStatement(statement);
  if (!read.ok || read.op.device !== rootDeviceOf(root.kid) || !read.wire?.sig) return undefined;
  const signature = fromBase64url(read.wire.sig);
  if (!signature || !(await checkOpSignature(root, read.wire, read.wire.body, signature)).ok) return undefined;
  const named = read.op.body.changes[DEPLOYMENT_KEY_FIELD];
  return typeof named === 'string' ? named : undefined;
}

/** The key as given, if its own fingerprint (computed here, never taken from the base) is the one expected. */
export async function checkPinned(keyText: string, fingerprint: Fingerprint): Promise<PinnedKey> {
  const read = await readPinnedKey(keyText, fingerprint);
  if (!read.ok) throw new PinError(PIN_ERRORS.mismatch);
  return { key: read.key.text, fingerprint: read.key.fingerprint };
}

/** Pins are sealed like the enrollment (keyval.ts): one planted in a locked phone's profile reads as none. */
export async function savePinnedKey(pin: PinnedKey): Promise<void> {
  await setSealed(PINNED_KEY, { key: pin.key, fingerprint: pin.fingerprint });
  await markPinned('key');
}

export async function loadPinnedKey(): Promise<PinnedKey | undefined> {
  return pinOf(await getSealed(PINNED_KEY));
}

function pinOf(v: Record<string, unknown> | undefined): { key: string; fingerprint: Fingerprint } | undefined {
  return typeof v?.key === 'string' && typeof v.fingerprint === 'string'
    ? { key: v.key, fingerprint: v.fingerprint as Fingerprint }
    : undefined;
}

export const PINNED_ROOT = 'deploymentRoot';

/** The deployment root's public signing key, as this device pinned it by the link's fingerprint. */
export interface PinnedRootKey {
  key: string;
  fingerprint: Fingerprint;
}

export async function savePinnedRoot(pin: PinnedRootKey): Promise<void> {
  await setSealed(PINNED_ROOT, { key: pin.key, fingerprint: pin.fingerprint });
  await markPinned('root');
}

export async function loadPinnedRoot(): Promise<PinnedRootKey | undefined> {
  return pinOf(await getSealed(PINNED_ROOT));
}
