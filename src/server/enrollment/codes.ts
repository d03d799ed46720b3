/**
 * One-time enrollment codes and the links that carry them. A coordinator makes one per device; the
 * server makes the first coordinator's when the store is new, and `npm run coordinator-link` makes
 * more (a lost link, a second coordinator).
 *
 * The code travels in the link's fragment (`#code=`): browsers never send a fragment, so the code
 * reaches no server log, proxy included.
 */
import type { Kysely } from 'kysely';
import type { Fingerprint, RandomBytes } from '../../domain/ids.ts';
import { CODE_EXPIRY_MINUTES } from '../../domain/protocol.ts';
import type { Role } from '../../domain/roles.ts';
import type { Database } from '../store/schema.ts';
import { CODE_BYTES, randomSecret, secretHash } from './secrets.ts';

/** An unused code's life unless the coordinator chooses another (CODE_EXPIRY_MINUTES). */
export const DEFAULT_CODE_LIFETIME_MS = CODE_EXPIRY_MINUTES.usual * 60 * 1000;
/** Spent and expired codes are kept this long (so a late attempt hears "expired", not "unknown"), then deleted. */
const KEEP_OLD_CODES_MS = 30 * 24 * 60 * 60 * 1000;

/** 72 bits: an id, not a secret, random only so that it says nothing of when or by whom a code was made. */
const CODE_ID_BYTES = 9;

export interface EnrollmentCode {
  code: string;
  /** The code's public id: what `GET /devices` names for the device that used it. */
  codeId: string;
  role: Role;
  /** ms since the Unix epoch. */
  expiresAt: number;
}

export interface CodeDeps {
  now: () => number;
  random: RandomBytes;
}

export async function makeEnrollmentCode(
  db: Kysely<Database>,
  role: Role,
  { now, random }: CodeDeps,
  lifetimeMs = DEFAULT_CODE_LIFETIME_MS,
): Promise<EnrollmentCode> {
  const code = randomSecret(random, CODE_BYTES);
  const codeId = randomSecret(random, CODE_ID_BYTES);
  const createdAt = now();
  const expiresAt = createdAt + lifetimeMs;
  await db
    .deleteFrom('enrollment_codes')
    .where('expires_at', '<', createdAt - KEEP_OLD_CODES_MS)
    .execute();
  await db
    .insertInto('enrollment_codes')
    .values({
      code_hash: secretHash(code),
      code_id: codeId,
      role,
      created_at: createdAt,
      expires_at: expiresAt,
      used_at: null,
      used_by: null,
    })
    .execute();
  return { code, codeId, role, expiresAt };
}

/**
 * `<origin>/enroll#code=<code>`, and `&fp=<fingerprint>` once the deployment has its key: what the
 * QR code and the printed link hold. The fingerprint travels from the coordinator to the device with
 * the code, never through the base alone, so the device can refuse a key the base swapped.
 */
export function enrollmentLink(origin: string, code: string, fingerprint?: Fingerprint): string {
  return `${origin}/enroll#code=${code}${fingerprint ? `&fp=${fingerprint}` : ''}`;
}

/**
 * The first coordinator's code, made once per store. Several processes starting on one new
 * PostgreSQL database race here; the one whose update claims the row makes the code, the others
 * get undefined and print nothing.
 */
export async function claimFirstCoordinatorCode(db: Kysely<Database>, deps: CodeDeps): Promise<EnrollmentCode | undefined> {
  return db.transaction().execute(async (trx) => {
    const claimed = await trx
      .updateTable('meta')
      .set({ first_link_at: deps.now() })
      .where('id', '=', 1)
      .where('first_link_at', 'is', null)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return undefined;
    return makeEnrollmentCode(trx, 'coordinator', deps);
  });
}

/** "1 hour", "24 hours": a lifetime as the printed links say it. */
export function lifetimeText(ms: number): string {
  const hours = ms / 3_600_000;
  return hours === 1 ? '1 hour' : `${hours} hours`;
}
