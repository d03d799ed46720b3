/**
 * Who is calling: a device token in `Authorization: Bearer <token>`, looked up by its SHA-256 at
 * every request (no cache, so a revoked device is refused at once). Routes read the caller from
 * `c.get('caller')`; coordinator endpoints add `requireCoordinator`.
 */
import type { Kysely } from 'kysely';
import type { MiddlewareHandler } from 'hono';
import { deviceByToken, noteContact, utcDate } from '../enrollment/devices.ts';
import type { Caller } from '../store/index.ts';
import type { Database } from '../store/schema.ts';
import { ApiError } from './errors.ts';
import { clientAddress, takeOrRefuse, type RequestLimits } from './rate-limit.ts';

export interface ApiEnv {
  Variables: { caller: Caller; limits: RequestLimits | undefined };
}

const BEARER = /^Bearer[ \t]+([A-Za-z0-9_-]{22,128})[ \t]*$/i;

export function requireDevice(db: Kysely<Database>, now: () => number): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const limits = c.get('limits');
    // Refused tokens are counted per address: past the allowance the answer is 429, so guessing
    // learns nothing. A valid token is never held back by its address (phones share one behind a
    // NAT); it has its device's own limit. The lookup stays: it is one indexed read.
    const address = limits?.address ? clientAddress(c, limits.trustProxy ?? false) : '';
    const refuse = (error: ApiError): never => {
      takeOrRefuse(limits?.address, address);
      throw error;
    };
    const header = c.req.header('Authorization');
    if (header === undefined)
      refuse(new ApiError(401, 'token_missing', 'This endpoint needs a device token: Authorization: Bearer <token>.'));
    // A malformed token cannot be anyone's: answer as for an unknown one, without a lookup.
    const token = BEARER.exec(header!)?.[1];
    const owner = token === undefined ? undefined : await deviceByToken(db, token);
    if (!owner) return refuse(new ApiError(401, 'token_unknown', 'This device token is not known here; enroll the device again.'));
    if (owner.revokedAt !== null) refuse(new ApiError(401, 'token_revoked', 'This device was revoked by a coordinator.'));
    takeOrRefuse(limits?.device, owner.device);
    // Its last contact, for coordinators to see who has gone quiet: a date, written once a day.
    const today = utcDate(now());
    if (owner.lastContact !== today) await noteContact(db, owner.device, today);
    c.set('caller', { device: owner.device, role: owner.role });
    await next();
  };
}

export const requireCoordinator: MiddlewareHandler<ApiEnv> = async (c, next) => {
  if (c.get('caller').role !== 'coordinator') throw new ApiError(403, 'coordinator_only', 'Only a coordinator may do this.');
  await next();
};
