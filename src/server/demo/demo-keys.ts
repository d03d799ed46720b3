/**
 * The demo base's keys, made fresh for each demo as a real deployment's are: a root and a
 * deployment key, as the first coordinator's desk makes them, and each demo device's key pairs, as
 * a phone makes its own. Every demo op is then sealed and signed with the same domain code phones
 * and desks use (domain/op/outgoing.ts), so the demo base holds what a real one holds: headers and
 * ciphertext, and roster and gazetteer ops signed in clear.
 *
 * The root and deployment private keys leave only as a root file and a key file under passphrases
 * printed for anyone to read: the demo protects nothing, and says so. The devices' private keys are
 * dropped once the ops are sealed: nobody writes as a demo device afterwards.
 */
import { SUITES, type AgreementAlg } from '../../domain/crypto/algorithms.ts';
import { KEY_FILE_KIND, ROOT_FILE_KIND, type DeploymentKeyFile, type RootFile } from '../../domain/crypto/key-file.ts';
import { generateKeyPair, type AgreementKeyPair, type PublicKey, type SigningKeyPair } from '../../domain/crypto/keys.ts';
import { PairKeyCache } from '../../domain/crypto/pair-keys.ts';
import { ARGON2ID_FLOOR } from '../../domain/crypto/passphrase.ts';
import { wrapUnderPassphrase } from '../../domain/crypto/wrapped-key.ts';
import { newOpId, type DeviceId, type RandomBytes, type TargetId } from '../../domain/ids.ts';
import type { Op } from '../../domain/op/op.ts';
import { CODECS_READ } from '../../domain/op/codecs.ts';
import { sealForWire, type Sealer } from '../../domain/op/outgoing.ts';
import type { WireOp } from '../../domain/op/wire.ts';
import { signRootStatement } from '../../domain/root-statement.ts';

/**
 * The passphrases of the demo's files, printed beside them. Demo only: anyone who reads this line
 * or the server's output holds them, so they must never wrap a real deployment's keys.
 */
export const DEMO_KEY_PASSPHRASE = 'demo only - invented reports - key file';
export const DEMO_ROOT_PASSPHRASE = 'demo only - invented reports - root file';

/** The names the files get in the data folder; a coordinator imports them on the Devices screen. */
export const DEMO_KEY_FILE = 'rasid-demo-deployment-key.json';
export const DEMO_ROOT_FILE = 'rasid-demo-root-key.json';

/** The keys as the travelling text a roster entry and the base's device list hold. */
export interface PublicKeyTexts {
  agreement: string;
  signing: string;
}

export interface DemoKeys {
  root: SigningKeyPair;
  deployment: AgreementKeyPair;
  /** Each demo device's own key pairs, sealing and signing its ops. */
  devices: ReadonlyMap<DeviceId, Sealer>;
}

/** One suite for the whole demo: X25519 and Ed25519, which Node and every browser the desk runs in have. */
const SUITE = SUITES['x25519-ed25519'];

export async function makeDemoKeys(devices: readonly DeviceId[]): Promise<DemoKeys> {
  const [root, deployment] = await Promise.all([generateKeyPair(SUITE.signing), generateKeyPair(SUITE.agreement)]);
  const sealers = await Promise.all(
    devices.map(async (device) => {
      const [agreement, signing] = await Promise.all([generateKeyPair(SUITE.agreement), generateKeyPair(SUITE.signing)]);
      return [device, { agreement, signing, pairs: new PairKeyCache() }] as const;
    }),
  );
  return { root, deployment, devices: new Map(sealers) };
}

export function publicKeysOf(sealer: Sealer): PublicKeyTexts {
  return { agreement: sealer.agreement.publicKey.text, signing: sealer.signing.publicKey.text };
}

/**
 * The root file and the key file, each under its printed passphrase. At Argon2id's floor, not the
 * default: with the passphrase printed beside the file, a slower derivation would protect nothing
 * and only make each import wait.
 */
export async function demoFiles(keys: DemoKeys): Promise<{ keyFile: DeploymentKeyFile; rootFile: RootFile }> {
  const [key, root] = await Promise.all([
    wrapUnderPassphrase(keys.deployment.privateKey, DEMO_KEY_PASSPHRASE, { publicKey: keys.deployment.publicKey, params: ARGON2ID_FLOOR }),
    wrapUnderPassphrase(keys.root.privateKey, DEMO_ROOT_PASSPHRASE, { publicKey: keys.root.publicKey, params: ARGON2ID_FLOOR }),
  ]);
  if (!key.ok || !root.ok) throw new Error('The demo keys could not be wrapped under their passphrases.');
  return {
    keyFile: { kind: KEY_FILE_KIND, v: 1, fingerprint: keys.deployment.publicKey.fingerprint, wrapped: key.wrapped },
    rootFile: { kind: ROOT_FILE_KIND, v: 1, fingerprint: keys.root.publicKey.fingerprint, wrapped: root.wrapped },
  };
}

/**
 * The root's first statement, as the first coordinator's desk signs one: it names the demo's
 * coordinators with their keys, and the deployment key every op is sealed to.
 */
export function demoRootStatement(keys: DemoKeys, coordinators: readonly DeviceId[], at: number, random: RandomBytes): Promise<WireOp> {
  return signRootStatement(keys.root, {
    id: newOpId(at, random),
    deviceSeq: 1,
    at,
    entries: coordinators.map((device) => ({ device, role: 'coordinator', keys: { ...publicKeysOf(sealerOf(keys, device)) } })),
    deploymentKey: keys.deployment.publicKey.text,
  });
}

/**
 * A demo op as its device sends it: sealed to the deployment key and to its author, and a
 * coordinator's edit of a monitor's report to that monitor as well, so the phone could read the
 * correction; a deployment op signed in clear. `owner` names the device that created a report.
 */
export async function sealDemoOp(op: Op, keys: DemoKeys, owner: (report: TargetId) => DeviceId | undefined): Promise<WireOp> {
  const author = sealerOf(keys, op.device);
  const recipients: PublicKey<AgreementAlg>[] = [keys.deployment.publicKey, author.agreement.publicKey];
  const reportOwner = owner(op.reportId);
  if (reportOwner !== undefined && reportOwner !== op.device) recipients.push(sealerOf(keys, reportOwner).agreement.publicKey);
  // Written as by this app's devices, every one of which opens every codec it knows.
  const sealed = await sealForWire(op, author, recipients, CODECS_READ);
  // The scenario writes only ops its devices may write; one that does not seal is a bug in it.
  if (!sealed.ok) throw new Error(`A demo op could not be sealed: ${sealed.reason}`);
  return sealed.wire;
}

function sealerOf(keys: DemoKeys, device: DeviceId): Sealer {
  const sealer = keys.devices.get(device);
  if (!sealer) throw new Error(`The demo has no keys for ${device}.`);
  return sealer;
}
