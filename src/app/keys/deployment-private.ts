/**
 * The deployment's private key on a coordinator's device: what its desk opens sealed reports with.
 * Kept like the device's own keys, wrapped under the data key (itself under the passcode), and
 * unwrapped into memory, non-extractable, once the app is unlocked. It arrives either when this
 * device makes the deployment key, or from the key file another coordinator passed on, opened once
 * with the coordinator passphrase and wrapped again under the data key at once, so the passphrase is
 * not asked at every unlock.
 */
import { get, getSealed, set, setSealed } from '../store/keyval.ts';
import { isAgreementAlg } from '../../domain/crypto/algorithms.ts';
import { deploymentKeyFileSchema, openKeyFile, type DeploymentKeyFile } from '../../domain/crypto/key-file.ts';
import { keyPairOf, type AgreementKeyPair } from '../../domain/crypto/keys.ts';
import { wrapUnderKey, WRONG_PASSPHRASE, type WrappedKey } from '../../domain/crypto/wrapped-key.ts';
import type { DataKeyHolder } from '../store/at-rest.ts';
import { loadPinnedKey, savePinnedKey } from './deployment-pin.ts';
import { unwrapKept } from './device-keys.ts';
import type { Fingerprint } from '../../domain/ids.ts';

/** Under names the panic's first step deletes. */
export const DEPLOYMENT_PRIVATE_KEY = 'deploymentPrivateKey';
export const DEPLOYMENT_KEY_FILE = 'deploymentKeyFile';

/** Why a key file was not imported, as catalog keys. */
export const IMPORT_ERRORS = {
  wrongPassphrase: 'deploymentKey.err.wrongPassphrase',
  notKeyFile: 'deploymentKey.err.notKeyFile',
  otherDeployment: 'deploymentKey.err.otherDeployment',
  /** Neither a pin nor the base's word says which key this deployment has: nothing to compare with. */
  noKnownKey: 'deploymentKey.err.noKnownKey',
} as const;

export type ImportResult =
  { ok: true; fingerprint: Fingerprint } | { ok: false; reason: (typeof IMPORT_ERRORS)[keyof typeof IMPORT_ERRORS] };

/** A key file is under a kilobyte of ASCII: anything much larger (in bytes or characters) is read no further. */
export const MAX_KEY_FILE_SIZE = 16 * 1024;

export interface DeploymentKeyStore {
  read(): Promise<unknown>;
  write(wrapped: readonly WrappedKey[]): Promise<void>;
}

export const browserDeploymentKeyStore: DeploymentKeyStore = {
  read: () => get(DEPLOYMENT_PRIVATE_KEY),
  write: (wrapped) => set(DEPLOYMENT_PRIVATE_KEY, wrapped),
};

/** The wrapped keys kept, oldest first: one alone, as kept before keys were rotated, or a list. */
async function keptWrapped(store: DeploymentKeyStore): Promise<unknown[]> {
  const stored = await store.read();
  return stored === undefined ? [] : Array.isArray(stored) ? (stored as unknown[]) : [stored];
}

/**
 * Stores a deployment key pair wrapped under the data key, after those kept before: once the key is
 * rotated, a desk still opens what was sealed to the earlier ones. The private key must be
 * extractable (just made, or just opened from a key file for this purpose); only the wrapped blob is
 * stored. Keeping a key held already changes nothing.
 */
export async function keepDeploymentKey(
  pair: AgreementKeyPair,
  dataKey: DataKeyHolder,
  store: DeploymentKeyStore = browserDeploymentKeyStore,
): Promise<void> {
  const held = await keptWrapped(store);
  if ((await loadDeploymentPrivateKeys(dataKey, store)).some((k) => k.publicKey.text === pair.publicKey.text)) return;
  const wrapped = await wrapUnderKey(pair.privateKey, dataKey.wrappingKey(), { publicKey: pair.publicKey });
  await store.write([...(held as WrappedKey[]), wrapped]);
}

/**
 * Every deployment key pair this desk holds, oldest first, unwrapped into memory as non-extractable
 * keys. A blob that does not open under this data key counts as not held rather than failing the
 * unlock: the device's own keys and reports matter more, and importing the key file again mends it.
 */
