/**
 * This device's enrollment: the deployment's origin, the role the code gave, and the token. Kept in
 * idb-keyval, apart from the data. The token is a secret: it goes only into the Authorization header,
 * never into a URL, a log line or the screen.
 */
import { del, get, set } from 'idb-keyval';
import { z } from 'zod/mini';
import { enrollResponseSchema, ROLES, type Role } from '../../domain/protocol.ts';
import { SYNC_ERRORS, SyncError, type Fetch } from './transport.ts';

const KEY = 'enrollment';

export const enrollmentSchema = z.object({
  origin: z.string(),
  role: z.enum(ROLES),
  token: z.string(),
  device: z.string(),
  enrolledAt: z.number(),
});
export type Enrollment = z.infer<typeof enrollmentSchema>;

export async function loadEnrollment(device: string): Promise<Enrollment | undefined> {
  const parsed = enrollmentSchema.safeParse(await get(KEY));
  // An enrollment of another device id (a copied profile) is not this device's.
  return parsed.success && parsed.data.device === device ? parsed.data : undefined;
}

export function saveEnrollment(e: Enrollment): Promise<void> {
  return set(KEY, e);
}

export function forgetEnrollment(): Promise<void> {
  return del(KEY);
}

/** The code in an enrollment link's fragment (`/enroll#code=...`), which browsers never send to a server. */
export function codeFromHash(hash: string): string | undefined {
  const code = new URLSearchParams(hash.replace(/^#/, '')).get('code')?.trim();
  return code && code.length >= 8 && code.length <= 128 ? code : undefined;
}

/** What the base answered an enrollment with, as catalog keys. */
export const ENROLL_ERRORS: Record<string, string> = {
  code_unknown: 'enroll.err.codeUnknown',
  code_used: 'enroll.err.codeUsed',
  code_expired: 'enroll.err.codeExpired',
  device_enrolled: 'enroll.err.deviceEnrolled',
  device_revoked: 'enroll.err.deviceRevoked',
};

export class EnrollError extends Error {
  constructor(readonly key: string) {
    super(key);
  }
}

export async function enroll(args: { origin: string; code: string; device: string; fetch: Fetch; now: () => number }): Promise<Enrollment> {
  let res: Response;
  try {
    res = await args.fetch(`${args.origin}/api/v1/enroll`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ code: args.code, device: args.device }),
      cache: 'no-store',
    });
  } catch {
    throw new EnrollError(SYNC_ERRORS.network);
  }
  const json: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const code = (json as { error?: { code?: string } } | undefined)?.error?.code ?? '';
    throw new EnrollError(ENROLL_ERRORS[code] ?? (res.status >= 500 ? SYNC_ERRORS.server : 'enroll.err.refused'));
  }
  const parsed = enrollResponseSchema.safeParse(json);
  if (!parsed.success) throw new EnrollError(SYNC_ERRORS.badResponse);
  const enrollment: Enrollment = { origin: args.origin, role: parsed.data.role as Role, token: parsed.data.token, device: args.device, enrolledAt: args.now() };
  await saveEnrollment(enrollment);
  return enrollment;
}

export { SyncError };
