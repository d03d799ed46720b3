/**
 * This device's enrollment as kept in idb-keyval: the deployment's origin, the role its code gave,
 * and the token. Read at start without a schema library (the first load stays small); the token is
 * a secret: it goes only into the Authorization header, never into a URL, a log line or the screen.
 */
import { get, set } from 'idb-keyval';

const KEY = 'enrollment';

export type EnrolledRole = 'monitor' | 'coordinator';

export interface Enrollment {
  origin: string;
  role: EnrolledRole;
  token: string;
  device: string;
  enrolledAt: number;
  /** When the token was last rotated; enrolledAt until then. */
  tokenIssuedAt?: number;
}

function isEnrollment(v: unknown): v is Enrollment {
  const e = v as Partial<Enrollment> | undefined;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.origin === 'string' &&
    (e.role === 'monitor' || e.role === 'coordinator') &&
    typeof e.token === 'string' &&
    typeof e.device === 'string' &&
    typeof e.enrolledAt === 'number'
  );
}

export async function loadEnrollment(device: string): Promise<Enrollment | undefined> {
  const stored: unknown = await get(KEY);
  // An enrollment of another device id (a copied profile) is not this device's.
  return isEnrollment(stored) && stored.device === device ? stored : undefined;
}

export function saveEnrollment(e: Enrollment): Promise<void> {
  return set(KEY, e);
}
