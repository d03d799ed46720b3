/**
 * Who is calling: a device token in `Authorization: Bearer <token>`, looked up by its SHA-256 at
 * every request (no cache, so a revoked device is refused at once). Routes read the caller from
 * `c.get('caller')`; coordinator endpoints add `requireCoordinator`.
 */
import type { Kysely } from 'kysely';
import type { MiddlewareHandler } from 'hono';
import { deviceByToken } from '../enrollment/devices.ts';
import type { Caller } from '../store/index.ts';
import type { Database } from '../store/schema.ts';
import { ApiError } from './errors.ts';

export interface ApiEnv {
  Variables: { caller: Caller };
}

const BEARER = /^Bearer[ \t]+([A-Za-z0-9_-]{22,128})[ \t]*$/i;

export function requireDevice(db: Kysely<Database>): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const header = c.req.header('Authorization');
    if (header === undefined) throw new ApiError(401, 'token_missing', 'This endpoint needs a device token: Authorization: Bearer <token>.');
    // A malformed token cannot be anyone's: answer as for an unknown one, without a lookup.
    const token = BEARER.exec(header)?.[1];
    const owner = token === undefined ? undefined : await deviceByToken(db, token);
    if (!owner) throw new ApiError(401, 'token_unknown', 'This device token is not known here; enroll the device again.');
    if (owner.revokedAt !== null) throw new ApiError(401, 'token_revoked', 'This device was revoked by a coordinator.');
    c.set('caller', { device: owner.device, role: owner.role });
    await next();
  };
}

export const requireCoordinator: MiddlewareHandler<ApiEnv> = async (c, next) => {
  if (c.get('caller').role !== 'coordinator') throw new ApiError(403, 'coordinator_only', 'Only a coordinator may do this.');
  await next();
};
