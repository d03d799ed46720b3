/**
 * The keys sync works with, unwrapped at unlock from where they are kept wrapped: the device's own
 * key pairs, the pinned deployment key and, on a desk that holds it, the deployment private key.
 */
import { readPublicKey, type AgreementKeyPair } from '../../domain/crypto/keys.ts';
import type { DeviceId } from '../../domain/ids.ts';
import { loadDeviceKeys } from '../keys/device-keys.ts';
import { loadPinnedKey, loadPinnedRoot, savePinnedKey } from '../keys/deployment-pin.ts';
import { rootDeviceOf } from '../../domain/root.ts';
import type { PinnedRoot } from '../../domain/trusted-roster.ts';
import { readBaseDeploymentKey } from '../keys/deployment-key.ts';
import { loadDeploymentPrivateKeys } from '../keys/deployment-private.ts';
import type { DataKeyHolder } from '../store/at-rest.ts';
import { loadEnrollment } from '../enrollment-store.ts';
import { markPinned } from '../enrollment-save.ts';
import { opKeys, type OpKeys } from './op-keys.ts';
import type { Endpoint } from './transport.ts';

/**
 * Undefined on a device enrolled before devices had keys: it syncs in version 1 only. Throws when
 * keys that should be there do not load, and when a pin the enrollment says this device holds is
 * gone: without it, the device would take the base's key on first use again, or read by the roster
 * from before the root.
 */
export async function loadOpKeys(dataKey: DataKeyHolder, self: DeviceId): Promise<OpKeys | undefined> {
  const device = await loadDeviceKeys(dataKey);
  const pin = await loadPinnedKey();
  const pins = (await loadEnrollment(self))?.pins ?? {};
  if ((pins.key && !pin) || (pins.root && !(await loadPinnedRoot()))) throw new Error('err.keys.missing');
  // Pins kept before the enrollment marked them are marked at the first load that finds them.
  if (pin && !pins.key) await markPinned('key');
  if (!device) {
    // Every device that pinned a deployment key made its own keys at enrollment: keys gone missing
    // since are a fault, never a reason to sync in clear.
    if (pin) throw new Error('err.keys.missing');
    return undefined;
  }
  const pinned = pin ? await readPublicKey(pin.key, 'agreement') : undefined;
  // A desk holds the deployment key it seals to and, once the key was rotated, earlier ones, to open older ops.
  const held = await loadDeploymentPrivateKeys(dataKey).catch((): AgreementKeyPair[] => []);
  const current = (k: AgreementKeyPair) => pinned?.ok === true && k.publicKey.text === pinned.key.text;
  const deploymentPrivate = held.find(current);
  const pastDeployment = held.filter((k) => !current(k));
  const root = await loadRoot();
  if (root && !pins.root) await markPinned('root');
  return opKeys(self, device, {
    ...(pinned?.ok && { deploymentPublic: pinned.key }),
    ...(deploymentPrivate && { deploymentPrivate }),
    ...(pastDeployment.length > 0 && { pastDeployment }),
    ...(root && { root }),
  });
}

/** The pinned root, as the trust rule reads it; a pin that no longer reads is a fault, never a reason to trust less. */
async function loadRoot(): Promise<PinnedRoot | undefined> {
  const pin = await loadPinnedRoot();
  if (!pin) return undefined;
  const read = await readPublicKey(pin.key, 'signing');
  if (!read.ok) throw new Error('err.keys.missing');
  return { device: rootDeviceOf(read.key.kid), signing: read.key.text };
}

/**
 * A device enrolled before its deployment had a key has no pin to check one against: it takes the
 * key the base serves once there is one (trust on first use, docs/security.md), and seals from then on.
 */
export async function pinOnFirstUse(keys: OpKeys, endpoint: Endpoint): Promise<void> {
  if (keys.deploymentPublic) return;
  const served = await readBaseDeploymentKey(endpoint);
  if (!served) return;
  const read = await readPublicKey(served.key, 'agreement');
  if (!read.ok) return;
  await savePinnedKey({ key: read.key.text, fingerprint: read.key.fingerprint });
  keys.deploymentPublic = read.key;
}
