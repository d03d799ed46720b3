/**
 * Enrolling a device: spend a one-time code, register the device's id with the code's role and the
 * public keys it sent, and give it a token. All in one transaction, so a code is never spent
 * without a device, nor a device registered on a code someone else spent at the same moment.
 *
 * A device id is enrolled once. A revoked id stays revoked: re-enrolling it with a fresh code would
 * let whoever holds that code (a monitor, say) take over a lost phone's identity and see its
 * reports. A phone found again starts over under a new device id.
 */
import type { Kysely } from 'kysely';
import type { DeviceId, RandomBytes } from '../../domain/ids.ts';
import type { Role } from '../../domain/roles.ts';
import type { Database } from '../store/schema.ts';
import { codecsText } from '../store/codecs.ts';
import { hasDeploymentKeys } from './deployment-key.ts';
import { randomSecret, secretHash, TOKEN_BYTES } from './secrets.ts';

export type EnrollFailure = 'code_unknown' | 'code_used' | 'code_expired' | 'device_enrolled' | 'device_revoked' | 'keys_first';

export type EnrollOutcome = { ok: true; token: string; role: Role } | { ok: false; reason: EnrollFailure };

export interface EnrollInput {
  code: string;
  device: DeviceId;
  keys?: Record<string, string> | undefined;
  /** The body codecs it opens, as it said them; none said is kept as null. */
  codecs?: readonly number[] | undefined;
}

/** Thrown inside the transaction to roll back a spent code when the device id was taken meanwhile. */
class DeviceTaken extends Error {}

export async function enrollDevice(
  db: Kysely<Database>,
  { code, device, keys, codecs }: EnrollInput,
  deps: { now: () => number; random: RandomBytes },
): Promise<EnrollOutcome> {
  const now = deps.now();
  const codeHash = secretHash(code);
  try {
    return await db.transaction().execute(async (trx): Promise<EnrollOutcome> => {
      const row = await trx
        .selectFrom('enrollment_codes')
        .select(['role', 'expires_at', 'used_at', 'code_id'])
        .where('code_hash', '=', codeHash)
        .executeTakeFirst();
      if (!row) return { ok: false, reason: 'code_unknown' };
      if (row.used_at !== null) return { ok: false, reason: 'code_used' };
      if (Number(row.expires_at) <= now) return { ok: false, reason: 'code_expired' };
      // The base makes no monitor code before the deployment's keys, but a base upgraded to that
      // rule may still hold monitor codes made before it: refused here too, and left unused, so the
      // same link works once the keys are made. A code made before the keys and spent after them is
      // not refused: the base does not keep when its keys were set, such a code lives a day at most,
      // and its phone, whose link pinned nothing, is one enrolled before the key existed: it takes
      // the key the base serves (docs/security.md, Sealed sync, "Does not protect").
      if (row.role === 'monitor' && !(await hasDeploymentKeys(trx))) return { ok: false, reason: 'keys_first' };

      const known = await trx.selectFrom('devices').select('revoked_at').where('device', '=', device).executeTakeFirst();
      // Checked before the code is spent: a device that is already enrolled keeps the code usable.
      if (known) return { ok: false, reason: known.revoked_at === null ? 'device_enrolled' : 'device_revoked' };

      // Spend the code only if still unspent: of two devices racing with one code, the second's
      // update waits for the first to commit and then matches no row.
      const spent = await trx
        .updateTable('enrollment_codes')
        .set({ used_at: now, used_by: device })
        .where('code_hash', '=', codeHash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (Number(spent.numUpdatedRows) !== 1) return { ok: false, reason: 'code_used' };

      const token = randomSecret(deps.random, TOKEN_BYTES);
      const inserted = await trx
        .insertInto('devices')
        .values({
          device,
          role: row.role,
          token_hash: secretHash(token),
          revoked_at: null,
          created_at: now,
          public_keys: keys && Object.keys(keys).length > 0 ? JSON.stringify(keys) : null,
          enrollment_code: row.code_id ?? null,
          codecs: codecs ? codecsText(codecs) : null,
        })
        .onConflict((oc) => oc.column('device').doNothing())
        .returning('device')
        .executeTakeFirst();
      if (!inserted) throw new DeviceTaken();
      return { ok: true, token, role: row.role };
    });
  } catch (error) {
    // The same id enrolled through another code at the same moment; it is enrolled now, not revoked.
    if (error instanceof DeviceTaken) return { ok: false, reason: 'device_enrolled' };
    throw error;
  }
}
