/**
 * Enrolling this device with a one-time code: the base registers the device id made at first start
 * (so ops saved before need no change) and answers a token, kept by enrollment-store.ts.
 */
import { enrollResponseSchema } from '../../domain/protocol.ts';
import { saveEnrollment, type Enrollment } from '../enrollment-store.ts';
import { SYNC_ERRORS, type Fetch } from './transport.ts';

export type { Enrollment } from '../enrollment-store.ts';

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
  const enrollment: Enrollment = { origin: args.origin, role: parsed.data.role, token: parsed.data.token, device: args.device, enrolledAt: args.now() };
  await saveEnrollment(enrollment);
  return enrollment;
}
