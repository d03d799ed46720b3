/**
 * Making the deployment key, once, on the first coordinator's device: an agreement key pair whose
 * private half is wrapped under a coordinator passphrase (Argon2id) and kept as a key file, which
 * other coordinators receive and the command line export opens. The base gets the public half only.
 * The maker's device also keeps the private half under its data key (deployment-private.ts), so its
 * desk reads sealed reports without the passphrase being typed again.
 */
import { SUITES, detectSuite } from '../../domain/crypto/algorithms.ts';
import { KEY_FILE_KIND, type DeploymentKeyFile } from '../../domain/crypto/key-file.ts';
import { generateKeyPair } from '../../domain/crypto/keys.ts';
import { wrapUnderPassphrase } from '../../domain/crypto/wrapped-key.ts';
import { deploymentKeyResponseSchema, type DeploymentKeyResponse } from '../../domain/protocol.ts';
import type { Role } from '../../domain/roles.ts';
import type { DataKeyHolder } from '../store/at-rest.ts';
import { callApi, SYNC_ERRORS, SyncError, type Endpoint } from '../sync/transport.ts';
import { savePinnedKey, type PinnedKey } from './deployment-pin.ts';
import { keepDeploymentKey, saveDeploymentKeyFile } from './deployment-private.ts';

export { DEPLOYMENT_KEY_FILE } from './deployment-private.ts';
export type { DeploymentKeyFile };

export async function readBaseDeploymentKey(endpoint: Endpoint): Promise<DeploymentKeyResponse | undefined> {
  try {
    const parsed = deploymentKeyResponseSchema.safeParse(await callApi(endpoint, '/api/v1/deployment-key'));
    if (!parsed.success) throw new SyncError(SYNC_ERRORS.badResponse);
    return parsed.data;
  } catch (e) {
    if (e instanceof SyncError && e.status === 404) return undefined;
    throw e;
  }
}

export type MadeKey = { ok: true; file: DeploymentKeyFile; pin: PinnedKey } | { ok: false; reason: string };

/**
 * Makes the key, registers its public half with the base, and keeps the key file and the private
 * key (under `dataKey`) on this device. A base that already has a key keeps it (409): this device's
 * new key is then thrown away.
 */
export async function makeDeploymentKey(
  endpoint: Endpoint,
  role: Role,
  passphrase: string,
  confirm: string,
  dataKey: DataKeyHolder,
): Promise<MadeKey> {
  if (role !== 'coordinator') return { ok: false, reason: 'sync.err.forbidden' };
  if (passphrase.normalize('NFC') !== confirm.normalize('NFC')) return { ok: false, reason: 'lock.err.mismatch' };
  // Checked first: a key registered with the base but not kept on the maker's desk would leave it unable to read.
  if (!dataKey.unlocked) return { ok: false, reason: 'lock.err.locked' };
  const pair = await generateKeyPair(SUITES[await detectSuite()].agreement);
  const wrapped = await wrapUnderPassphrase(pair.privateKey, passphrase, { publicKey: pair.publicKey });
  if (!wrapped.ok) return { ok: false, reason: 'lock.err.tooShort' };
  const answer = deploymentKeyResponseSchema.safeParse(
    await callApi(endpoint, '/api/v1/deployment-key', { key: pair.publicKey.text }, false, 'PUT'),
  );
  if (!answer.success || answer.data.fingerprint !== pair.publicKey.fingerprint) return { ok: false, reason: SYNC_ERRORS.badResponse };
  const file: DeploymentKeyFile = { kind: KEY_FILE_KIND, v: 1, fingerprint: pair.publicKey.fingerprint, wrapped: wrapped.wrapped };
  const pin = { key: pair.publicKey.text, fingerprint: pair.publicKey.fingerprint };
  await Promise.all([saveDeploymentKeyFile(file), savePinnedKey(pin), keepDeploymentKey(pair, dataKey)]);
  return { ok: true, file, pin };
}
