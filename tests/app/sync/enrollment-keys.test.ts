// Must come first: Dexie and idb-keyval look for IndexedDB when first used.
import 'fake-indexeddb/auto';
import { clear, del, get } from 'idb-keyval';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { generateKeyPair } from '../../../src/domain/crypto/keys.ts';
import { DEVICE_KEYS, loadDeviceKeys } from '../../../src/app/keys/device-keys.ts';
import { loadPinnedKey, savePinnedRoot } from '../../../src/app/keys/deployment-pin.ts';
import { loadEnrollment } from '../../../src/app/enrollment-store.ts';
import { saveEnrollment } from '../../../src/app/enrollment-save.ts';
import { loadOpKeys, pinOnFirstUse } from '../../../src/app/sync/load-keys.ts';
import { DataKeyHolder } from '../../../src/app/store/at-rest.ts';
import { enroll, EnrollError, fingerprintFromHash } from '../../../src/app/sync/enrollment.ts';
import type { Fetch } from '../../../src/app/sync/transport.ts';
import { enrollDevice, ORIGIN, setDeploymentKey, startBase, T0, type Base } from './sync-fixtures.ts';
import { deviceId } from '../../ids.ts';
import { cryptoRandom } from '../../../src/domain/ids.ts';
import { makeEnrollmentCode } from '../../../src/server/enrollment/codes.ts';

const bases: Base[] = [];
beforeEach(() => clear());
afterEach(async () => {
  for (const b of bases.splice(0)) await b.close();
});

