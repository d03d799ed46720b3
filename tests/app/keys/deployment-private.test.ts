// Must come first: idb-keyval looks for IndexedDB when first used.
import 'fake-indexeddb/auto';
import { clear, get, set } from 'idb-keyval';
import { beforeEach, describe, expect, test } from 'vitest';
import { KEY_FILE_KIND, type DeploymentKeyFile } from '../../../src/domain/crypto/key-file.ts';
import { generateKeyPair, type AgreementKeyPair } from '../../../src/domain/crypto/keys.ts';
import { PairKeyCache } from '../../../src/domain/crypto/pair-keys.ts';
import { ARGON2ID_FLOOR } from '../../../src/domain/crypto/passphrase.ts';
import { unwrapWithKey, wrappedKeySchema, wrapUnderKey, wrapUnderPassphrase } from '../../../src/domain/crypto/wrapped-key.ts';
import { KeyDirectory } from '../../../src/domain/key-directory.ts';
import { readArrived } from '../../../src/domain/op/read.ts';
import { sealForWire } from '../../../src/domain/op/outgoing.ts';
import type { Op } from '../../../src/domain/op/op.ts';
import { deskAr } from '../../../src/app/i18n/desk.ar.ts';
import { deskEn } from '../../../src/app/i18n/desk.en.ts';
import { loadPinnedKey, PINNED_KEY, savePinnedKey } from '../../../src/app/keys/deployment-pin.ts';
import {
  DEPLOYMENT_KEY_FILE,
  DEPLOYMENT_PRIVATE_KEY,
  IMPORT_ERRORS,
  importKeyFile,
  keepDeploymentKey,
  loadDeploymentKeyFile,
  loadDeploymentPrivateKey,
  loadDeploymentPrivateKeys,
} from '../../../src/app/keys/deployment-private.ts';
import { DataKeyHolder } from '../../../src/app/store/at-rest.ts';
import { KEPT_OUTSIDE } from '../../../src/app/store/kept-outside.ts';
import { BODY, HEADER } from '../../domain/crypto/fixtures.ts';

const PASS = 'seven olive trees by the spring';

beforeEach(() => clear());

async function unlocked(): Promise<DataKeyHolder> {
  const keys = new DataKeyHolder();
  await keys.set(crypto.getRandomValues(new Uint8Array(32)));
  return keys;
}

/** A key file as the maker's device writes it, at the Argon2id floor so tests stay fast. */
async function keyFileOf(pair: AgreementKeyPair, passphrase = PASS): Promise<DeploymentKeyFile> {
  const wrapped = await wrapUnderPassphrase(pair.privateKey, passphrase, { params: ARGON2ID_FLOOR, publicKey: pair.publicKey });
  if (!wrapped.ok) throw new Error(wrapped.reason);
  return { kind: KEY_FILE_KIND, v: 1, fingerprint: pair.publicKey.fingerprint, wrapped: wrapped.wrapped };
}

async function pin(pair: AgreementKeyPair) {
  await savePinnedKey({ key: pair.publicKey.text, fingerprint: pair.publicKey.fingerprint });
}

async function nothingStored() {
  expect(await get(DEPLOYMENT_PRIVATE_KEY)).toBeUndefined();
  expect(await get(DEPLOYMENT_KEY_FILE)).toBeUndefined();
}

