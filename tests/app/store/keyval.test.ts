/**
 * The idb-keyval entries that say whom a device is and whom it trusts, on a phone with a passcode:
 * sealed on disk, and one planted in clear in a locked phone's profile reads as absent. Entries an
 * earlier version kept in clear are sealed once, after the upgrade that marked them, and only then.
 */
// Must come first: Dexie and idb-keyval look for IndexedDB when first used.
import 'fake-indexeddb/auto';
import { clear, get, set } from 'idb-keyval';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { loadEnrollment, type Enrollment } from '../../../src/app/enrollment-store.ts';
import { saveEnrollment } from '../../../src/app/enrollment-save.ts';
import { loadPinnedKey, loadPinnedRoot, savePinnedKey } from '../../../src/app/keys/deployment-pin.ts';
import { loadDeploymentKeyFile } from '../../../src/app/keys/deployment-private.ts';
import { DataKeyHolder, SEALED_PROP } from '../../../src/app/store/at-rest.ts';
import { RasidDb } from '../../../src/app/store/db.ts';
import { sealEntriesWith } from '../../../src/app/store/keyval.ts';
import { sealEntriesAsNow } from '../../../src/app/store/seal-entries.ts';
import type { DeviceId, Fingerprint } from '../../../src/domain/ids.ts';

const DEVICE = 'dev-phone-1' as DeviceId;
const enrollment: Enrollment = {
  origin: 'https://base.example.org',
  role: 'monitor',
  token: 'tok-3f9a7c21d8e4',
  device: DEVICE,
  enrolledAt: 1_700_000_000_000,
};
const pin = { key: 'x25519:AAAA', fingerprint: 'sha256:aaaa' as Fingerprint };
const keyFile = { kind: 'rasid-deployment-key', v: 1, fingerprint: 'sha256:bbbb' };

let n = 0;
const dbs: RasidDb[] = [];
let dataKey: DataKeyHolder;
beforeEach(async () => {
  await clear();
  dataKey = new DataKeyHolder();
  await dataKey.set(crypto.getRandomValues(new Uint8Array(32)));
  sealEntriesWith(dataKey);
});
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.delete();
});

/** A database through the data key, and the same one as the disk holds it. */
function database(): { db: RasidDb; disk: RasidDb } {
  const name = `rasid-sealed-keyval-${++n}-${process.pid}`;
  const [db, disk] = [new RasidDb(name, { dataKey }), new RasidDb(name)];
  dbs.push(db, disk);
  return { db, disk };
}

describe('entries kept outside the tables', () => {
  test('are sealed on disk: neither the token nor the origin can be read there, and they read back', async () => {
    await saveEnrollment(enrollment);
    await savePinnedKey(pin);
    const stored = JSON.stringify([await get('enrollment'), await get('deploymentKey')]);
    expect(stored).not.toContain(enrollment.token);
    expect(stored).not.toContain('base.example.org');
    expect(stored).not.toContain(pin.key);
    expect(await get('enrollment')).toHaveProperty(SEALED_PROP);
    // The pin saved after the enrollment is marked on it: a pin deleted later stops sync (load-keys.ts).
    expect(await loadEnrollment(DEVICE)).toEqual({ ...enrollment, pins: { key: true } });
    expect(await loadPinnedKey()).toEqual(pin);
  });

  test('planted in clear, or sealed under another name, they read as absent', async () => {
    await set('enrollment', { ...enrollment, origin: 'https://elsewhere.example.net' });
    await set('deploymentKey', pin);
    await set('deploymentRoot', pin);
    await set('deploymentKeyFile', keyFile);
    expect(await loadEnrollment(DEVICE)).toBeUndefined();
    expect(await loadPinnedKey()).toBeUndefined();
    expect(await loadPinnedRoot()).toBeUndefined();
    expect(await loadDeploymentKeyFile()).toBeUndefined();

    // The pinned key's sealed entry moved under the root's name does not open there.
    await savePinnedKey(pin);
    await set('deploymentRoot', await get('deploymentKey'));
    expect(await loadPinnedRoot()).toBeUndefined();
  });

  test('kept in clear by an earlier version, they are sealed once after the upgrade that marks them, and never again', async () => {
    await set('enrollment', enrollment);
    await set('deploymentKey', pin);
    const { db } = database();
    // What db.ts's upgrade to v3 leaves: the mark, sealed like every meta row.
    await db.setMeta('entriesToSeal', true);
    await sealEntriesAsNow(db);
    expect(await get('enrollment')).toHaveProperty(SEALED_PROP);
    expect(await loadEnrollment(DEVICE)).toEqual(enrollment);
    expect(await loadPinnedKey()).toEqual(pin);
    expect(await db.getMeta('entriesToSeal')).toBeUndefined();

    // Planted afterwards, with a mark planted in clear beside it: nothing is sealed.
    await set('deploymentRoot', pin);
    const { db: other, disk } = database();
    await disk.meta.put({ key: 'entriesToSeal', value: true });
    await sealEntriesAsNow(other);
    expect(await get('deploymentRoot')).toEqual(pin);
    expect(await loadPinnedRoot()).toBeUndefined();
  });
});
