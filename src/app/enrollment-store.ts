/**
 * This device's enrollment as kept in idb-keyval: the deployment's origin, the role its code gave,
 * and the token. Read at start without a schema library (the first load stays small); the token is
 * a secret: it goes only into the Authorization header, never into a URL, a log line or the screen,
 * and on disk it is sealed under the data key like the reports (at-rest.ts).
 */
import { get, set } from './store/keyval.ts';
import { cryptoRandom, type DeviceId } from '../domain/ids.ts';
import { isRole, type Role } from '../domain/roles.ts';
import { openRow, SEALED_PROP, sealRow, type DataKeyHolder } from './store/at-rest.ts';

const KEY = 'enrollment';

export interface Enrollment {
  origin: string;
  role: Role;
  token: string;
  device: DeviceId;
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
    isRole(e.role) &&
    typeof e.token === 'string' &&
    typeof e.device === 'string' &&
    typeof e.enrolledAt === 'number'
  );
}

/** The data key enrollments are sealed under; set once the app is unlocked. */
let dataKey: DataKeyHolder | undefined;

export function sealEnrollmentWith(holder: DataKeyHolder): void {
  dataKey = holder;
}

const TABLE = 'enrollment';

export async function loadEnrollment(device: DeviceId): Promise<Enrollment | undefined> {
  let stored: unknown = await get(KEY);
  if (dataKey && typeof stored === 'object' && stored !== null && SEALED_PROP in stored) {
    try {
      stored = openRow(TABLE, stored, KEY, dataKey.get());
    } catch {
      // Sealed under another key or changed on disk: this device is not enrolled as far as it can
      // tell, and a coordinator's new code enrolls it again.
      return undefined;
    }
  } else if (dataKey && isEnrollment(stored)) {
    // Kept in clear by a version before the lock: sealed now.
    await saveEnrollment(stored);
  }
  // An enrollment of another device id (a copied profile) is not this device's.
  return isEnrollment(stored) && stored.device === device ? stored : undefined;
}

export function saveEnrollment(e: Enrollment): Promise<void> {
  return set(KEY, dataKey ? sealRow(TABLE, { ...e }, KEY, dataKey.get(), cryptoRandom) : e);
}
