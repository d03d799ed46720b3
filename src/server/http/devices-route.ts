/**
 * Coordinators' view of enrolled devices: `GET /api/v1/devices` lists them with their watermarks;
 * `POST /api/v1/devices/:device/revoke` revokes a lost phone, whose token is refused from then on.
 * Its ops stay: they were written before, and the chain of custody keeps them.
 */
import type { Hono } from 'hono';
import { deviceIdSchema } from '../../domain/id-schemas.ts';
import { listDevices, revokeDevice } from '../enrollment/devices.ts';
import type { ApiDeps } from './api.ts';
import { requireCoordinator, requireDevice, type ApiEnv } from './auth.ts';
import { ApiError } from './errors.ts';
import { jsonAnswer } from './json-answer.ts';

export function devicesRoutes(api: Hono<ApiEnv>, { store, now }: ApiDeps): void {
  api.get('/v1/devices', requireDevice(store.db), requireCoordinator, async (c) => jsonAnswer(c, { devices: await listDevices(store.db) }));

  api.post('/v1/devices/:device/revoke', requireDevice(store.db), requireCoordinator, async (c) => {
    const device = deviceIdSchema.safeParse(c.req.param('device'));
    if (!device.success) throw new ApiError(400, 'bad_request', 'That is not a device id.');
    const revoked = await revokeDevice(store.db, device.data, now());
    if (!revoked) throw new ApiError(404, 'device_unknown', 'No device with this id is enrolled.');
    return jsonAnswer(c, revoked);
  });
}
