// Must come first: Dexie and idb-keyval look for IndexedDB when first used.
import 'fake-indexeddb/auto';
import { clear, entries, get } from 'idb-keyval';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { DEPLOYMENT_KEY_FILE, makeDeploymentKey } from '../../../src/app/keys/deployment-key.ts';
import {
  DEPLOYMENT_PRIVATE_KEY,
  importKeyFile,
  loadDeploymentKeyFile,
  loadDeploymentPrivateKey,
} from '../../../src/app/keys/deployment-private.ts';
import { loadPinnedKey, loadPinnedRoot, savePinnedKey } from '../../../src/app/keys/deployment-pin.ts';
import { fromBase64url } from '../../../src/domain/crypto/bytes.ts';
import { openRootFile } from '../../../src/domain/crypto/key-file.ts';
import { generateKeyPair } from '../../../src/domain/crypto/keys.ts';
import { checkOpSignature } from '../../../src/domain/op/signature.ts';
import { readStatement } from '../../../src/domain/op/read.ts';
import { rootDeviceOf } from '../../../src/domain/root.ts';
import { DEPLOYMENT_KEY_FIELD, rosterField } from '../../../src/domain/roster.ts';
import { DataKeyHolder } from '../../../src/app/store/at-rest.ts';
import { sealEntriesWith } from '../../../src/app/store/keyval.ts';
import { enrollDevice, ORIGIN, startBase, type Base } from '../sync/sync-fixtures.ts';

const PASS = 'seven olive trees by the spring';
const ROOT_PASS = 'a well dug below the old mill';
const TYPED = { passphrase: PASS, confirm: PASS, rootPassphrase: ROOT_PASS, rootConfirm: ROOT_PASS };
const bases: Base[] = [];
beforeEach(() => clear());
afterEach(async () => {
  for (const b of bases.splice(0)) await b.close();
});

async function unlocked(): Promise<DataKeyHolder> {
  const keys = new DataKeyHolder();
  await keys.set(crypto.getRandomValues(new Uint8Array(32)));
  return keys;
}

async function firstCoordinator() {
  const base = await startBase();
  bases.push(base);
  const coordinator = await enrollDevice(base, 'coord', 'coordinator');
  const keys = { agreement: await generateKeyPair('x25519'), signing: await generateKeyPair('ed25519') };
  const maker = { role: 'coordinator' as const, device: coordinator.device, keys };
  return { endpoint: { origin: ORIGIN, token: coordinator.token, fetch: base.fetch }, maker, base };
}

test('the maker’s device keeps the private key and the key file under its data key, and the file opens on another coordinator’s', async () => {
  const { endpoint, maker } = await firstCoordinator();
  const dataKey = await unlocked();
  sealEntriesWith(dataKey);
  const made = await makeDeploymentKey(endpoint, maker, TYPED, dataKey);
  if (!made.ok) throw new Error(made.reason);
  const held = await loadDeploymentPrivateKey(dataKey);
  expect(held!.publicKey.fingerprint).toBe(made.pin.fingerprint);
  expect(held!.privateKey.extractable).toBe(false);
  expect(await loadDeploymentKeyFile()).toEqual(made.file);
  expect(await loadPinnedKey()).toEqual(made.pin);
  // A locked phone's profile offers no copy of the key file to guess its passphrase against.
  expect(JSON.stringify(await entries())).not.toContain(made.file.wrapped.ct);

  // Another coordinator's device: the same pin, its own data key, the file passed on.
  await clear();
  const other = await unlocked();
  sealEntriesWith(other);
  await savePinnedKey(made.pin);
  expect(await importKeyFile(JSON.stringify(made.file), PASS, other)).toEqual({ ok: true, fingerprint: made.pin.fingerprint });
  expect((await loadDeploymentPrivateKey(other))!.publicKey.text).toBe(made.pin.key);
});

test('a passphrase of fewer than five different words, for either file, makes no key: the base holds none', async () => {
  const { endpoint, maker } = await firstCoordinator();
  const dataKey = await unlocked();
  const four = 'olive terrace window harbour';
  for (const typed of [
    { ...TYPED, passphrase: four, confirm: four },
    { ...TYPED, rootPassphrase: four, rootConfirm: four },
  ])
    expect(await makeDeploymentKey(endpoint, maker, typed, dataKey)).toEqual({ ok: false, reason: 'deploymentKey.err.fewWords' });
  expect(await get(DEPLOYMENT_PRIVATE_KEY)).toBeUndefined();
  const res = await endpoint.fetch(`${ORIGIN}/api/v1/deployment-key`, { headers: { Authorization: `Bearer ${endpoint.token}` } });
  expect(res.status).toBe(404);
});

test('a locked app makes no key: one the base took but this desk could not keep would leave it unable to read', async () => {
  const { endpoint, maker } = await firstCoordinator();
  const locked = new DataKeyHolder();
  expect(await makeDeploymentKey(endpoint, maker, TYPED, locked)).toEqual({ ok: false, reason: 'lock.err.locked' });
  expect(await get(DEPLOYMENT_KEY_FILE)).toBeUndefined();
  expect(await get(DEPLOYMENT_PRIVATE_KEY)).toBeUndefined();
  const res = await endpoint.fetch(`${ORIGIN}/api/v1/deployment-key`, { headers: { Authorization: `Bearer ${endpoint.token}` } });
  expect(res.status).toBe(404);
});

test('the root comes with the deployment key: its file opens with its own passphrase only, and its statement names the maker and the key', async () => {
  const { endpoint, maker, base } = await firstCoordinator();
  const dataKey = await unlocked();
  const same = { ...TYPED, rootPassphrase: PASS, rootConfirm: PASS };
  expect(await makeDeploymentKey(endpoint, maker, same, dataKey)).toEqual({ ok: false, reason: 'deploymentKey.err.samePassphrase' });
  const made = await makeDeploymentKey(endpoint, maker, TYPED, dataKey);
  if (!made.ok) throw new Error(made.reason);
  // The root file is handed over, never kept: nothing of it is stored on this device.
  expect(JSON.stringify(await entries())).not.toContain(made.root.file.wrapped.ct);
  expect(await loadPinnedRoot()).toEqual(made.root.pin);
  expect(await openRootFile(made.root.file, PASS)).toMatchObject({ ok: false });
  const opened = await openRootFile(made.root.file, ROOT_PASS);
  if (!opened.ok) throw new Error(opened.reason);
  expect(opened.pair.publicKey.text).toBe(made.root.pin.key);

  // The base pins links to the root, and serves the statement that names the deployment key.
  const served = (await (await base.fetch(`${ORIGIN}/api/v1/deployment-key`, {})).json()) as { root: { key: string } };
  expect(served.root.key).toBe(made.root.pin.key);
  const statement = readStatement(made.root.statement);
  if (!statement.ok) throw new Error(statement.reason);
  expect(statement.op.device).toBe(rootDeviceOf(opened.pair.publicKey.kid));
  expect(statement.op.body.changes).toMatchObject({
    [DEPLOYMENT_KEY_FIELD]: made.pin.key,
    [rosterField(maker.device)]: { device: maker.device, role: 'coordinator', keys: { signing: maker.keys.signing.publicKey.text } },
  });
  const signature = fromBase64url(made.root.statement.sig!)!;
  expect(await checkOpSignature(opened.pair.publicKey, made.root.statement, made.root.statement.body, signature)).toEqual({ ok: true });
});
