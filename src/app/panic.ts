/**
 * Panic: wipe everything this app keeps on the phone, as an ordered list of steps. Secrets go first,
 * so that a wipe cut short (the phone snatched, the battery pulled) has at least removed them: the
 * wrapped data key among them, so whatever the later steps did not reach is ciphertext no one can
 * open. Every step runs even when an earlier one failed, and no step touches the network. The app
 * itself stays installed: the service worker and its precache of the app's own files, which hold no
 * data, so the app opens again offline, empty. The caller then leaves the page (see
 * `navigateToBlank`), or, after the wipe passcode, opens the empty app in it.
 */
import { KEPT_OUTSIDE, type KeptOutside } from './store/kept-outside.ts';

/** The reports database (Dexie) and idb-keyval's default database and store. */
export const REPORTS_DB = 'rasid';
export const KEYVAL_DB = 'keyval-store';
export const KEYVAL_STORE = 'keyval';

/**
 * The idb-keyval keys among `keys` that step 1 deletes: every one except those the registry
 * (kept-outside.ts) names as no secret. A key it does not name at all counts as a secret: written by
 * an older version or by code that slipped past the registry, it may hold anything, and deleting a
 * preference early costs nothing.
 */
export function secretKeys(keys: readonly IDBValidKey[], kept: readonly KeptOutside[] = KEPT_OUTSIDE): IDBValidKey[] {
  const notSecret = new Set<IDBValidKey>(kept.filter((e) => e.kind === 'idb-keyval' && !e.secret).map((e) => e.name));
  return keys.filter((key) => !notSecret.has(key));
}

/** How long a deletion held up by another open tab is waited for; it completes when that tab closes. */
export const BLOCKED_WAIT_MS = 1000;

export interface WipeDeps {
  idb: IDBFactory;
  /** Closes this page's Dexie connection, so its own database is not held open against the deletion. */
  closeReportsDb: () => void;
  /** Closes this page's connection to idb-keyval's database, so its deletion is not held up until the page leaves. */
  closeKeyval?: () => void;
  caches?: CacheStorage;
  webStorage: Storage[];
}

/**
 * The caches the wipe keeps, by how their names start: the app itself, as the registry names it
 * (kept-outside.ts). The service worker fills the precache from the build's list of the app's own
 * files, the same bytes the base serves to anyone; the app never writes to Cache Storage.
 */
export function keptCaches(names: readonly string[], kept: readonly KeptOutside[] = KEPT_OUTSIDE): string[] {
  const app = kept.filter((e) => e.kind === 'cacheStorage' && !e.secret).map((e) => e.name);
  return names.filter((n) => app.some((prefix) => n.startsWith(prefix)));
}

export interface WipeStep {
  name: string;
  run: () => Promise<void> | void;
}

export interface StepResult {
  name: string;
  ok: boolean;
}

/** IndexedDB reports some failures with no error object (an aborted transaction): the step still fails. */
function failure(error: DOMException | null): Error {
  return error ?? new Error('IndexedDB request failed');
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(failure(req.error));
  });
}

/** Opens a database only if it exists: opening a missing one would create it, leaving a trace. */
function openExisting(idb: IDBFactory, name: string): Promise<IDBDatabase | undefined> {
  return new Promise((resolve, reject) => {
    const req = idb.open(name);
    let created = false;
    req.onupgradeneeded = () => {
      created = true;
      req.transaction?.abort();
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => (created ? resolve(undefined) : reject(failure(req.error)));
  });
}

/**
 * Step 1: delete the secrets from idb-keyval's store. Strict durability, because this is the step
 * that must be on disk before anything else is attempted.
 */
export async function deleteSecrets(idb: IDBFactory, kept: readonly KeptOutside[] = KEPT_OUTSIDE): Promise<void> {
  const db = await openExisting(idb, KEYVAL_DB);
  if (!db) return;
  try {
    if (!db.objectStoreNames.contains(KEYVAL_STORE)) return;
    const tx = db.transaction(KEYVAL_STORE, 'readwrite', { durability: 'strict' });
    const store = tx.objectStore(KEYVAL_STORE);
    const keys = await request(store.getAllKeys());
    for (const key of secretKeys(keys, kept)) store.delete(key);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = tx.onabort = () => reject(failure(tx.error));
    });
  } finally {
    db.close();
  }
}

