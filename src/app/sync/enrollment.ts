/**
 * Enrolling this device with a one-time code: the base registers the device id made at first start
 * (so ops saved before need no change) and answers a token, kept by enrollment-store.ts.
 *
 * When the link carries a fingerprint (`&fp=`), the device first fetches the deployment's keys and
 * refuses a base whose keys do not match, before it spends the code or sends anything of its own:
 * the root's key, with the deployment key as the root's statement names it, or in a deployment made
 * before roots the deployment key itself. The key in the enrollment answer is checked again. The device's own key pairs are made here
 * and their public halves sent with the code.
 */
import { fingerprintSchema } from '../../domain/id-schemas.ts';
import type { DeviceId, Fingerprint } from '../../domain/ids.ts';
import { CODECS_READ } from '../../domain/op/codecs.ts';
import { enrollResponseSchema } from '../../domain/protocol.ts';
import type { Enrollment } from '../enrollment-store.ts';
import { saveEnrollment } from '../enrollment-save.ts';
import { makeDeviceKeys } from '../keys/device-keys.ts';
import { checkPinned, fetchPinnedKey, PinError, savePinnedKey, savePinnedRoot } from '../keys/deployment-pin.ts';
import type { DataKeyHolder } from '../store/at-rest.ts';
import { SYNC_ERRORS, type Fetch } from './transport.ts';

export type { Enrollment } from '../enrollment-store.ts';

/** The code in an enrollment link's fragment (`/enroll#code=...`), which browsers never send to a server. */
export function codeFromHash(hash: string): string | undefined {
  const code = new URLSearchParams(hash.replace(/^#/, '')).get('code')?.trim();
  return code && code.length >= 8 && code.length <= 128 ? code : undefined;
}

/** The deployment key's fingerprint in the same fragment (`&fp=...`), when the deployment has a key. */
export function fingerprintFromHash(hash: string): Fingerprint | undefined {
  const fp = fingerprintSchema.safeParse(new URLSearchParams(hash.replace(/^#/, '')).get('fp')?.trim());
  return fp.success ? fp.data : undefined;
}

/** What the base answered an enrollment with, as catalog keys. */
export const ENROLL_ERRORS: Record<string, string> = {
  code_unknown: 'enroll.err.codeUnknown',
  code_used: 'enroll.err.codeUsed',
  code_expired: 'enroll.err.codeExpired',
  device_enrolled: 'enroll.err.deviceEnrolled',
  device_revoked: 'enroll.err.deviceRevoked',
  keys_first: 'enroll.err.keysFirst',
};

export class EnrollError extends Error {
  constructor(readonly key: string) {
    super(key);
  }
}

export interface EnrollArgs {
  origin: string;
  code: string;
  /** From the link; the deployment key must have it. */
  fingerprint?: Fingerprint;
  device: DeviceId;
  fetch: Fetch;
  now: () => number;
  /** The unlocked data key, which the device's private keys are wrapped under. */
  dataKey?: DataKeyHolder;
}

async function pinned<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw e instanceof PinError ? new EnrollError(e.key) : e;
  }
}

export async function enroll(args: EnrollArgs): Promise<Enrollment> {
  const fingerprint = args.fingerprint;
  const pins = fingerprint ? await pinned(() => fetchPinnedKey(args.origin, fingerprint, args.fetch)) : undefined;
  const keys = args.dataKey ? await makeDeviceKeys(args.dataKey) : undefined;
  let res: Response;
  try {
    res = await args.fetch(`${args.origin}/api/v1/enroll`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ code: args.code, device: args.device, ...(keys && { keys }), codecs: CODECS_READ }),
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
  // The answer's key must be the one just checked: a base cannot show one key and enroll with another.
  if (pins?.root) {
    if (parsed.data.deploymentKey !== pins.key.key) throw new EnrollError('enroll.err.noDeploymentKey');
    await Promise.all([savePinnedKey(pins.key), savePinnedRoot(pins.root)]);
  } else if (fingerprint) {
    const answered = parsed.data.deploymentKey;
    if (answered === undefined) throw new EnrollError('enroll.err.noDeploymentKey');
    await savePinnedKey(await pinned(() => checkPinned(answered, fingerprint)));
  }
  const enrollment: Enrollment = {
    origin: args.origin,
    role: parsed.data.role,
    token: parsed.data.token,
    device: args.device,
    enrolledAt: args.now(),
    ...(fingerprint && { pins: { key: true, ...(pins?.root && { root: true }) } }),
  };
  await saveEnrollment(enrollment);
  return enrollment;
}
