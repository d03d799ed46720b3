/**
 * The deployment's public keys on the base: the deployment key, which ops are sealed to, and the
 * root key, which names coordinators (src/domain/root.ts). Each is set once by a coordinator and
 * handed to every device that enrolls; enrollment links pin the root (the deployment key, for a
 * deployment made before roots). The base only relays them; a base that hands out other keys is
 * caught by that fingerprint.
 */
import type { Kysely } from 'kysely';
import { readPublicKey } from '../../domain/crypto/keys.ts';
import type { DeviceId, Fingerprint, KeyId } from '../../domain/ids.ts';
import { rootDeviceOf } from '../../domain/root.ts';
import type { DeploymentKeyResponse } from '../../domain/protocol.ts';
import type { WireOp } from '../../domain/op/wire.ts';
import { DEPLOYMENT_KEY_FIELD, ROSTER_ID } from '../../domain/roster.ts';
import type { Database } from '../store/schema.ts';
import { wireOfRow } from '../store/pull.ts';

/**
 * The answer, with the fingerprint this base computed itself: the key the root's latest statement
 * names, once the root rotated it, and otherwise the one a coordinator set.
 */
export async function readDeploymentKey(db: Kysely<Database>): Promise<(DeploymentKeyResponse & { fingerprint: Fingerprint }) | undefined> {
  const row = await db.selectFrom('meta').select(['deployment_key', 'root_key']).where('id', '=', 1).executeTakeFirst();
  const root = row?.root_key ? await readPublicKey(row.root_key, 'signing') : undefined;
  const rotated = root?.ok ? (await rootStatements(db, rootDeviceOf(root.key.kid)))[0]?.named : undefined;
  const text = rotated ?? row?.deployment_key;
  if (!text) return undefined;
  const read = await readPublicKey(text, 'agreement');
  return read.ok ? { key: read.key.text, fingerprint: read.key.fingerprint } : undefined;
}

export type SetOutcome = { ok: true; created: boolean; key: DeploymentKeyResponse } | { ok: false; reason: 'invalid' | 'already_set' };

/** Sets the key if none is set; setting the same key again is no change; another key is refused. */
export async function setDeploymentKey(db: Kysely<Database>, text: unknown): Promise<SetOutcome> {
  const read = await readPublicKey(text, 'agreement');
  if (!read.ok) return { ok: false, reason: 'invalid' };
  const key = { key: read.key.text, fingerprint: read.key.fingerprint };
  const set = await db
    .updateTable('meta')
    .set({ deployment_key: key.key })
    .where('id', '=', 1)
    .where('deployment_key', 'is', null)
    .executeTakeFirst();
  if (Number(set.numUpdatedRows) === 1) return { ok: true, created: true, key };
  const held = await readDeploymentKey(db);
  return held?.key === key.key ? { ok: true, created: false, key } : { ok: false, reason: 'already_set' };
}

/** The deployment root's public signing key, with its fingerprint and the device id its ops carry. */
export async function readDeploymentRoot(
  db: Kysely<Database>,
): Promise<{ key: string; fingerprint: Fingerprint; device: DeviceId } | undefined> {
  const row = await db.selectFrom('meta').select('root_key').where('id', '=', 1).executeTakeFirst();
  if (!row?.root_key) return undefined;
  const read = await readPublicKey(row.root_key, 'signing');
  return read.ok ? { key: read.key.text, fingerprint: read.key.fingerprint, device: rootDeviceOf(read.key.kid) } : undefined;
}

/** Sets the root key if none is set, as setDeploymentKey does the deployment key; it is never replaced here. */
export async function setDeploymentRoot(db: Kysely<Database>, text: unknown): Promise<SetOutcome> {
  const read = await readPublicKey(text, 'signing');
  if (!read.ok) return { ok: false, reason: 'invalid' };
  const key = { key: read.key.text, fingerprint: read.key.fingerprint };
  const set = await db.updateTable('meta').set({ root_key: key.key }).where('id', '=', 1).where('root_key', 'is', null).executeTakeFirst();
  if (Number(set.numUpdatedRows) === 1) return { ok: true, created: true, key };
  const held = await readDeploymentRoot(db);
  return held?.key === key.key ? { ok: true, created: false, key } : { ok: false, reason: 'already_set' };
}

