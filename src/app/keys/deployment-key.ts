/**
 * Making the deployment key, once, on the first coordinator's device: an agreement key pair whose
 * private half is wrapped under a coordinator passphrase (Argon2id) and kept as a key file, which
 * other coordinators receive and the command line export opens. The base gets the public half only.
 * The maker's device also keeps the private half under its data key (deployment-private.ts), so its
 * desk reads sealed reports without the passphrase being typed again.
 */
import { SUITES, detectSuite, type SigningAlg } from '../../domain/crypto/algorithms.ts';
import { KEY_FILE_KIND, ROOT_FILE_KIND, type DeploymentKeyFile, type RootFile } from '../../domain/crypto/key-file.ts';
import { generateKeyPair, type SigningKeyPair } from '../../domain/crypto/keys.ts';
import { wrapUnderPassphrase } from '../../domain/crypto/wrapped-key.ts';
import { enoughWords, FEW_WORDS } from '../../domain/crypto/passphrase.ts';
import { cryptoRandom, newOpId, type DeviceId, type RandomBytes } from '../../domain/ids.ts';
import { deploymentKeyResponseSchema, type DeploymentKeyResponse } from '../../domain/protocol.ts';
import type { WireOp } from '../../domain/op/wire.ts';
import { signRootStatement } from '../../domain/root-statement.ts';
import type { Role } from '../../domain/roles.ts';
import type { DataKeyHolder } from '../store/at-rest.ts';
import { callApi, SYNC_ERRORS, SyncError, type Endpoint } from '../sync/transport.ts';
import { savePinnedKey, savePinnedRoot, type PinnedKey, type PinnedRootKey } from './deployment-pin.ts';
import type { DeviceKeys } from './device-keys.ts';
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

/** The root as made with the deployment key: its file, to keep offline, its pin, and its first statement. */
export interface MadeRoot {
  file: RootFile;
  pin: PinnedRootKey;
  /** Names the maker coordinator (with its keys) and the deployment key: relayed at the next sync. */
  statement: WireOp;
}

export type MadeKey = { ok: true; file: DeploymentKeyFile; pin: PinnedKey; root: MadeRoot } | { ok: false; reason: string };

/** Two passphrases as typed twice: the coordinators' (key file) and the root file's. */
export interface KeyPassphrases {
  passphrase: string;
  confirm: string;
  rootPassphrase: string;
  rootConfirm: string;
}

/**
 * Makes the deployment's keys: the root, kept offline in its root file (never on this device), and
 * the deployment key, whose key file coordinators share. The root's first statement names this
 * device coordinator, with its keys, and the deployment key. Registers both public keys with the
 * base, and keeps the key file, the pins and the deployment private key (under `dataKey`) here. A
 * base that already has keys keeps them (409): this device's new keys are then thrown away.
 */
type Maker = { role: Role; device: DeviceId; keys: DeviceKeys };
type Deps = { now: () => number; random: RandomBytes };
export const sameTyped = (a: string, b: string) => a.normalize('NFC') === b.normalize('NFC');

/** A new root for `deploymentKey`: its file under `passphrase`, and its first statement naming the maker. */
async function newRoot(
  alg: SigningAlg,
  maker: Maker,
  passphrase: string,
  deploymentKey: string,
  deps: Deps,
): Promise<{ root: SigningKeyPair; made: MadeRoot } | undefined> {
  const root = await generateKeyPair(alg);
  const wrapped = await wrapUnderPassphrase(root.privateKey, passphrase, { publicKey: root.publicKey });
  if (!wrapped.ok) return undefined;
  const statement = await signRootStatement(root, {
    id: newOpId(deps.now(), deps.random),
    deviceSeq: 1,
    at: deps.now(),
    entries: [
      {
        device: maker.device,
        role: 'coordinator',
        keys: { agreement: maker.keys.agreement.publicKey.text, signing: maker.keys.signing.publicKey.text },
      },
    ],
    deploymentKey,
  });
  const file: RootFile = { kind: ROOT_FILE_KIND, v: 1, fingerprint: root.publicKey.fingerprint, wrapped: wrapped.wrapped };
  return { root, made: { file, pin: { key: root.publicKey.text, fingerprint: root.publicKey.fingerprint }, statement } };
}

