/**
 * `POST /api/v1/token/rotate`: any enrolled device swaps its token for a new one. The new token is
 * answered once and only its SHA-256 is stored; the old one stops working when the new one is first
 * used, so a token that may have been copied (a backup of the phone, a log somewhere) can be
 * retired without enrolling again, and an answer lost on a bad connection locks no phone out.
 */
import type { Hono } from 'hono';
import { rotateToken } from '../enrollment/devices.ts';
import type { ApiDeps } from './api.ts';
import { requireDevice, type ApiEnv } from './auth.ts';
import { ApiError } from './errors.ts';
import { jsonAnswer } from './json-answer.ts';

export function tokenRoutes(api: Hono<ApiEnv>, { store, random, now }: ApiDeps): void {
  api.post('/v1/token/rotate', requireDevice(store.db, now), async (c) => {
    const caller = c.get('caller');
    const token = await rotateToken(store.db, caller.device, bearerToken(c.req.header('Authorization')), random);
    // Another rotation's new token was used first: this one's old token is no longer the device's.
    if (token === undefined) throw new ApiError(401, 'token_unknown', 'This device token is not known here; enroll the device again.');
    return jsonAnswer(c, { token, device: caller.device });
  });
}

function bearerToken(header: string | undefined): string {
  return (header ?? '').replace(/^Bearer[ \t]+/i, '').trim();
}
