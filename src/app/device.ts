/**
 * This device's id, made once at first start, before any enrollment (which later registers it), so
 * ops saved before enrollment need no change. idb-keyval's update is one transaction: two tabs
 * opened together still agree on one id.
 */
import { get, update } from './store/keyval.ts';
import { cryptoRandom } from '../domain/ids.ts';

const KEY = 'deviceId';

function newDeviceId(): string {
  return Array.from(cryptoRandom(16), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function deviceId(): Promise<string> {
  const existing = await get<string>(KEY);
  if (existing) return existing;
  await update<string>(KEY, (v) => v ?? newDeviceId());
  return (await get<string>(KEY))!;
}
