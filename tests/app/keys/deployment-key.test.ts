// Must come first: Dexie and idb-keyval look for IndexedDB when first used.
import 'fake-indexeddb/auto';
import { clear, get } from 'idb-keyval';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { DEPLOYMENT_KEY_FILE, makeDeploymentKey } from '../../../src/app/keys/deployment-key.ts';
import {
  DEPLOYMENT_PRIVATE_KEY,
  importKeyFile,
  loadDeploymentKeyFile,
  loadDeploymentPrivateKey,
} from '../../../src/app/keys/deployment-private.ts';
import { loadPinnedKey, savePinnedKey } from '../../../src/app/keys/deployment-pin.ts';
import { DataKeyHolder } from '../../../src/app/store/at-rest.ts';
import { enrollDevice, ORIGIN, startBase, type Base } from '../sync/sync-fixtures.ts';

const PASS = 'seven olive trees by the spring';
const bases: Base[] = [];
beforeEach(() => clear());
afterEach(async () => {
  for (const b of bases.splice(0)) await b.close();
});

function unlocked(): DataKeyHolder {
  const keys = new DataKeyHolder();
  keys.set(crypto.getRandomValues(new Uint8Array(32)));
  return keys;
}

async function firstCoordinator() {
  const base = await startBase();
  bases.push(base);
  const coordinator = await enrollDevice(base, 'coord', 'coordinator');
  return { origin: ORIGIN, token: coordinator.token, fetch: base.fetch };
}

test('the maker’s device keeps the private key under its data key, and the file it makes opens on another coordinator’s', async () => {
  const endpoint = await firstCoordinator();
  const dataKey = unlocked();
  const made = await makeDeploymentKey(endpoint, 'coordinator', PASS, PASS, dataKey);
  if (!made.ok) throw new Error(made.reason);
  const held = await loadDeploymentPrivateKey(dataKey);
  expect(held!.publicKey.fingerprint).toBe(made.pin.fingerprint);
  expect(held!.privateKey.extractable).toBe(false);
  expect(await loadDeploymentKeyFile()).toEqual(made.file);
  expect(await loadPinnedKey()).toEqual(made.pin);

  // Another coordinator's device: the same pin, its own data key, the file passed on.
  await clear();
  await savePinnedKey(made.pin);
  const other = unlocked();
  expect(await importKeyFile(JSON.stringify(made.file), PASS, other)).toEqual({ ok: true, fingerprint: made.pin.fingerprint });
  expect((await loadDeploymentPrivateKey(other))!.publicKey.text).toBe(made.pin.key);
});

test('a locked app makes no key: one the base took but this desk could not keep would leave it unable to read', async () => {
  const endpoint = await firstCoordinator();
  const locked = new DataKeyHolder();
  expect(await makeDeploymentKey(endpoint, 'coordinator', PASS, PASS, locked)).toEqual({ ok: false, reason: 'lock.err.locked' });
  expect(await get(DEPLOYMENT_KEY_FILE)).toBeUndefined();
  expect(await get(DEPLOYMENT_PRIVATE_KEY)).toBeUndefined();
  const res = await endpoint.fetch(`${ORIGIN}/api/v1/deployment-key`, { headers: { Authorization: `Bearer ${endpoint.token}` } });
  expect(res.status).toBe(404);
});
