/**
 * What a coordinator's app asks the base about devices: one-time enrollment codes, the list of
 * enrolled devices, and revoking a lost phone, from the moment it was lost when that was earlier.
 */
import {
  devicesResponseSchema,
  enrollmentCodeResponseSchema,
  revokeResponseSchema,
  type EnrolledDevice,
  type EnrollmentCodeResponse,
} from '../../domain/protocol.ts';
import type { DeviceId } from '../../domain/ids.ts';
import type { Role } from '../../domain/roles.ts';
import type { RasidDb } from '../store/db.ts';
import { callApi, SYNC_ERRORS, SyncError, type Endpoint } from './transport.ts';

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, json: unknown): T {
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new SyncError(SYNC_ERRORS.badResponse);
  return parsed.data;
}

/** The base's refusals of a code that the Devices screen has words for, as catalog keys. */
const CODE_REFUSALS: Record<string, string> = {
  // A monitor's code before the deployment has its root and deployment key (decision 055).
  keys_first: 'devices.keysFirst',
};

/** Why a code was not made, as a catalog key: the base's reason where the screen has words for it. */
export function codeRefusal(e: unknown): string {
  if (!(e instanceof SyncError)) return SYNC_ERRORS.network;
  return (e.baseCode !== undefined && CODE_REFUSALS[e.baseCode]) || e.code;
}

/** A one-time code for `role`, unused after `expiresInMinutes` (the base's hour when not given). */
export async function createEnrollmentCode(endpoint: Endpoint, role: Role, expiresInMinutes?: number): Promise<EnrollmentCodeResponse> {
  const request = expiresInMinutes === undefined ? { role } : { role, expiresInMinutes };
  return parse(enrollmentCodeResponseSchema, await callApi(endpoint, '/api/v1/enrollment-codes', request));
}

export async function listDevices(endpoint: Endpoint): Promise<EnrolledDevice[]> {
  return parse(devicesResponseSchema, await callApi(endpoint, '/api/v1/devices')).devices;
}

/** Revokes a device; with `cutoff`, its ops above that `deviceSeq` stop counting too (a theft reported late). */
export async function revokeDevice(endpoint: Endpoint, device: string, cutoff?: number): Promise<void> {
  const body = cutoff === undefined ? {} : { cutoff };
  parse(revokeResponseSchema, await callApi(endpoint, `/api/v1/devices/${encodeURIComponent(device)}/revoke`, body));
}

/**
 * The cut-off for a device lost or stolen at `since`: its last op the base took before then (by the
 * base's clock, as this desk holds its ops), and how many of its ops held here come after it.
 */
export async function cutoffSince(db: RasidDb, device: DeviceId, since: number): Promise<{ cutoff: number; after: number }> {
  const ops = await db.ops.where('[device+deviceSeq]').between([device, 0], [device, Infinity]).toArray();
  const cutoff = ops.reduce((m, o) => (o.receivedAt !== undefined && o.receivedAt < since ? Math.max(m, o.deviceSeq) : m), 0);
  return { cutoff, after: ops.filter((o) => o.deviceSeq > cutoff).length };
}

/**
 * How many ops of `device` this desk holds that the base has not served back yet (taken from a
 * request file while the base was out of reach): relayed at the next sync, unless a revocation's
 * cut-off comes first. The revoke dialog names them, so the coordinator can sync before revoking.
 */
export function heldForRelay(db: RasidDb, device: DeviceId): Promise<number> {
  return db.ops
    .where('[device+deviceSeq]')
    .between([device, 0], [device, Infinity])
    .filter((o) => o.seq === undefined)
    .count();
}
