/**
 * This device's enrollment as kept in idb-keyval: the deployment's origin, the role its code gave,
 * and the token. Read at start without a schema library (the first load stays small); the token is
 * a secret: it goes only into the Authorization header, never into a URL, a log line or the screen,
 * and on disk it is sealed under the data key like the reports (keyval.ts).
 */
import type { DeviceId } from '../domain/ids.ts';
import { isRole, type Role } from '../domain/roles.ts';
import { getSealed } from './store/keyval.ts';

export const ENROLLMENT_ENTRY = 'enrollment';

export interface Enrollment {
  origin: string;
  role: Role;
  token: string;
  device: DeviceId;
  enrolledAt: number;
  /** When the token was last rotated; enrolledAt until then. */
  tokenIssuedAt?: number;
  /**
   * The pins this device holds (keys/deployment-pin.ts): once set, a pin that is missing is a fault,
   * never a reason to trust the base's key on first use again or to read by the roster from before
   * the root. Kept here because this entry cannot be deleted without the device ceasing to sync.
   */
  pins?: Pins;
}

export interface Pins {
  key?: true;
  root?: true;
}

export function isEnrollment(v: unknown): v is Enrollment {
  const e = v as Partial<Enrollment> | undefined;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.origin === 'string' &&
    isRole(e.role) &&
    typeof e.token === 'string' &&
    typeof e.device === 'string' &&
    typeof e.enrolledAt === 'number'
  );
}

export async function loadEnrollment(device: DeviceId): Promise<Enrollment | undefined> {
  const stored = await getSealed(ENROLLMENT_ENTRY);
  // An enrollment of another device id (a copied profile) is not this device's.
  return isEnrollment(stored) && stored.device === device ? stored : undefined;
}