export async function loadDeploymentPrivateKeys(
  dataKey: DataKeyHolder,
  store: DeploymentKeyStore = browserDeploymentKeyStore,
): Promise<AgreementKeyPair[]> {
  const pairs: AgreementKeyPair[] = [];
  const kept = await keptWrapped(store);
  let wrappedAgain = false;
  for (const [i, stored] of kept.entries()) {
    const { opened, again } = await unwrapKept(stored, dataKey);
    if (again) [kept[i], wrappedAgain] = [again, true];
    if (opened.ok && opened.publicKey && isAgreementAlg(opened.publicKey.alg))
      pairs.push(keyPairOf(opened.key, opened.publicKey) as AgreementKeyPair);
  }
  if (wrappedAgain) await store.write(kept as WrappedKey[]);
  return pairs;
}

/** The deployment key pair kept last (the current one, unless another desk rotated it since); undefined when none is held. */
export async function loadDeploymentPrivateKey(
  dataKey: DataKeyHolder,
  store: DeploymentKeyStore = browserDeploymentKeyStore,
): Promise<AgreementKeyPair | undefined> {
  return (await loadDeploymentPrivateKeys(dataKey, store)).at(-1);
}

/**
 * Imports a key file another coordinator passed on. The key must be this deployment's: the one
 * pinned on this device, and the one `expectedFingerprint` names (the base's, as the caller read
 * it) when given; a device without a pin compares with the latter alone, and pins the key once the
 * passphrase has proven the file (both sources then agree). The file is kept too, so that this
 * coordinator can pass it on. Nothing is stored unless every check passed.
 */
export async function importKeyFile(
  text: string,
  passphrase: string,
  dataKey: DataKeyHolder,
  expectedFingerprint?: string,
  store: DeploymentKeyStore = browserDeploymentKeyStore,
  named: readonly string[] = [],
): Promise<ImportResult> {
  if (text.length > MAX_KEY_FILE_SIZE) return { ok: false, reason: IMPORT_ERRORS.notKeyFile };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: IMPORT_ERRORS.notKeyFile };
  }
  const file = deploymentKeyFileSchema.safeParse(json);
  if (!file.success) return { ok: false, reason: IMPORT_ERRORS.notKeyFile };

  const pinned = await loadPinnedKey();
  const expected = [pinned?.fingerprint, expectedFingerprint].filter((f): f is string => f !== undefined);
  if (expected.length === 0 && named.length === 0) return { ok: false, reason: IMPORT_ERRORS.noKnownKey };
  // The fingerprint the file declares is not proven until it opens, but it is enough to turn away
  // another deployment's file at once, without making a coordinator wait for Argon2id.
  // On a desk that pinned the root, a key the root named (`named`, fingerprints) is this
  // deployment's too: one rotated in since this desk pinned its key, or an earlier one.
  const isThisDeployment = (fingerprint: string) =>
    named.includes(fingerprint) || (expected.length > 0 && expected.every((f) => f === fingerprint));
  if (!isThisDeployment(file.data.fingerprint)) return { ok: false, reason: IMPORT_ERRORS.otherDeployment };

  // Extractable only to be wrapped again under the data key just below; the copy in use is not.
  const opened = await openKeyFile(file.data, passphrase, { extractable: true });
  if (!opened.ok)
    return { ok: false, reason: opened.reason === WRONG_PASSPHRASE ? IMPORT_ERRORS.wrongPassphrase : IMPORT_ERRORS.notKeyFile };
  const { publicKey } = opened.pair;
  // openKeyFile checked the key inside against the file's fingerprint; checked again here all the same.
  if (!isThisDeployment(publicKey.fingerprint)) return { ok: false, reason: IMPORT_ERRORS.otherDeployment };

  await keepDeploymentKey(opened.pair, dataKey, store);
  await saveDeploymentKeyFile(file.data);
  if (!pinned) await savePinnedKey({ key: publicKey.text, fingerprint: publicKey.fingerprint });
  return { ok: true, fingerprint: publicKey.fingerprint };
}

/**
 * The key file as this device keeps it, to pass on to another coordinator: sealed under the data key
 * (keyval.ts), so a seized, locked phone offers no copy of it to try passphrases against.
 */
export function saveDeploymentKeyFile(file: DeploymentKeyFile): Promise<void> {
  return setSealed(DEPLOYMENT_KEY_FILE, file);
}

export async function loadDeploymentKeyFile(): Promise<DeploymentKeyFile | undefined> {
  const file = deploymentKeyFileSchema.safeParse(await getSealed(DEPLOYMENT_KEY_FILE));
  return file.success ? file.data : undefined;
}
