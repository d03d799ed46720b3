/**
 * The panic wipe's ordered steps, against fake IndexedDB: secrets go first and alone, every step runs
 * even when one before it fails, and a full run leaves no database or preference, and no cache but
 * the app's own precache.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, test } from 'vitest';
import { RasidDb } from '../../src/app/store/db.ts';
import {
  deleteDatabase,
  deleteSecrets,
  KEYVAL_DB,
  KEYVAL_STORE,
  keptCaches,
  REPORTS_DB,
  runWipe,
  secretKeys,
  wipeSteps,
  type WipeDeps,
} from '../../src/app/panic.ts';
import { KEPT_OUTSIDE, type KeptOutside } from '../../src/app/store/kept-outside.ts';

function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('request failed'));
  });
}

/** idb-keyval's database as the app leaves it: its one store, with the given entries. */
async function keyvalWith(idb: IDBFactory, entries: Record<string, unknown>): Promise<void> {
  const open = idb.open(KEYVAL_DB);
  open.onupgradeneeded = () => open.result.createObjectStore(KEYVAL_STORE);
  const db = await req(open);
  const tx = db.transaction(KEYVAL_STORE, 'readwrite');
  for (const [k, v] of Object.entries(entries)) tx.objectStore(KEYVAL_STORE).put(v, k);
  await new Promise((resolve) => (tx.oncomplete = resolve));
  db.close();
}

async function keyvalKeys(idb: IDBFactory): Promise<string[]> {
  const db = await req(idb.open(KEYVAL_DB));
  const keys = await req(db.transaction(KEYVAL_STORE).objectStore(KEYVAL_STORE).getAllKeys());
  db.close();
  return keys.map(String).sort();
}

async function databaseNames(idb: IDBFactory): Promise<string[]> {
  return (await idb.databases()).map((d) => d.name!).sort();
}

/**
 * A phone with a saved report, an enrollment, a wrapped key and preferences, and `more` in idb-keyval;
 * and fakes for the rest.
 */
async function phone(more: Record<string, unknown> = {}) {
  const idb = new IDBFactory();
  await keyvalWith(idb, {
    deviceId: 'a1b2',
    lang: 'ar',
    gazetteer: { name: 'sample', units: [] },
    enrollment: { origin: 'https://base.example', role: 'monitor', token: 'tok-secret-1234', device: 'a1b2', enrolledAt: 1 },
    wrappedDataKey: { v: 1, ct: 'AAAA' },
    ...more,
  });
  const other = idb.open('workbox-expiration');
  await req(other).then((d) => d.close());
  const cacheNames = new Set(['workbox-precache-v2-/', 'other']);
  const caches = {
    keys: async () => [...cacheNames],
    delete: async (n: string) => cacheNames.delete(n),
  } as unknown as CacheStorage;
  const stores = [new Map([['x', '1']]), new Map([['y', '2']])];
  const webStorage = stores.map((m) => ({ clear: () => m.clear() }) as unknown as Storage);
  let closed = 0;
  const deps: WipeDeps = { idb, closeReportsDb: () => void closed++, caches, webStorage };
  return { idb, deps, cacheNames, stores, closedCount: () => closed };
}

