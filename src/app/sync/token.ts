/**
 * Retiring the device's token now and then, so a token copied from the phone (a backup, a forensic
 * image) stops working without anyone noticing the copy. The new token is saved before it is used;
 * the base keeps the old one valid until the new one's first use, so a lost answer costs nothing.
 */
import { tokenRotateResponseSchema } from '../../domain/protocol.ts';
import type { Enrollment } from '../enrollment-store.ts';
import { saveEnrollment } from '../enrollment-save.ts';
import { callApi, SyncError, SYNC_ERRORS, type Endpoint } from './transport.ts';

export const TOKEN_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

export function tokenIsOld(enrollment: Enrollment, now: number): boolean {
  return now - (enrollment.tokenIssuedAt ?? enrollment.enrolledAt) >= TOKEN_MAX_AGE_MS;
}

/**
 * Swaps the token for a new one when it is old: saved with the enrollment, then used by `endpoint`.
 * Returns the enrollment as it now is.
 */
export async function rotateTokenIfOld(
  enrollment: Enrollment,
  endpoint: Endpoint,
  now: number,
  save = saveEnrollment,
): Promise<Enrollment> {
  if (!tokenIsOld(enrollment, now)) return enrollment;
  const parsed = tokenRotateResponseSchema.safeParse(await callApi(endpoint, '/api/v1/token/rotate', {}));
  if (!parsed.success || parsed.data.device !== enrollment.device) throw new SyncError(SYNC_ERRORS.badResponse);
  const next: Enrollment = { ...enrollment, token: parsed.data.token, tokenIssuedAt: now };
  await save(next);
  endpoint.token = next.token;
  return next;
}
