/**
 * Making the deployment key, once, on the first coordinator's device: an agreement key pair whose
 * private half is wrapped under a coordinator passphrase (Argon2id) and kept as a key file, which
 * other coordinators receive and the command line export opens. The base gets the public half only.
 */
import { get, set } from 'idb-keyval';
import { SUITES, detectSuite } from '../../domain/crypto/algorithms.ts';
import { generateKeyPair } from '../../domain/crypto/keys.ts';
import { wrapUnderPassphrase, type WrappedKey } from '../../domain/crypto/wrapped-key.ts';
import { deploymentKeySchema, type Role } from '../../domain/protocol.ts';
import { callApi, SYNC_ERRORS, SyncError, type Endpoint } from '../sync/transport.ts';
import { savePinnedKey, type PinnedKey } from './deployment-pin.ts';

/** Under a name the panic's first step deletes. */
export const DEPLOYMENT_KEY_FILE = 'deploymentKeyFile';

/** The key file: the wrapped private key (its public half inside), and the fingerprint to compare by eye. */
export interface DeploymentKeyFile {
  kind: 'rasid-deployment-key';
  v: 1;
  fingerprint: string;
  wrapped: WrappedKey;
}

export async function readBaseDeploymentKey(endpoint: Endpoint): Promise<PinnedKey | undefined> {
  try {
    const parsed = deploymentKeySchema.safeParse(await callApi(endpoint, '/api/v1/deployment-key'));
    if (!parsed.success) throw new SyncError(SYNC_ERRORS.badResponse);
    return parsed.data;
  } catch (e) {
    if (e instanceof SyncError && e.status === 404) return undefined;
    throw e;
  }
}

export type MadeKey = { ok: true; file: DeploymentKeyFile; pin: PinnedKey } | { ok: false; reason: string };

/**
 * Makes the key, registers its public half with the base, and keeps the key file on this device.
 * A base that already has a key keeps it (409): this device's new key is then thrown away.
 */
export async function makeDeploymentKey(endpoint: Endpoint, role: Role, passphrase: string, confirm: string): Promise<MadeKey> {
  if (role !== 'coordinator') return { ok: false, reason: 'sync.err.forbidden' };
  if (passphrase.normalize('NFC') !== confirm.normalize('NFC')) return { ok: false, reason: 'lock.err.mismatch' };
  const pair = await generateKeyPair(SUITES[await detectSuite()].agreement);
  const wrapped = await wrapUnderPassphrase(pair.privateKey, passphrase, { publicKey: pair.publicKey });
  if (!wrapped.ok) return { ok: false, reason: 'lock.err.tooShort' };
  const answer = deploymentKeySchema.safeParse(await callApi(endpoint, '/api/v1/deployment-key', { key: pair.publicKey.text }, false, 'PUT'));
  if (!answer.success || answer.data.fingerprint !== pair.publicKey.fingerprint) return { ok: false, reason: SYNC_ERRORS.badResponse };
  const file: DeploymentKeyFile = { kind: 'rasid-deployment-key', v: 1, fingerprint: pair.publicKey.fingerprint, wrapped: wrapped.wrapped };
  const pin = { key: pair.publicKey.text, fingerprint: pair.publicKey.fingerprint };
  await Promise.all([set(DEPLOYMENT_KEY_FILE, file), savePinnedKey(pin)]);
  return { ok: true, file, pin };
}

export async function loadDeploymentKeyFile(): Promise<DeploymentKeyFile | undefined> {
  const file = (await get(DEPLOYMENT_KEY_FILE)) as DeploymentKeyFile | undefined;
  return file?.kind === 'rasid-deployment-key' ? file : undefined;
}