describe('panic wipe', () => {
  test('the first step is the secrets, and alone it removes every secret and nothing else', async () => {
    const { idb, deps } = await phone();
    const steps = wipeSteps(deps);
    expect(steps[0]!.name).toBe('secrets');
    await runWipe(steps.slice(0, 1));
    // Interrupted here: no token and no key are left, while the rest is still there (not yet wiped).
    expect(await keyvalKeys(idb)).toEqual(['deviceId', 'gazetteer', 'lang']);
    expect(await databaseNames(idb)).toContain(KEYVAL_DB);
  });

  test('a secret under a name the registry does not know, and no name pattern would catch, is gone before any later step runs', async () => {
    const { idb, deps } = await phone({ sealedNotes: { ct: 'notes of the checkpoint at the bridge' } });
    await req(idb.open(REPORTS_DB)).then((d) => d.close());
    const [secrets, ...rest] = wipeSteps(deps);
    let afterFirst: { keys: string[]; databases: string[] } | undefined;
    const look = {
      name: 'look',
      run: async () => void (afterFirst = { keys: await keyvalKeys(idb), databases: await databaseNames(idb) }),
    };
    const results = await runWipe([secrets!, look, ...rest]);
    expect(results.every((r) => r.ok)).toBe(true);
    // Unknown counts as secret: gone with the token and the data key, while the rest was still there.
    expect(afterFirst).toEqual({
      keys: ['deviceId', 'gazetteer', 'lang'],
      databases: [REPORTS_DB, KEYVAL_DB, 'workbox-expiration'].sort(),
    });
    expect(await databaseNames(idb)).toEqual([]);
  });

  test('every secret the registry lists goes in the first step, and everything it calls no secret waits for the later ones', async () => {
    const keyval = KEPT_OUTSIDE.filter((e) => e.kind === 'idb-keyval');
    const { idb } = await phone(Object.fromEntries(keyval.map((e) => [e.name, 'stored'])));
    await deleteSecrets(idb);
    expect(await keyvalKeys(idb)).toEqual(
      keyval
        .filter((e) => !e.secret)
        .map((e) => e.name as string)
        .sort(),
    );
  });

  test('the registry, not the name, decides: a secret named like a note goes first, a preference named like a key waits', async () => {
    const kept: KeptOutside[] = [
      { name: 'sealedNotes', kind: 'idb-keyval', secret: true },
      { name: 'keyboardLayout', kind: 'idb-keyval', secret: false },
      // Only idb-keyval's entries are the first step's: a localStorage name matching a key there does not spare it.
      { name: 'draftHint', kind: 'localStorage', secret: false },
    ];
    expect(secretKeys(['sealedNotes', 'keyboardLayout', 'draftHint', 7], kept)).toEqual(['sealedNotes', 'draftHint', 7]);
    const idb = new IDBFactory();
    await keyvalWith(idb, { sealedNotes: 'the bridge, 14:00', keyboardLayout: 'ar' });
    await deleteSecrets(idb, kept);
    expect(await keyvalKeys(idb)).toEqual(['keyboardLayout']);
  });

  test('a full wipe leaves no database, web storage or cache but the app shell, in the documented order', async () => {
    const { idb, deps, cacheNames, stores, closedCount } = await phone();
    const reports = await req(idb.open(REPORTS_DB));
    reports.close();
    expect(await databaseNames(idb)).toEqual([REPORTS_DB, KEYVAL_DB, 'workbox-expiration'].sort());
    const seen: string[] = [];
    const results = await runWipe(wipeSteps(deps), (r) => seen.push(r.name));
    expect(seen).toEqual(['secrets', 'reports', 'keyval', 'otherDatabases', 'caches', 'webStorage']);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(await databaseNames(idb)).toEqual([]);
    // The service worker's precache of the app's own files stays, so the app opens again offline.
    expect([...cacheNames]).toEqual(['workbox-precache-v2-/']);
    expect(stores.every((m) => m.size === 0)).toBe(true);
    expect(closedCount()).toBe(1);
  });

  test('a step that fails does not stop the steps after it', async () => {
    const { idb, deps, stores } = await phone();
    deps.closeReportsDb = () => {
      throw new Error('already closed');
    };
    deps.caches = { keys: () => Promise.reject(new Error('SecurityError')) } as unknown as CacheStorage;
    const results = await runWipe(wipeSteps(deps));
    expect(results.filter((r) => !r.ok).map((r) => r.name)).toEqual(['reports', 'caches']);
    // The ones after each failure still ran.
    expect(await databaseNames(idb)).not.toContain(KEYVAL_DB);
    expect(stores.every((m) => m.size === 0)).toBe(true);
  });

  test('a step that never ends is given up after its time and the next one runs', async () => {
    const ran: string[] = [];
    const results = await runWipe(
      [
        { name: 'hangs', run: () => new Promise<void>(() => {}) },
        { name: 'next', run: async () => void ran.push('next') },
      ],
      undefined,
      30,
    );
    expect(results).toEqual([
      { name: 'hangs', ok: false },
      { name: 'next', ok: true },
    ]);
    expect(ran).toEqual(['next']);
  });

  test('wiping a phone that holds no preferences creates no database', async () => {
    const idb = new IDBFactory();
    await deleteSecrets(idb);
    expect(await databaseNames(idb)).toEqual([]);
  });

  test("the app's own open Dexie database is closed and deleted, not left waiting on itself", async () => {
    // The global fake IndexedDB, which Dexie uses, as the app's database does in a page.
    const db = new RasidDb(REPORTS_DB);
    await db.drafts.put({ id: 'd1', type: 'damage', values: { placeName: 'بيت ياشوط' }, updatedAt: 1 });
    expect(db.isOpen()).toBe(true);
    // A deletion that an open connection holds up fires "blocked" before it completes: closing
    // first means none fires.
    let blocked = false;
    const watched = {
      deleteDatabase(name: string) {
        const deletion = indexedDB.deleteDatabase(name);
        deletion.addEventListener('blocked', () => (blocked = true));
        return deletion;
      },
    } as IDBFactory;
    const steps = wipeSteps({ idb: watched, closeReportsDb: () => db.close(), webStorage: [] });
    const results = await runWipe(steps.filter((s) => s.name === 'reports'));
    expect(results).toEqual([{ name: 'reports', ok: true }]);
    expect(blocked).toBe(false);
    expect((await indexedDB.databases()).map((d) => d.name)).not.toContain(REPORTS_DB);
  });

  test('a connection to idb-keyval the page closes first does not hold up its deletion: written again after, the entry stays', async () => {
    const { idb, deps } = await phone();
    const connection = await req(idb.open(KEYVAL_DB));
    let blocked = false;
    const watched = Object.assign(Object.create(idb) as IDBFactory, {
      deleteDatabase(name: string) {
        const deletion = idb.deleteDatabase(name);
        deletion.addEventListener('blocked', () => (blocked = true));
        return deletion;
      },
      open: (name: string) => idb.open(name),
      databases: () => idb.databases(),
    });
    deps.idb = watched;
    deps.closeKeyval = () => connection.close();
    const results = await runWipe(wipeSteps(deps));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(blocked).toBe(false);
    expect(await databaseNames(idb)).toEqual([]);
    // What the page writes next lands in a new database, which no deletion still pending takes away.
    await keyvalWith(idb, { wrappedDataKey: { v: 1, ct: 'BBBB' } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await keyvalKeys(idb)).toEqual(['wrappedDataKey']);
  });

  test('only the caches the registry names as the app itself are kept', () => {
    expect(keptCaches(['workbox-precache-v2-https://base.example/', 'reports-export', 'workbox-runtime'])).toEqual([
      'workbox-precache-v2-https://base.example/',
    ]);
    expect(keptCaches(['workbox-precache-v2-/'], [])).toEqual([]);
  });

  test('a deletion held up by a connection left open moves on after the wait, and completes once it closes', async () => {
    const idb = new IDBFactory();
    const holder = await req(idb.open('held'));
    let deletion!: IDBOpenDBRequest;
    const watched = { deleteDatabase: (name: string) => (deletion = idb.deleteDatabase(name)) } as IDBFactory;
    const started = Date.now();
    await deleteDatabase(watched, 'held', 30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    // Still held: the deletion completes (its success event) once the connection closes.
    const deleted = new Promise((resolve) => deletion.addEventListener('success', resolve));
    holder.close();
    await deleted;
    expect(await databaseNames(idb)).toEqual([]);
  });
});
