/**
 * The registry of what the app keeps outside its Dexie tables, against what the app really stores: a
 * first coordinator's phone, set up, enrolled and holding the deployment key, keeps nothing under a
 * name the registry does not list, and the wipe's first step leaves of it only what the registry
 * calls no secret.
 */
// Must come first: Dexie and idb-keyval look for IndexedDB when first used.
import 'fake-indexeddb/auto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { clear, keys } from 'idb-keyval';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { setAppearance } from '../../../src/app/appearance.ts';
import { deviceId } from '../../../src/app/device.ts';
import { sealEntriesWith } from '../../../src/app/store/keyval.ts';
import { makeDeploymentKey } from '../../../src/app/keys/deployment-key.ts';
import { setUpPasscode } from '../../../src/app/lock/lock-record.ts';
import { browserLockRecordStore } from '../../../src/app/lock/lock-record-store.ts';
import { deleteSecrets } from '../../../src/app/panic.ts';
import { saveLocalGazetteer } from '../../../src/app/local-gazetteer.ts';
import { saveBoundaryLayer } from '../../../src/app/boundary-layer.ts';
import { saveLang } from '../../../src/app/preferences.ts';
import { DataKeyHolder } from '../../../src/app/store/at-rest.ts';
import { KEPT_OUTSIDE } from '../../../src/app/store/kept-outside.ts';
import { enroll } from '../../../src/app/sync/enrollment.ts';
import { loadDeviceKeys } from '../../../src/app/keys/device-keys.ts';
import { ARGON2ID_FLOOR } from '../../../src/domain/crypto/passphrase.ts';
import { cryptoRandom } from '../../../src/domain/ids.ts';
import { claimFirstCoordinatorCode } from '../../../src/server/enrollment/codes.ts';
import { ORIGIN, startBase, T0, type Base } from '../sync/sync-fixtures.ts';

const PASS = 'seven olive trees by the spring';
const bases: Base[] = [];
beforeEach(() => clear());
afterEach(async () => {
  for (const b of bases.splice(0)) await b.close();
});

const registered = (kind: string, secret?: boolean) =>
  KEPT_OUTSIDE.filter((e) => e.kind === kind && (secret === undefined || e.secret === secret))
    .map((e) => e.name as string)
    .sort();

/**
 * A first coordinator's phone as the app's own modules leave it: a device id, a language, a passcode,
 * an enrollment with this device's keys, the deployment key it made, a gazetteer, a boundary layer and the plain
 * appearance. Returns what localStorage was given.
 */
async function coordinatorPhone(): Promise<Map<string, string>> {
  const device = await deviceId();
  await saveLang('en');
  const setUp = await setUpPasscode(browserLockRecordStore, PASS, PASS, { params: ARGON2ID_FLOOR });
  if (!setUp.ok) throw new Error(setUp.reason);
  const dataKey = new DataKeyHolder();
  await dataKey.set(setUp.key);
  sealEntriesWith(dataKey);

  const base = await startBase();
  bases.push(base);
  const first = await claimFirstCoordinatorCode(base.store.db, { now: () => T0, random: cryptoRandom });
  const enrollment = await enroll({ origin: ORIGIN, code: first!.code, device, fetch: base.fetch, now: () => T0, dataKey });
  const keys = await loadDeviceKeys(dataKey);
  const made = await makeDeploymentKey(
    { origin: ORIGIN, token: enrollment.token, fetch: base.fetch },
    { role: enrollment.role, device, keys: keys! },
    { passphrase: PASS, confirm: PASS, rootPassphrase: `${PASS} root`, rootConfirm: `${PASS} root` },
    dataKey,
  );
  if (!made.ok) throw new Error(made.reason);
  await saveLocalGazetteer({ name: 'sample', units: [{ pcode: 'SY07', en: 'Latakia', ar: 'اللاذقية', level: 1 }] });
  await saveBoundaryLayer({ name: 'invented', areas: [{ pcode: 'SY07', level: 1, polygons: [] }] });

  const local = new Map<string, string>();
  setAppearance('neutral', { setItem: (k, v) => void local.set(k, v) });
  return local;
}

describe('what the app keeps outside its Dexie tables', () => {
  test('a phone in use stores under the registered names only, and the registry lists none it never uses', async () => {
    const local = await coordinatorPhone();
    expect((await keys()).map(String).sort()).toEqual(registered('idb-keyval'));
    expect([...local.keys()].sort()).toEqual(registered('localStorage'));
  });

  test('after the wipe’s first step, that phone holds only what the registry calls no secret', async () => {
    await coordinatorPhone();
    await deleteSecrets(indexedDB);
    const left = (await keys()).map(String).sort();
    expect(left).toEqual(registered('idb-keyval', false));
    expect(left).toEqual(['boundaries', 'deviceId', 'gazetteer', 'lang']);
  });

  test('no module of the app but the typed one reaches idb-keyval, so none can store under a name the registry lacks', () => {
    const appDir = path.resolve(import.meta.dirname, '../../../src/app');
    const importsLibrary = /from\s+['"]idb-keyval['"]|import\(\s*['"]idb-keyval['"]\s*\)/;
    const importers = (readdirSync(appDir, { recursive: true }) as string[])
      .filter((f) => /\.tsx?$/.test(f))
      .filter((f) => importsLibrary.test(readFileSync(path.join(appDir, f), 'utf8')));
    expect(importers).toEqual([path.join('store', 'keyval.ts')]);
  });
});