async function baseWithKey() {
  const base = await startBase();
  bases.push(base);
  const coordinator = await enrollDevice(base, 'coord', 'coordinator');
  const pair = await generateKeyPair('p256-ecdh');
  await setDeploymentKey(base, coordinator, pair);
  const made = await base.fetch(`${ORIGIN}/api/v1/enrollment-codes`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${coordinator.token}`, 'Content-Type': 'application/json' },
    // A deployment made before roots, whose links pin the deployment key itself: it makes a
    // coordinator's code, and no monitor's until its root is made (decision 055).
    body: JSON.stringify({ role: 'coordinator' }),
  });
  const { code, link } = (await made.json()) as { code: string; link: string };
  return { base, coordinator, code, fingerprint: fingerprintFromHash(new URL(link).hash)!, key: pair.publicKey.text };
}

async function unlocked(): Promise<DataKeyHolder> {
  const keys = new DataKeyHolder();
  await keys.set(crypto.getRandomValues(new Uint8Array(32)));
  return keys;
}

/** A base that shows `other` wherever the deployment key is asked for or answered. */
function swapping(fetch: Fetch, other: string, where: 'lookup' | 'answer'): Fetch {
  return async (url, init) => {
    const res = await fetch(url, init);
    const swap = (where === 'lookup' && url.endsWith('/deployment-key')) || (where === 'answer' && url.endsWith('/enroll'));
    if (!swap) return res;
    const body = (await res.json()) as Record<string, unknown>;
    return Response.json(where === 'lookup' ? { ...body, key: other } : { ...body, deploymentKey: other }, { status: res.status });
  };
}

describe('enrollment pins the deployment key and sends the device its own keys', () => {
  test('with the key the link names, the device enrolls, sends its public keys, and keeps its private keys only wrapped', async () => {
    const { base, code, fingerprint, key } = await baseWithKey();
    const dataKey = await unlocked();
    const enrollment = await enroll({
      origin: ORIGIN,
      code,
      fingerprint,
      device: deviceId('phone-keys-0001'),
      fetch: base.fetch,
      now: () => T0,
      dataKey,
    });
    expect(enrollment.role).toBe('coordinator');
    expect(await loadPinnedKey()).toEqual({ key, fingerprint });

    const stored = (await get(DEVICE_KEYS)) as Record<string, unknown>;
    expect(Object.keys(stored).sort()).toEqual(['agreement', 'signing']);
    for (const wrapped of Object.values(stored)) {
      expect(wrapped).not.toBeInstanceOf(CryptoKey);
      expect(wrapped).toMatchObject({ v: 1, iv: expect.any(String), ct: expect.any(String), pub: expect.any(String) });
    }
    const loaded = await loadDeviceKeys(dataKey);
    expect(loaded!.agreement.privateKey.extractable).toBe(false);
    expect(loaded!.signing.privateKey.extractable).toBe(false);

    const row = await base.store.db
      .selectFrom('devices')
      .select('public_keys')
      .where('device', '=', deviceId('phone-keys-0001'))
      .executeTakeFirstOrThrow();
    expect(JSON.parse(row.public_keys!)).toEqual({ agreement: loaded!.agreement.publicKey.text, signing: loaded!.signing.publicKey.text });

    // Another data key cannot open them.
    await expect(loadDeviceKeys(await unlocked())).rejects.toThrow();
  });

  test('a base that shows another key is refused before the code is spent; the code still works against the real key', async () => {
    const { base, code, fingerprint } = await baseWithKey();
    const impostor = (await generateKeyPair('p256-ecdh')).publicKey.text;
    const attempt = enroll({
      origin: ORIGIN,
      code,
      fingerprint,
      device: deviceId('phone-keys-0002'),
      fetch: swapping(base.fetch, impostor, 'lookup'),
      now: () => T0,
      dataKey: await unlocked(),
    });
    await expect(attempt).rejects.toEqual(new EnrollError('err.key.fingerprintMismatch'));
    expect(await get('enrollment')).toBeUndefined();
    const honest = await enroll({
      origin: ORIGIN,
      code,
      fingerprint,
      device: deviceId('phone-keys-0002'),
      fetch: base.fetch,
      now: () => T0,
      dataKey: await unlocked(),
    });
    expect(honest.role).toBe('coordinator');
  });

  test('a base that shows the right key but enrolls with another is refused, and the token it gave is not kept', async () => {
    const { base, code, fingerprint } = await baseWithKey();
    const impostor = (await generateKeyPair('p256-ecdh')).publicKey.text;
    const attempt = enroll({
      origin: ORIGIN,
      code,
      fingerprint,
      device: deviceId('phone-keys-0003'),
      fetch: swapping(base.fetch, impostor, 'answer'),
      now: () => T0,
      dataKey: await unlocked(),
    });
    await expect(attempt).rejects.toEqual(new EnrollError('err.key.fingerprintMismatch'));
    expect(await get('enrollment')).toBeUndefined();
    expect(await loadPinnedKey()).toBeUndefined();
  });

  test('a link naming a key the base does not have is refused', async () => {
    const base = await startBase();
    bases.push(base);
    const fingerprint = (await generateKeyPair('p256-ecdh')).publicKey.fingerprint;
    const attempt = enroll({
      origin: ORIGIN,
      code: 'C'.repeat(22),
      fingerprint,
      device: deviceId('phone-keys-0004'),
      fetch: base.fetch,
      now: () => T0,
    });
    await expect(attempt).rejects.toEqual(new EnrollError('enroll.err.noDeploymentKey'));
  });

  test("a monitor's code made before the deployment's keys is refused in words that say so, and the same link works once they are made", async () => {
    const base = await startBase();
    bases.push(base);
    const coordinator = await enrollDevice(base, 'coord', 'coordinator');
    // Left over on a base upgraded to keys coming first: made in its store as it made it then.
    const { code } = await makeEnrollmentCode(base.store.db, 'monitor', { now: () => base.clock.ms, random: cryptoRandom });
    const args = { origin: ORIGIN, code, device: deviceId('phone-keys-0005'), fetch: base.fetch, now: () => T0 };
    await expect(enroll(args)).rejects.toEqual(new EnrollError('enroll.err.keysFirst'));
    expect(await get('enrollment')).toBeUndefined();
    const [key, root] = await Promise.all([generateKeyPair('x25519'), generateKeyPair('ed25519')]);
    await setDeploymentKey(base, coordinator, key, root);
    expect((await enroll(args)).role).toBe('monitor');
  });

  test('a pin deleted from the profile stops sync: the device never takes the base’s key, nor reads as before its root, instead', async () => {
    const { base, code, fingerprint } = await baseWithKey();
    const dataKey = await unlocked();
    const device = deviceId('phone-keys-0006');
    await enroll({ origin: ORIGIN, code, fingerprint, device, fetch: base.fetch, now: () => T0, dataKey });
    expect((await loadOpKeys(dataKey, device))?.deploymentPublic).toBeDefined();
    // Pinned later, as a device does when its coordinator's roster names the root.
    const root = await generateKeyPair('ed25519');
    await savePinnedRoot({ key: root.publicKey.text, fingerprint: root.publicKey.fingerprint });
    // The token rotated meanwhile, from the enrollment as it was read at start: the marks stay.
    const atStart = (await loadEnrollment(device))!;
    await saveEnrollment({ ...atStart, pins: {}, token: 'x'.repeat(43) });
    expect((await loadOpKeys(dataKey, device))?.root).toBeDefined();

    // Deleting a sealed entry needs no passcode: the root's pin, then the deployment key's.
    await del('deploymentRoot');
    await expect(loadOpKeys(dataKey, device)).rejects.toThrow('err.keys.missing');
    await del('deploymentKey');
    await expect(loadOpKeys(dataKey, device)).rejects.toThrow('err.keys.missing');
  });

  test('a device enrolled before its deployment had a key pins the first key the base serves, and then holds to it', async () => {
    const { base, code, key } = await baseWithKey();
    const dataKey = await unlocked();
    const device = deviceId('phone-keys-0007');
    await enroll({ origin: ORIGIN, code, device, fetch: base.fetch, now: () => T0, dataKey });
    const keys = (await loadOpKeys(dataKey, device))!;
    expect(keys.deploymentPublic).toBeUndefined();
    await pinOnFirstUse(keys, { origin: ORIGIN, token: 'unused', fetch: base.fetch });
    expect(keys.deploymentPublic?.text).toBe(key);
    await del('deploymentKey');
    await expect(loadOpKeys(dataKey, device)).rejects.toThrow('err.keys.missing');
  });

  test('the fingerprint is read from the link only when well formed', () => {
    expect(fingerprintFromHash('#code=abcdefgh&fp=' + 'A'.repeat(43))).toBe('A'.repeat(43));
    expect(fingerprintFromHash('#code=abcdefgh&fp=short')).toBeUndefined();
    expect(fingerprintFromHash('#code=abcdefgh')).toBeUndefined();
  });
});