/**
 * Makes the deployment's keys: the root, kept offline in its root file (never on this device), and
 * the deployment key, whose key file coordinators share. The root's first statement names this
 * device coordinator, with its keys, and the deployment key. Registers both public keys with the
 * base, and keeps the key file, the pins and the deployment private key (under `dataKey`) here. A
 * base that already has keys keeps them (409): this device's new keys are then thrown away.
 */
export async function makeDeploymentKey(
  endpoint: Endpoint,
  maker: Maker,
  typed: KeyPassphrases,
  dataKey: DataKeyHolder,
  deps: Deps = { now: Date.now, random: cryptoRandom },
): Promise<MadeKey> {
  if (maker.role !== 'coordinator') return { ok: false, reason: 'sync.err.forbidden' };
  if (!sameTyped(typed.passphrase, typed.confirm) || !sameTyped(typed.rootPassphrase, typed.rootConfirm))
    return { ok: false, reason: 'lock.err.mismatch' };
  // One passphrase for both files would let every coordinator who holds the key file open the root file too.
  if (sameTyped(typed.passphrase, typed.rootPassphrase)) return { ok: false, reason: 'deploymentKey.err.samePassphrase' };
  if (!enoughWords(typed.passphrase) || !enoughWords(typed.rootPassphrase)) return { ok: false, reason: FEW_WORDS };
  // Checked first: a key registered with the base but not kept on the maker's desk would leave it unable to read.
  if (!dataKey.unlocked) return { ok: false, reason: 'lock.err.locked' };
  const suite = SUITES[await detectSuite()];
  const pair = await generateKeyPair(suite.agreement);
  const [wrapped, rooted] = await Promise.all([
    wrapUnderPassphrase(pair.privateKey, typed.passphrase, { publicKey: pair.publicKey }),
    newRoot(suite.signing, maker, typed.rootPassphrase, pair.publicKey.text, deps),
  ]);
  if (!wrapped.ok || !rooted) return { ok: false, reason: 'lock.err.tooShort' };
  const answer = deploymentKeyResponseSchema.safeParse(
    await callApi(endpoint, '/api/v1/deployment-key', { key: pair.publicKey.text, root: rooted.made.pin.key }, false, 'PUT'),
  );
  if (!answer.success || answer.data.fingerprint !== pair.publicKey.fingerprint) return { ok: false, reason: SYNC_ERRORS.badResponse };
  const file: DeploymentKeyFile = { kind: KEY_FILE_KIND, v: 1, fingerprint: pair.publicKey.fingerprint, wrapped: wrapped.wrapped };
  const pin = { key: pair.publicKey.text, fingerprint: pair.publicKey.fingerprint };
  await Promise.all([saveDeploymentKeyFile(file), savePinnedKey(pin), savePinnedRoot(rooted.made.pin), keepDeploymentKey(pair, dataKey)]);
  return { ok: true, file, pin, root: rooted.made };
}

export type MadeRootOnly = { ok: true; root: MadeRoot } | { ok: false; reason: string };

/**
 * The upgrade of a deployment made before roots: its first coordinator makes the root for the
 * deployment key this device pinned, registers it with the base (links pin it from then on), and
 * pins it here. Devices enrolled before take it on this coordinator's word (trust.ts, `pinEndorsedRoot`).
 */
export async function makeRoot(
  endpoint: Endpoint,
  maker: Maker,
  deploymentKey: PinnedKey,
  typed: { rootPassphrase: string; rootConfirm: string },
  deps: Deps = { now: Date.now, random: cryptoRandom },
): Promise<MadeRootOnly> {
  if (maker.role !== 'coordinator') return { ok: false, reason: 'sync.err.forbidden' };
  if (!sameTyped(typed.rootPassphrase, typed.rootConfirm)) return { ok: false, reason: 'lock.err.mismatch' };
  if (!enoughWords(typed.rootPassphrase)) return { ok: false, reason: FEW_WORDS };
  const alg = maker.keys.signing.alg;
  const rooted = await newRoot(alg, maker, typed.rootPassphrase, deploymentKey.key, deps);
  if (!rooted) return { ok: false, reason: 'lock.err.tooShort' };
  const answer = deploymentKeyResponseSchema.safeParse(
    await callApi(endpoint, '/api/v1/deployment-key', { key: deploymentKey.key, root: rooted.made.pin.key }, false, 'PUT'),
  );
  if (!answer.success || answer.data.root?.key !== rooted.made.pin.key) return { ok: false, reason: SYNC_ERRORS.badResponse };
  await savePinnedRoot(rooted.made.pin);
  return { ok: true, root: rooted.made };
}
