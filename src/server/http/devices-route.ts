/**
 * Coordinators' view of enrolled devices: `GET /api/v1/devices` lists them with their watermarks;
 * `POST /api/v1/devices/:device/revoke` revokes a lost phone, whose token is refused from then on.
 * Its ops stay: they were written before, and the chain of custody keeps them; those above its
 * cut-off stop counting on every device that follows the trust rule.
 */
import type { Hono } from 'hono';
import { deviceIdSchema } from '../../domain/id-schemas.ts';
import { revokeRequestSchema } from '../../domain/protocol.ts';
import { listDevices, revokeDevice } from '../enrollment/devices.ts';
import type { ApiDeps } from './api.ts';
import { requireCoordinator, requireDevice, type ApiEnv } from './auth.ts';
import { readJsonBody, SMALL_BODY_BYTES } from './body.ts';
import { ApiError } from './errors.ts';
import { jsonAnswer } from './json-answer.ts';

export function devicesRoutes(api: Hono<ApiEnv>, { store, now }: ApiDeps): void {
  api.get('/v1/devices', requireDevice(store.db, now), requireCoordinator, async (c) =>
    jsonAnswer(c, { devices: await listDevices(store.db) }),
  );

  api.post('/v1/devices/:device/revoke', requireDevice(store.db, now), requireCoordinator, async (c) => {
    const device = deviceIdSchema.safeParse(c.req.param('device'));
    if (!device.success) throw new ApiError(400, 'bad_request', 'That is not a device id.');
    // No body revokes at the last op taken; a body may only name an earlier cut-off.
    const hasBody = c.req.header('Content-Type') !== undefined || Number(c.req.header('Content-Length') ?? 0) > 0;
    const { cutoff } = hasBody ? await readJsonBody(c, revokeRequestSchema, SMALL_BODY_BYTES) : {};
    const revoked = await revokeDevice(store.db, device.data, now(), cutoff);
    if (!revoked) throw new ApiError(404, 'device_unknown', 'No device with this id is enrolled.');
    return jsonAnswer(c, revoked);
  });
}
