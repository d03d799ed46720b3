// Must come first: idb-keyval looks for IndexedDB when first used.
import 'fake-indexeddb/auto';
import { clear, get } from 'idb-keyval';
import { beforeEach, describe, expect, test } from 'vitest';
import { addRenewedKeys, DEVICE_KEYS, devicePublicKeys, loadDeviceKeys, makeDeviceKeys } from '../../../src/app/keys/device-keys.ts';
import { DataKeyHolder } from '../../../src/app/store/at-rest.ts';

beforeEach(() => clear());

async function unlocked(): Promise<DataKeyHolder> {
  const keys = new DataKeyHolder();
  await keys.set(crypto.getRandomValues(new Uint8Array(32)));
  return keys;
}

describe('renewed key pairs', () => {
  test('are kept wrapped beside those of the enrollment, and load back with them after a restart', async () => {
    const dataKey = await unlocked();
    const enrolled = await makeDeviceKeys(dataKey);
    const renewed = await addRenewedKeys(dataKey);
    const loaded = await loadDeviceKeys(dataKey);
    expect(loaded?.signing.publicKey.text).toBe(enrolled.signing);
    expect(loaded?.renewed?.map((p) => p.signing.publicKey.text)).toEqual([renewed.signing.publicKey.text]);
    expect(loaded?.renewed?.[0]?.agreement.privateKey.extractable).toBe(false);
    // What the device shows as its keys stays the enrollment's until a coordinator confirms others.
    expect(await devicePublicKeys()).toEqual(enrolled);
    // Kept in the one entry the panic's first step deletes.
    expect(JSON.stringify(await get(DEVICE_KEYS))).toContain(renewed.signing.publicKey.text);
  });

  test('are not made on a device that has no keys to renew', async () => {
    await expect(addRenewedKeys(await unlocked())).rejects.toThrow('err.keys.missing');
  });
});
