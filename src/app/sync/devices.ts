/**
 * What a coordinator's app asks the base about devices: one-time enrollment codes, the list of
 * enrolled devices, and revoking a lost phone.
 */
import {
  devicesResponseSchema,
  enrollmentCodeResponseSchema,
  revokeResponseSchema,
  type EnrolledDevice,
  type EnrollmentCodeResponse,
} from '../../domain/protocol.ts';
import type { Role } from '../../domain/roles.ts';
import { callApi, SYNC_ERRORS, SyncError, type Endpoint } from './transport.ts';

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, json: unknown): T {
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new SyncError(SYNC_ERRORS.badResponse);
  return parsed.data;
}

export async function createEnrollmentCode(endpoint: Endpoint, role: Role): Promise<EnrollmentCodeResponse> {
  return parse(enrollmentCodeResponseSchema, await callApi(endpoint, '/api/v1/enrollment-codes', { role }));
}

export async function listDevices(endpoint: Endpoint): Promise<EnrolledDevice[]> {
  return parse(devicesResponseSchema, await callApi(endpoint, '/api/v1/devices')).devices;
}

export async function revokeDevice(endpoint: Endpoint, device: string): Promise<void> {
  parse(revokeResponseSchema, await callApi(endpoint, `/api/v1/devices/${encodeURIComponent(device)}/revoke`, {}));
}
