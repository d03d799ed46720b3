/**
 * This device's id, made once at first start, before any enrollment (which later registers it), so
 * ops saved before enrollment need no change. idb-keyval's update is one transaction: two tabs
 * opened together still agree on one id.
 */
import { get, update } from './store/keyval.ts';
import { cryptoRandom, newDeviceId, type DeviceId } from '../domain/ids.ts';

const KEY = 'deviceId';

export async function deviceId(): Promise<DeviceId> {
  const existing = await get<DeviceId>(KEY);
  if (existing) return existing;
  await update<DeviceId>(KEY, (v) => v ?? newDeviceId(cryptoRandom));
  return (await get<DeviceId>(KEY))!;
}
