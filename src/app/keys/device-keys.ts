/**
 * This device's own key pairs: one for key agreement (what sealed ops are opened with) and one for
 * signing (what signs the ops it writes). Made at enrollment; the public halves go to the base
 * with the one-time code, the private halves are stored only wrapped under the data key (itself
 * wrapped under the passcode), and unwrapped into memory, non-extractable, once the app is unlocked.
 */
import { get, set } from '../store/keyval.ts';
import { SUITES, detectSuite } from '../../domain/crypto/algorithms.ts';
import { generateKeyPair, keyPairOf, type AgreementKeyPair, type SigningKeyPair } from '../../domain/crypto/keys.ts';
import { unwrapWithKey, WRAPPED_FAILED, wrapUnderKey, type UnwrapResult, type WrappedKey } from '../../domain/crypto/wrapped-key.ts';
import type { DataKeyHolder } from '../store/at-rest.ts';

/** Under a name the panic's first step deletes. */
export const DEVICE_KEYS = 'deviceKeys';

interface StoredPairs {
  agreement: WrappedKey;
  signing: WrappedKey;
}

/** The pairs made at enrollment, and those made by each key renewal since (sync/key-renewal.ts), oldest first. */
export interface StoredDeviceKeys extends StoredPairs {
  renewed?: StoredPairs[];
}

export interface DeviceKeyPairs {
  agreement: AgreementKeyPair;
  signing: SigningKeyPair;
}

/**
 * The pairs made at enrollment, which sign until a renewal's keys are confirmed, and the renewed
 * ones: the ops each signs are read from the renewal ops (sync/key-renewal.ts), never stored here.
 */
export interface DeviceKeys extends DeviceKeyPairs {
  renewed?: DeviceKeyPairs[];
}

export interface KeyStore {
  read(): Promise<unknown>;
  write(keys: StoredDeviceKeys): Promise<void>;
}

export const browserKeyStore: KeyStore = {
  read: () => get(DEVICE_KEYS),
  write: (keys) => set(DEVICE_KEYS, keys),
};

/**
 * A private key kept wrapped, opened under the data key's wrapping subkey; or, as versions before
 * subkeys wrapped it, under the data key itself, and then wrapped again under the subkey (`again`,
 * for the caller to store in its place). Non-extractable either way.
 */
export async function unwrapKept(stored: unknown, dataKey: DataKeyHolder): Promise<{ opened: UnwrapResult; again?: WrappedKey }> {
  const opened = await unwrapWithKey(stored, dataKey.wrappingKey());
  if (opened.ok || opened.reason !== WRAPPED_FAILED) return { opened };
  const legacy = await crypto.subtle.importKey('raw', Uint8Array.from(dataKey.get()), { name: 'AES-GCM' }, false, ['unwrapKey']);
  const old = await unwrapWithKey(stored, legacy, { extractable: true });
  if (!old.ok) return { opened };
  const again = await wrapUnderKey(old.key, dataKey.wrappingKey(), old.publicKey ? { publicKey: old.publicKey } : {});
  return { opened: await unwrapWithKey(again, dataKey.wrappingKey()), again };
}

/** New key pairs for this device, stored wrapped; returns their public halves as they travel. */
export async function makeDeviceKeys(
  dataKey: DataKeyHolder,
  store: KeyStore = browserKeyStore,
): Promise<{ agreement: string; signing: string }> {
  const { agreement, signing } = await newPairs();
  await store.write(await wrapPairs({ agreement, signing }, dataKey));
  return { agreement: agreement.publicKey.text, signing: signing.publicKey.text };
}

async function newPairs(): Promise<DeviceKeyPairs> {
  const suite = SUITES[await detectSuite()];
  const [agreement, signing] = await Promise.all([generateKeyPair(suite.agreement), generateKeyPair(suite.signing)]);
  return { agreement, signing };
}

async function wrapPairs(pairs: DeviceKeyPairs, dataKey: DataKeyHolder): Promise<StoredPairs> {
  const wrapper = dataKey.wrappingKey();
  return {
    agreement: await wrapUnderKey(pairs.agreement.privateKey, wrapper, { publicKey: pairs.agreement.publicKey }),
    signing: await wrapUnderKey(pairs.signing.privateKey, wrapper, { publicKey: pairs.signing.publicKey }),
  };
}

/**
 * New pairs for a key renewal, kept beside the earlier ones before anything names them: a renewal
 * op must never name keys this device does not hold. Returns them unwrapped, for the renewal's proof.
 */
export async function addRenewedKeys(dataKey: DataKeyHolder, store: KeyStore = browserKeyStore): Promise<DeviceKeyPairs> {
  const stored = (await store.read()) as StoredDeviceKeys | undefined;
  if (!stored?.agreement || !stored.signing) throw new Error('err.keys.missing');
  const pairs = await newPairs();
  await store.write({ ...stored, renewed: [...(stored.renewed ?? []), await wrapPairs(pairs, dataKey)] });
  return pairs;
}

/** This device's public keys as they travel, read from the wrapped blobs without unwrapping them. */
export async function devicePublicKeys(store: KeyStore = browserKeyStore): Promise<{ agreement: string; signing: string } | undefined> {
  const stored = (await store.read()) as Partial<StoredDeviceKeys> | undefined;
  const agreement = stored?.agreement?.pub;
  const signing = stored?.signing?.pub;
  return agreement && signing ? { agreement, signing } : undefined;
}

/** The key pairs, unwrapped into memory as non-extractable keys; undefined before enrollment made them. */
export async function loadDeviceKeys(dataKey: DataKeyHolder, store: KeyStore = browserKeyStore): Promise<DeviceKeys | undefined> {
  const stored = (await store.read()) as Partial<StoredDeviceKeys> | undefined;
  if (!stored?.agreement || !stored.signing) return undefined;
  const [a, s] = [await unwrapKept(stored.agreement, dataKey), await unwrapKept(stored.signing, dataKey)];
  const [agreement, signing] = [a.opened, s.opened];
  if (agreement.ok && signing.ok && (a.again || s.again))
    await store.write({ agreement: a.again ?? stored.agreement, signing: s.again ?? stored.signing });
  const renewed: DeviceKeyPairs[] = [];
  for (const pairs of stored.renewed ?? []) renewed.push(await unwrapPairs(pairs, dataKey));
  return { ...pairsOf(agreement, signing), ...(renewed.length > 0 && { renewed }) };
}

/** Renewed pairs were wrapped under the wrapping subkey from the start: nothing to wrap again. */
async function unwrapPairs(stored: StoredPairs, dataKey: DataKeyHolder): Promise<DeviceKeyPairs> {
  return pairsOf(await unwrapWithKey(stored.agreement, dataKey.wrappingKey()), await unwrapWithKey(stored.signing, dataKey.wrappingKey()));
}

/** Both halves opened, as key pairs; either one that did not open fails the device's keys as a whole. */
function pairsOf(agreement: UnwrapResult, signing: UnwrapResult): DeviceKeyPairs {
  if (!agreement.ok || !signing.ok || !agreement.publicKey || !signing.publicKey) throw new Error('err.wrappedKey.failed');
  return {
    agreement: keyPairOf(agreement.key, agreement.publicKey) as AgreementKeyPair,
    signing: keyPairOf(signing.key, signing.publicKey) as SigningKeyPair,
  };
}
