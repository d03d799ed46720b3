/**
 * The trust rule on a device that pinned its deployment's root (docs/security.md, "Who is trusted:
 * the rule"): the roster statements it holds and those arriving, read without trusting them, give
 * the trusted roster (domain/trusted-roster.ts). Who counts as coordinator, as of each op, and whose
 * keys open and verify what, follow from it and from nothing the base says.
 *
 * A statement counts when its inner signature verifies under the key the rule gives its author
 * then; this device's own, not sent yet, count as its own (it signs them as they leave).
 */
import { readPublicKey } from '../../domain/crypto/keys.ts';
import { SEALED_OP_VERSION } from '../../domain/op/header.ts';
import { checkOpSignatureText } from '../../domain/op/signature.ts';
import type { DeviceId } from '../../domain/ids.ts';
import type { WireOp } from '../../domain/op/wire.ts';
import { DEPLOYMENT_ROOT_FIELD, rosterOf, ROSTER_ID, statementOf } from '../../domain/roster.ts';
import { rootDeviceOf } from '../../domain/root.ts';
import { savePinnedKey, savePinnedRoot } from '../keys/deployment-pin.ts';
import type { OpKeys } from './op-keys.ts';
import type { Op } from '../../domain/op/op.ts';
import { trustedRoster, type PinnedRoot, type RosterStatement, type TrustedRoster } from '../../domain/trusted-roster.ts';
import type { RasidDb } from '../store/db.ts';

/** A roster op as the rule reads it, with the form it travelled in to check its signature. */
export interface HeldStatement extends RosterStatement {
  wire?: WireOp;
}

export function statementOfRow(op: Op & { wire?: WireOp }): HeldStatement {
  return { ...statementOf(op), ...(op.wire && { wire: op.wire }) };
}

/**
 * The roster statements this device holds (its own and those it took in). A roster op held without
 * a signed form is no statement: another device's came in clear (taken in before the root, or
 * vouched for since), and an own one the base decided without one was sent in clear.
 */
export async function heldStatements(db: RasidDb, self: DeviceId): Promise<HeldStatement[]> {
  const [rows, watermark] = await Promise.all([db.ops.where('reportId').equals(ROSTER_ID).toArray(), db.getMeta('watermark')]);
  const inClear = (r: (typeof rows)[number]) => r.wire === undefined && (r.device !== self || r.deviceSeq <= (watermark ?? 0));
  return rows.filter((r) => !r.rejected && !inClear(r)).map(statementOfRow);
}

async function signedBy(statement: HeldStatement, signingKey: string): Promise<boolean> {
  const wire = statement.wire;
  if (wire?.v !== SEALED_OP_VERSION || typeof wire.sig !== 'string' || wire.id !== statement.opId) return false;
  if (wire.device !== statement.author || wire.deviceSeq !== statement.deviceSeq) return false;
  return checkOpSignatureText(signingKey, wire, wire.body, wire.sig);
}

/**
 * The trusted roster over `statements`, as device `self` judges it. A statement of its own that it
 * has not sent yet has no signature to check (it is signed as it leaves); every other, its own that
 * came back included, is held to its signature.
 */
export function trustOver(statements: readonly HeldStatement[], root: PinnedRoot, self: DeviceId): Promise<TrustedRoster> {
  return trustedRoster(statements, root, (s, key) => (s.wire === undefined && s.author === self) || signedBy(s, key));
}

/**
 * The upgrade of a device enrolled before its deployment had a root: it pins the root that a
 * coordinator its roster names endorsed in a signed roster op of its own (a signature this device
 * checked when it took the op in), so that from then on trust follows from that root alone. A base
 * cannot make one: it holds no coordinator's signing key. True when a root was pinned now.
 */
export async function pinEndorsedRoot(db: RasidDb, keys: OpKeys): Promise<boolean> {
  if (keys.root) return false;
  const roles = rosterOf((await db.settings.get(ROSTER_ID))?.state);
  const rows = await db.ops.where('reportId').equals(ROSTER_ID).toArray();
  const endorsing = rows
    .filter((r) => !r.rejected && r.wire?.v === SEALED_OP_VERSION && roles.get(r.device) === 'coordinator')
    .filter((r) => typeof r.body.changes[DEPLOYMENT_ROOT_FIELD] === 'string')
    .sort((a, b) => (a.body.hlc < b.body.hlc ? -1 : a.body.hlc > b.body.hlc ? 1 : a.id < b.id ? -1 : 1));
  const text = endorsing[0]?.body.changes[DEPLOYMENT_ROOT_FIELD] as string | undefined;
  const key = text !== undefined ? await readPublicKey(text, 'signing') : undefined;
  if (!key?.ok) return false;
  await savePinnedRoot({ key: key.key.text, fingerprint: key.key.fingerprint });
  keys.root = { device: rootDeviceOf(key.key.kid), signing: key.key.text };
  return true;
}

/**
 * The deployment key to seal to is the one the root's latest statement naming one names (the rule,
 * docs/security.md): once the root rotated it, this device pins the new key and seals to it from its
 * next op on; a desk keeps the earlier private key among its past ones, to open what was sealed
 * before. True when the key changed now.
 */
export async function followDeploymentKey(db: RasidDb, keys: OpKeys): Promise<boolean> {
  if (!keys.root) return false;
  const latest = (await db.getMeta('trust'))?.deploymentKeys.at(-1);
  if (latest === undefined || latest === keys.deploymentPublic?.text) return false;
  const read = await readPublicKey(latest, 'agreement');
  if (!read.ok) return false;
  await savePinnedKey({ key: read.key.text, fingerprint: read.key.fingerprint });
  const held = [...(keys.deploymentPrivate ? [keys.deploymentPrivate] : []), ...(keys.pastDeployment ?? [])];
  const current = held.find((k) => k.publicKey.text === read.key.text);
  keys.deploymentPublic = read.key;
  if (current) keys.deploymentPrivate = current;
  else delete keys.deploymentPrivate;
  const past = held.filter((k) => k !== current);
  if (past.length > 0) keys.pastDeployment = past;
  return true;
}

/**
 * After roster ops arrived, by sync or reply file: a device enrolled before the root takes it on its
 * coordinator's word, and a device that pinned it follows the root's deployment key. True when this
 * device pinned the root now (it then vouches for what it wrote before).
 */
export async function followRoster(db: RasidDb, keys: OpKeys): Promise<boolean> {
  const pinned = !keys.root && (await pinEndorsedRoot(db, keys));
  await followDeploymentKey(db, keys);
  return pinned;
}