/**
 * Whether the deployment has both its root and its deployment key: until then the base makes no
 * monitor code and enrolls no monitor (decision 055). A phone enrolled before them could not pin
 * whom it talks to, and would send its first reports in clear.
 */
export async function hasDeploymentKeys(db: Kysely<Database>): Promise<boolean> {
  const row = await db.selectFrom('meta').select(['deployment_key', 'root_key']).where('id', '=', 1).executeTakeFirst();
  return Boolean(row?.deployment_key && row.root_key);
}

/** What an enrollment link pins: the root once the deployment has one, before that its deployment key. */
export async function linkFingerprint(db: Kysely<Database>): Promise<Fingerprint | undefined> {
  return (await readDeploymentRoot(db))?.fingerprint ?? (await readDeploymentKey(db))?.fingerprint;
}

/**
 * The root's statements naming a deployment key, latest first, as they travel. The base stored each
 * only after its outer signature checked out under the root key (authorship.ts); devices check the
 * inner one before they take a key on its word.
 */
async function rootStatements(db: Kysely<Database>, root: DeviceId): Promise<{ named: string; wire: WireOp }[]> {
  const rows = await db
    .selectFrom('ops')
    .select(['id', 'v', 'kind', 'report_id', 'device', 'device_seq', 'body', 'sig', 'osig', 'blobs'])
    .where('device', '=', root)
    .where('report_id', '=', ROSTER_ID)
    .where('status', '=', 'ok')
    .orderBy('device_seq', 'desc')
    .execute();
  return rows.flatMap((r) => {
    let named: unknown;
    try {
      named = (JSON.parse(r.body) as { changes?: Record<string, unknown> }).changes?.[DEPLOYMENT_KEY_FIELD];
    } catch {
      return [];
    }
    return typeof named === 'string' ? [{ named, wire: wireOfRow(r) }] : [];
  });
}

/**
 * The root's latest statement naming `deploymentKey`, as it travels: a device that pins the root
 * takes the deployment key only on its word, checked before it enrolls.
 */
export async function rootStatementNaming(db: Kysely<Database>, root: DeviceId, deploymentKey: string): Promise<WireOp | undefined> {
  return (await rootStatements(db, root)).find((s) => s.named === deploymentKey)?.wire;
}

/**
 * A deployment key the root named, current or past, by its key id, with the root's latest statement
 * naming it: a desk that holds ops sealed to an earlier key learns which key that was on the root's word.
 */
export async function rootNamedKey(
  db: Kysely<Database>,
  root: DeviceId,
  kid: string,
): Promise<{ key: string; fingerprint: Fingerprint; statement: WireOp } | undefined> {
  for (const s of await rootStatements(db, root)) {
    const read = await readPublicKey(s.named, 'agreement');
    if (read.ok && read.key.kid === kid) return { key: read.key.text, fingerprint: read.key.fingerprint, statement: s.wire };
  }
  return undefined;
}

/**
 * Every deployment key of this deployment, current first: each key the root's statements named, and
 * the one a coordinator set with the root (or, before roots, alone). Ops sealed before a rotation
 * need an earlier one; a key no statement names and no coordinator set is not this deployment's.
 */
export async function deploymentKeysOf(db: Kysely<Database>): Promise<{ key: string; fingerprint: Fingerprint; kid: KeyId }[]> {
  const row = await db.selectFrom('meta').select(['deployment_key', 'root_key']).where('id', '=', 1).executeTakeFirst();
  const root = row?.root_key ? await readPublicKey(row.root_key, 'signing') : undefined;
  const named = root?.ok ? (await rootStatements(db, rootDeviceOf(root.key.kid))).map((s) => s.named) : [];
  const keys: { key: string; fingerprint: Fingerprint; kid: KeyId }[] = [];
  for (const text of [...named, ...(row?.deployment_key ? [row.deployment_key] : [])]) {
    const read = await readPublicKey(text, 'agreement');
    if (read.ok && !keys.some((k) => k.fingerprint === read.key.fingerprint))
      keys.push({ key: read.key.text, fingerprint: read.key.fingerprint, kid: read.key.kid });
  }
  return keys;
}
