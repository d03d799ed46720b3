/**
 * Enrolled devices as coordinators see and manage them, and the token check every request passes.
 * A revoked device's token stops working at its next request: nothing caches the lookup.
 */
import type { Kysely } from 'kysely';
import type { EnrolledDevice, Role } from '../../domain/protocol.ts';
import type { Database } from '../store/schema.ts';
import type { RandomBytes } from '../../domain/ids.ts';
import { randomSecret, secretHash, TOKEN_BYTES } from './secrets.ts';

export interface TokenOwner {
  device: string;
  role: Role;
  revokedAt: number | null;
}

export async function deviceByToken(db: Kysely<Database>, token: string): Promise<TokenOwner | undefined> {
  const row = await db.selectFrom('devices').select(['device', 'role', 'revoked_at']).where('token_hash', '=', secretHash(token)).executeTakeFirst();
  return row && { device: row.device, role: row.role, revokedAt: row.revoked_at === null ? null : Number(row.revoked_at) };
}

export async function listDevices(db: Kysely<Database>): Promise<EnrolledDevice[]> {
  const rows = await db
    .selectFrom('devices')
    .leftJoin('device_progress', 'device_progress.device', 'devices.device')
    .select(['devices.device', 'devices.role', 'devices.created_at', 'devices.revoked_at', 'devices.public_keys', 'device_progress.watermark'])
    .orderBy('devices.created_at')
    .orderBy('devices.device')
    .execute();
  return rows.map((r) => {
    const device: EnrolledDevice = {
      device: r.device,
      role: r.role,
      enrolledAt: Number(r.created_at),
      revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
      watermark: Number(r.watermark ?? 0),
    };
    if (r.public_keys !== null) device.keys = JSON.parse(r.public_keys) as Record<string, string>;
    return device;
  });
}

/** Revokes a device; revoking it again keeps the first time. Undefined when no such device is enrolled. */
export async function revokeDevice(db: Kysely<Database>, device: string, now: number): Promise<{ device: string; revokedAt: number } | undefined> {
  await db.updateTable('devices').set({ revoked_at: now }).where('device', '=', device).where('revoked_at', 'is', null).execute();
  const row = await db.selectFrom('devices').select('revoked_at').where('device', '=', device).executeTakeFirst();
  return row && { device, revokedAt: Number(row.revoked_at) };
}

/**
 * Gives the device a new random token in place of `oldToken`, storing only its hash. The update
 * names the old hash, so of two rotations racing with one token exactly one wins; undefined for
 * the other, whose old token is already gone.
 */
export async function rotateToken(db: Kysely<Database>, device: string, oldToken: string, random: RandomBytes): Promise<string | undefined> {
  const token = randomSecret(random, TOKEN_BYTES);
  const result = await db
    .updateTable('devices')
    .set({ token_hash: secretHash(token) })
    .where('device', '=', device)
    .where('token_hash', '=', secretHash(oldToken))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1 ? token : undefined;
}
