/**
 * The keys sync seals and opens ops with, held in memory while the app is unlocked: this device's
 * own key pairs, the deployment's public key as pinned at enrollment, and on a coordinator's desk
 * that has it, the deployment's private key. Without a pinned deployment key (a base not set up
 * yet) ops travel in version 1, as before the deployment had a key.
 */
import type { AgreementAlg } from '../../domain/crypto/algorithms.ts';
import type { DeviceId } from '../../domain/ids.ts';
import type { AgreementKeyPair, PublicKey } from '../../domain/crypto/keys.ts';
import { PairKeyCache } from '../../domain/crypto/pair-keys.ts';
import { KeyDirectory } from '../../domain/key-directory.ts';
import type { Reader } from '../../domain/op/read.ts';
import type { Sealer } from '../../domain/op/outgoing.ts';
import { rosterEntriesOf, ROSTER_ID } from '../../domain/roster.ts';
import type { DeviceKeyPairs, DeviceKeys } from '../keys/device-keys.ts';
import type { PinnedRoot, TrustedRoster } from '../../domain/trusted-roster.ts';
import { heldStatements, trustOver } from './trust.ts';
import { heldVouchings } from './vouching.ts';
import type { RasidDb } from '../store/db.ts';

export interface OpKeys {
  self: DeviceId;
  device: DeviceKeys;
  deploymentPublic?: PublicKey<AgreementAlg>;
  deploymentPrivate?: AgreementKeyPair;
  /** Earlier deployment keys this desk holds, after a rotation: they open ops sealed before it. */
  pastDeployment?: AgreementKeyPair[];
  /** The deployment root as pinned at enrollment: from then on, trust follows from it alone (trust.ts). */
  root?: PinnedRoot;
  pairs: PairKeyCache;
}

export function opKeys(
  self: DeviceId,
  device: DeviceKeys,
  more: {
    deploymentPublic?: PublicKey<AgreementAlg>;
    deploymentPrivate?: AgreementKeyPair;
    pastDeployment?: AgreementKeyPair[];
    root?: PinnedRoot;
  } = {},
): OpKeys {
  return { self, device, ...more, pairs: new PairKeyCache() };
}

/**
 * Who holds which keys, with this device's own keys and the deployment's: once the root is pinned,
 * as the trust rule gives them from the statements this device holds; before, as its roster says.
 */
export async function directoryOf(db: RasidDb, keys: OpKeys): Promise<KeyDirectory> {
  if (keys.root) return directoryOfTrust(await trustOver(await heldStatements(db, keys.self), keys.root, keys.self), keys);
  const roster = rosterEntriesOf((await db.settings.get(ROSTER_ID))?.state);
  const directory = await KeyDirectory.of(roster.values(), extraOf(keys));
  // Its own keys count even before a roster names this device: it must read back what it wrote.
  // As a monitor entry, so that they never stand in for a coordinator the roster lacks.
  await directory.add({ device: keys.self, role: 'monitor', keys: ownKeys(keys) });
  return directory;
}

const extraOf = (keys: OpKeys) => (keys.deploymentPublic ? [keys.deploymentPublic] : []);
const ownKeys = (keys: OpKeys) => ({ agreement: keys.device.agreement.publicKey.text, signing: keys.device.signing.publicKey.text });

async function directoryOfTrust(trusted: TrustedRoster, keys: OpKeys): Promise<KeyDirectory> {
  const directory = await KeyDirectory.fromTrust(trusted, extraOf(keys));
  await directory.addOwn(keys.self, ownKeys(keys));
  return directory;
}

export async function readerOf(db: RasidDb, keys: OpKeys): Promise<Reader> {
  const mine = [
    keys.device.agreement,
    ...(keys.device.renewed ?? []).map((p) => p.agreement),
    ...(keys.deploymentPrivate ? [keys.deploymentPrivate] : []),
    ...(keys.pastDeployment ?? []),
  ];
  const { root } = keys;
  if (!root) return { mine, directory: await directoryOf(db, keys), pairs: keys.pairs };
  // The statements are read once: the directory is the trust rule's over them, and a batch adds its own.
  const [held, vouchings] = await Promise.all([heldStatements(db, keys.self), heldVouchings(db)]);
  const directory = await directoryOfTrust(await trustOver(held, root, keys.self), keys);
  const rooted = { root, self: keys.self, held, vouchings, directoryOf: (trusted: TrustedRoster) => directoryOfTrust(trusted, keys) };
  return { mine, directory, pairs: keys.pairs, rooted };
}

/** What a reader can open with, as text: ops that waited in quarantine are tried again when it changes. */
export function readerExtent(reader: Reader): string {
  const vouchings = reader.rooted ? `|${reader.rooted.vouchings.length}` : '';
  return reader.mine.map((k) => k.publicKey.kid).join(',') + '|' + reader.directory.extent + vouchings;
}

/** What seals and signs this device's ops: its pairs in force at the op (`pairs`), the enrollment ones by default. */
export function sealerOf(keys: OpKeys, pairs: DeviceKeyPairs = keys.device): Sealer {
  return { agreement: pairs.agreement, signing: pairs.signing, pairs: keys.pairs };
}