/**
 * Deletes one database. A connection left open elsewhere (another tab's idb-keyval, which does not
 * close on request) holds it up: the deletion stays queued and completes when that connection
 * closes, so after a short wait the wipe goes on instead of hanging at a checkpoint.
 */
export function deleteDatabase(idb: IDBFactory, name: string, blockedWaitMs = BLOCKED_WAIT_MS): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = idb.deleteDatabase(name);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(failure(req.error));
    req.onblocked = () => setTimeout(resolve, blockedWaitMs);
  });
}

/** The ordered steps. The first is the one that makes an interrupted wipe safe; keep it first. */
export function wipeSteps(deps: WipeDeps): WipeStep[] {
  return [
    { name: 'secrets', run: () => deleteSecrets(deps.idb) },
    {
      name: 'reports',
      run: async () => {
        deps.closeReportsDb();
        await deleteDatabase(deps.idb, REPORTS_DB);
      },
    },
    // Unless closed first, this page's own idb-keyval connection holds up this deletion until the
    // page leaves: a short wait, then it completes on navigation.
    {
      name: 'keyval',
      run: () => {
        deps.closeKeyval?.();
        return deleteDatabase(deps.idb, KEYVAL_DB, 50);
      },
    },
    {
      name: 'otherDatabases',
      run: async () => {
        const all = (await deps.idb.databases?.()) ?? [];
        const names = all.map((d) => d.name).filter((n): n is string => !!n && n !== KEYVAL_DB);
        await Promise.all(names.map((n) => deleteDatabase(deps.idb, n, 50)));
      },
    },
    {
      name: 'caches',
      run: async () => {
        if (!deps.caches) return;
        const names = await deps.caches.keys();
        const kept = keptCaches(names);
        await Promise.all(names.filter((n) => !kept.includes(n)).map((n) => deps.caches!.delete(n)));
      },
    },
    {
      name: 'webStorage',
      run: () => {
        for (const s of deps.webStorage) s.clear();
      },
    },
  ];
}

/**
 * A step that has not ended by then counts as failed and the next one starts: a request that never
 * settles (an open queued behind a blocked deletion does just that) must not hold up the rest.
 */
export const STEP_TIMEOUT_MS = 2000;

/** Runs the steps in order; a step that fails, throws or hangs never stops the ones after it. */
export async function runWipe(steps: WipeStep[], onStep?: (r: StepResult) => void, stepTimeoutMs = STEP_TIMEOUT_MS): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const step of steps) {
    let ok = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(step.run),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('step timed out')), stepTimeoutMs))),
      ]);
    } catch {
      ok = false;
    } finally {
      clearTimeout(timer);
    }
    const result = { name: step.name, ok };
    results.push(result);
    onStep?.(result);
  }
  return results;
}

/** The wipe as the app runs it in a browser page; the page stays. */
export function wipeInPage(closeReportsDb: () => void, closeKeyval?: () => void): Promise<StepResult[]> {
  return runWipe(
    wipeSteps({
      idb: indexedDB,
      closeReportsDb,
      closeKeyval,
      caches: 'caches' in globalThis ? caches : undefined,
      webStorage: [localStorage, sessionStorage],
    }),
    // A performance mark lives only in this page's memory: progress is observable, nothing is stored.
    (r) => performance.mark(`wipe:${r.name}`),
  );
}

/** The wipe as the app runs it in a browser page, then a fresh load of the app's start page. */
export async function wipeThisPhone(closeReportsDb: () => void): Promise<StepResult[]> {
  const results = await wipeInPage(closeReportsDb);
  navigateToBlank();
  return results;
}

/** Replaces the page (and its history entry) with the app's start, which now has nothing to show. */
export function navigateToBlank(): void {
  // The path written out rather than `href()`: importing the router here splits Preact into a first-load
  // chunk of its own, 400 bytes gzip over what the phone's first load may weigh.
  location.replace('/');
}
