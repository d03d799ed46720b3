/**
 * The deployment's public key on the base: set once by a coordinator, handed to every device that
 * enrolls, and pinned by the fingerprint in each enrollment link. The base only relays it; a base
 * that hands out another key is caught by that fingerprint.
 */
import type { Kysely } from 'kysely';
import { readPublicKey } from '../../domain/crypto/keys.ts';
import type { Fingerprint } from '../../domain/ids.ts';
import type { DeploymentKeyResponse } from '../../domain/protocol.ts';
import type { Database } from '../store/schema.ts';

/** The answer, with the fingerprint this base computed itself. */
export async function readDeploymentKey(db: Kysely<Database>): Promise<(DeploymentKeyResponse & { fingerprint: Fingerprint }) | undefined> {
  const row = await db.selectFrom('meta').select('deployment_key').where('id', '=', 1).executeTakeFirst();
  if (!row?.deployment_key) return undefined;
  const read = await readPublicKey(row.deployment_key, 'agreement');
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
