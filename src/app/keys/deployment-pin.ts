/**
 * The deployment's public key as this device pinned it at enrollment: fetched from the base and
 * kept only if its fingerprint is the one the enrollment link carried. A base that hands out a key
 * of its own (seized, or an impostor on the network) is refused before the device sends anything.
 */
import { get, set } from '../store/keyval.ts';
import { readPinnedKey } from '../../domain/crypto/keys.ts';
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

/** The key the base answers, if it matches `fingerprint`. */
export async function fetchPinnedKey(origin: string, fingerprint: Fingerprint, fetch: Fetch): Promise<PinnedKey> {
  let res: Response;
  try {
    res = await fetch(`${origin}/api/v1/deployment-key`, { method: 'GET', headers: { Accept: 'application/json' }, cache: 'no-store' });
  } catch {
    throw new PinError(PIN_ERRORS.network);
  }
  const parsed = deploymentKeyResponseSchema.safeParse(await res.json().catch(() => undefined));
  if (!res.ok || !parsed.success) throw new PinError(PIN_ERRORS.missing);
  return checkPinned(parsed.data.key, fingerprint);
}

/** The key as given, if its own fingerprint (computed here, never taken from the base) is the one expected. */
export async function checkPinned(keyText: string, fingerprint: Fingerprint): Promise<PinnedKey> {
  const read = await readPinnedKey(keyText, fingerprint);
  if (!read.ok) throw new PinError(PIN_ERRORS.mismatch);
  return { key: read.key.text, fingerprint: read.key.fingerprint };
}

export function savePinnedKey(pin: PinnedKey): Promise<void> {
  return set(PINNED_KEY, pin);
}

export async function loadPinnedKey(): Promise<PinnedKey | undefined> {
  const v = await get<Partial<PinnedKey>>(PINNED_KEY);
  return typeof v?.key === 'string' && typeof v.fingerprint === 'string' ? (v as PinnedKey) : undefined;
}
