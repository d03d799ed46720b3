/**
 * Enrolled devices as coordinators see and manage them, and the token check every request passes.
 * A revoked device's token stops working at its next request: nothing caches the lookup.
 */
import type { Kysely } from 'kysely';
import type { EnrolledDevice } from '../../domain/protocol.ts';
import type { Role } from '../../domain/roles.ts';
import type { Database } from '../store/schema.ts';
import type { DeviceId, RandomBytes } from '../../domain/ids.ts';
import { randomSecret, secretHash, TOKEN_BYTES } from './secrets.ts';

export interface TokenOwner {
  device: DeviceId;
  role: Role;
  revokedAt: number | null;
  /** The UTC date of its last authenticated request before this one, if any. */
  lastContact: string | null;
}

/** The UTC date of a time, `YYYY-MM-DD`: all the base keeps of when a device was last in touch. */
export function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Notes that the device was in touch on `date`; an earlier date (a server clock set back) never
 * replaces a later one. Each call is a write, so callers make it only when the date they read with
 * the token differs: one write per device a day, not one per request, and a push never waits
 * behind it.
 */
export async function noteContact(db: Kysely<Database>, device: DeviceId, date: string): Promise<void> {
  await db
    .updateTable('devices')
    .set((eb) => ({
      last_contact: eb
        .case()
        .when(eb.or([eb('last_contact', 'is', null), eb('last_contact', '<', date)]))
        .then(date)
        .else(eb.ref('last_contact'))
        .end(),
    }))
    .where('device', '=', device)
    .execute();
}

/**
 * The device a token belongs to. The first use of a rotated token makes it the device's only one:
 * from then on the token it replaced is refused.
 */
export async function deviceByToken(db: Kysely<Database>, token: string): Promise<TokenOwner | undefined> {
  const hash = secretHash(token);
  const row = await db
    .selectFrom('devices')
    .select(['device', 'role', 'revoked_at', 'next_token_hash', 'last_contact'])
    .where((eb) => eb.or([eb('token_hash', '=', hash), eb('next_token_hash', '=', hash)]))
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.next_token_hash === hash) {
    await db
      .updateTable('devices')
      .set({ token_hash: hash, next_token_hash: null })
      .where('device', '=', row.device)
      .where('next_token_hash', '=', hash)
      .execute();
  }
  return {
    device: row.device,
    role: row.role,
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    lastContact: row.last_contact ?? null,
  };
}

export async function listDevices(db: Kysely<Database>): Promise<EnrolledDevice[]> {
  const rows = await db
    .selectFrom('devices')
    .leftJoin('device_progress', 'device_progress.device', 'devices.device')
    .select([
      'devices.device',
      'devices.role',
      'devices.created_at',
      'devices.revoked_at',
      'devices.cutoff',
      'devices.public_keys',
      'devices.last_contact',
      'devices.enrollment_code',
      'device_progress.watermark',
      // Its newest op by its own sequence: one step down the (device, device_seq) index, where the
      // latest receive time over all its ops would read every op it ever sent.
      (eb) =>
        eb
          .selectFrom('ops')
          .select('ops.received_at')
          .whereRef('ops.device', '=', 'devices.device')
          .orderBy('ops.device_seq', 'desc')
          .limit(1)
          .as('last_op_at'),
    ])
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
    if (r.cutoff !== null && r.cutoff !== undefined) device.cutoff = Number(r.cutoff);
    if (r.last_contact) device.lastContactDate = r.last_contact;
    if (r.enrollment_code) device.enrollmentCode = r.enrollment_code;
    if (r.last_op_at !== null && r.last_op_at !== undefined) device.lastOpDate = utcDate(Number(r.last_op_at));
    return device;
  });
}

/**
 * Revokes a device, with its cut-off: its last `deviceSeq` the base has taken, or `lower` when the
 * coordinator names an earlier one (a phone reported stolen days late). Under the lock pushes take,
 * so no op of its commits between the two. Revoking again keeps the first time; it may only lower
 * the cut-off, never raise it. Undefined when no such device is enrolled.
 */
export async function revokeDevice(
  db: Kysely<Database>,
  device: DeviceId,
  now: number,
  lower?: number,
): Promise<{ device: DeviceId; revokedAt: number; cutoff: number } | undefined> {
  return db.transaction().execute(async (trx) => {
    await trx
      .updateTable('counter')
      .set((eb) => ({ last_seq: eb.ref('last_seq') }))
      .where('id', '=', 1)
      .execute();
    const row = await trx.selectFrom('devices').select(['revoked_at', 'cutoff']).where('device', '=', device).executeTakeFirst();
    if (!row) return undefined;
    const last = await trx
      .selectFrom('ops')
      .select((eb) => eb.fn.max('device_seq').as('last'))
      .where('device', '=', device)
      .where('status', '=', 'ok')
      .executeTakeFirst();
    const held = row.cutoff === null || row.cutoff === undefined ? Number(last?.last ?? 0) : Number(row.cutoff);
    const cutoff = Math.min(held, lower ?? Infinity);
    const revokedAt = row.revoked_at === null ? now : Number(row.revoked_at);
    await trx.updateTable('devices').set({ revoked_at: revokedAt, cutoff }).where('device', '=', device).execute();
    return { device, revokedAt, cutoff };
  });
}

/**
 * Gives the device a new random token to use in place of `oldToken`, storing only its hash. The old
 * token keeps working until the new one is first used, so an answer lost on the way leaves the
 * device its old token; asking again replaces a new token never used. Undefined when `oldToken` is
 * not the device's current token (another rotation's new token was used meanwhile).
 */
export async function rotateToken(
  db: Kysely<Database>,
  device: DeviceId,
  oldToken: string,
  random: RandomBytes,
): Promise<string | undefined> {
  const token = randomSecret(random, TOKEN_BYTES);
  const result = await db
    .updateTable('devices')
    .set({ next_token_hash: secretHash(token) })
    .where('device', '=', device)
    .where('token_hash', '=', secretHash(oldToken))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1 ? token : undefined;
}