describe('the deployment key kept under the data key', () => {
  test('a kept key loads back, non-extractable, with its public half', async () => {
    const dataKey = await unlocked();
    const pair = await generateKeyPair('x25519');
    await keepDeploymentKey(pair, dataKey);
    const loaded = await loadDeploymentPrivateKey(dataKey);
    expect(loaded!.publicKey.text).toBe(pair.publicKey.text);
    expect(loaded!.privateKey.extractable).toBe(false);
    expect(loaded!.privateKey.type).toBe('private');
  });

  test('what is stored is a wrapped blob under the data key, never a CryptoKey', async () => {
    const dataKey = await unlocked();
    const pair = await generateKeyPair('p256-ecdh');
    await keepDeploymentKey(pair, dataKey);
    const stored = (await get(DEPLOYMENT_PRIVATE_KEY)) as unknown[];
    expect(stored).toHaveLength(1);
    expect(stored[0]).not.toBeInstanceOf(CryptoKey);
    expect(JSON.stringify(stored)).not.toContain('CryptoKey');
    const blob = wrappedKeySchema.parse(stored[0]);
    expect(blob).toMatchObject({ kind: 'p256-ecdh', pub: pair.publicKey.text });
    // Under the data key, not a passphrase: no Argon2id at unlock.
    expect(blob.kdf).toBeUndefined();
  });

  test('after a rotation the desk keeps every key, the old one kept alone before rotations read back too', async () => {
    const dataKey = await unlocked();
    const [old, rotated] = await Promise.all([generateKeyPair('x25519'), generateKeyPair('x25519')]);
    // Kept before keys were rotated: one blob, not a list; and before subkeys: under the data key itself.
    const dataKeyItself = await crypto.subtle.importKey('raw', Uint8Array.from(dataKey.get()), 'AES-GCM', false, ['wrapKey', 'unwrapKey']);
    await set(DEPLOYMENT_PRIVATE_KEY, await wrapUnderKey(old.privateKey, dataKeyItself, { publicKey: old.publicKey }));
    await keepDeploymentKey(rotated, dataKey);
    await keepDeploymentKey(rotated, dataKey);
    const held = await loadDeploymentPrivateKeys(dataKey);
    expect(held.map((k) => k.publicKey.text)).toEqual([old.publicKey.text, rotated.publicKey.text]);
    expect((await loadDeploymentPrivateKey(dataKey))!.publicKey.text).toBe(rotated.publicKey.text);
    // Wrapped again under the wrapping subkey: the data key's own bytes no longer open any of them.
    const stored = (await get(DEPLOYMENT_PRIVATE_KEY)) as unknown[];
    for (const blob of stored) {
      expect((await unwrapWithKey(blob, dataKey.wrappingKey())).ok).toBe(true);
      expect((await unwrapWithKey(blob, dataKeyItself)).ok).toBe(false);
    }
  });

  test('before any key is kept, and under another data key, the device holds none', async () => {
    expect(await loadDeploymentPrivateKey(await unlocked())).toBeUndefined();
    await keepDeploymentKey(await generateKeyPair('x25519'), await unlocked());
    expect(await loadDeploymentPrivateKey(await unlocked())).toBeUndefined();
  });

  test('the panic’s first step deletes the key and the key file: the registry lists both as secrets', () => {
    const secret = (name: string) => KEPT_OUTSIDE.find((e) => e.kind === 'idb-keyval' && e.name === name)?.secret;
    expect(secret(DEPLOYMENT_PRIVATE_KEY)).toBe(true);
    expect(secret(DEPLOYMENT_KEY_FILE)).toBe(true);
  });

  test('a loaded key opens an op a monitor sealed to the deployment key', async () => {
    const dataKey = await unlocked();
    const deployment = await generateKeyPair('x25519');
    await keepDeploymentKey(deployment, dataKey);
    const loaded = (await loadDeploymentPrivateKey(dataKey))!;

    const monitor = { agreement: await generateKeyPair('x25519'), signing: await generateKeyPair('ed25519') };
    const op: Op = { ...HEADER, v: 1, body: BODY };
    const sealed = await sealForWire(op, { ...monitor, pairs: new PairKeyCache() }, [deployment.publicKey]);
    if (!sealed.ok) throw new Error(sealed.reason);

    const roster = [
      {
        device: HEADER.device,
        role: 'monitor' as const,
        keys: { agreement: monitor.agreement.publicKey.text, signing: monitor.signing.publicKey.text },
      },
    ];
    const directory = await KeyDirectory.of(roster, [deployment.publicKey]);
    const opened = await readArrived(sealed.wire, { mine: [loaded], directory, pairs: new PairKeyCache() });
    expect(opened.ok && opened.op).toEqual(op);

    // A desk without the deployment key cannot: the op waits for it.
    const desk = await generateKeyPair('x25519');
    const without = await readArrived(sealed.wire, { mine: [desk], directory, pairs: new PairKeyCache() });
    expect(without.ok).toBe(false);
  });
});

describe('importing the key file another coordinator passed on', () => {
  test('with the right passphrase, the key is kept under the data key and the file beside it', async () => {
    const dataKey = await unlocked();
    const deployment = await generateKeyPair('x25519');
    await pin(deployment);
    const file = await keyFileOf(deployment);
    expect(await importKeyFile(JSON.stringify(file, null, 2), PASS, dataKey)).toEqual({
      ok: true,
      fingerprint: deployment.publicKey.fingerprint,
    });
    const loaded = await loadDeploymentPrivateKey(dataKey);
    expect(loaded!.publicKey.text).toBe(deployment.publicKey.text);
    expect(loaded!.privateKey.extractable).toBe(false);
    expect(await loadDeploymentKeyFile()).toEqual(file);
    expect(await get(DEPLOYMENT_PRIVATE_KEY)).not.toBeInstanceOf(CryptoKey);
  });

  test('a wrong passphrase is told apart, and nothing is stored', async () => {
    const deployment = await generateKeyPair('x25519');
    await pin(deployment);
    const file = await keyFileOf(deployment);
    expect(await importKeyFile(JSON.stringify(file), 'seven olive trees by the river', await unlocked())).toEqual({
      ok: false,
      reason: IMPORT_ERRORS.wrongPassphrase,
    });
    await nothingStored();
  });

  test('the key of another deployment is refused, and nothing is stored', async () => {
    const ours = await generateKeyPair('x25519');
    const theirs = await generateKeyPair('x25519');
    await pin(ours);
    const file = await keyFileOf(theirs);
    expect(await importKeyFile(JSON.stringify(file), PASS, await unlocked())).toEqual({ ok: false, reason: IMPORT_ERRORS.otherDeployment });
    // Nor when the base the caller asked names it: the pin still stands.
    expect(await importKeyFile(JSON.stringify(file), PASS, await unlocked(), theirs.publicKey.fingerprint)).toEqual({
      ok: false,
      reason: IMPORT_ERRORS.otherDeployment,
    });
    await nothingStored();
    expect((await loadPinnedKey())!.fingerprint).toBe(ours.publicKey.fingerprint);
  });

  test('a file claiming this deployment’s fingerprint around another key does not open as it', async () => {
    const ours = await generateKeyPair('x25519');
    await pin(ours);
    const forged = { ...(await keyFileOf(await generateKeyPair('x25519'))), fingerprint: ours.publicKey.fingerprint };
    expect(await importKeyFile(JSON.stringify(forged), PASS, await unlocked())).toEqual({ ok: false, reason: IMPORT_ERRORS.notKeyFile });
    await nothingStored();
  });

  test.each([
    ['not JSON', 'rasid'],
    ['JSON of another shape', '{"kind":"rasid-deployment-key","v":2}'],
    ['far too large', `{"pad":"${'a'.repeat(20_000)}"}`],
  ])('a file that is %s is not a key file', async (_, text) => {
    await pin(await generateKeyPair('x25519'));
    expect(await importKeyFile(text, PASS, await unlocked())).toEqual({ ok: false, reason: IMPORT_ERRORS.notKeyFile });
    await nothingStored();
  });

  test('a device with no pin checks the file against the key the base showed, then pins it', async () => {
    const dataKey = await unlocked();
    const deployment = await generateKeyPair('x25519');
    const file = JSON.stringify(await keyFileOf(deployment));
    expect(await importKeyFile(file, PASS, dataKey)).toEqual({ ok: false, reason: IMPORT_ERRORS.noKnownKey });
    await nothingStored();
    expect(await get(PINNED_KEY)).toBeUndefined();

    expect(await importKeyFile(file, PASS, dataKey, deployment.publicKey.fingerprint)).toMatchObject({ ok: true });
    expect(await loadPinnedKey()).toEqual({ key: deployment.publicKey.text, fingerprint: deployment.publicKey.fingerprint });
  });

  test('every reason an import fails has its message in English and Arabic', () => {
    for (const key of Object.values(IMPORT_ERRORS)) {
      expect(deskEn[key], key).toMatch(/\S/);
      expect(deskAr[key], key).toMatch(/\p{Script=Arabic}/u);
    }
  });
});
