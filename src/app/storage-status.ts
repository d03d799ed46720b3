/**
 * Storage the monitor can see: asks the browser to keep this origin's data (persistent storage), and
 * reports how much is used and free, so a full phone is noticed before a save fails.
 */
export interface StorageStatus {
  usage?: number;
  quota?: number;
  persisted: boolean;
}

export async function requestPersistence(): Promise<boolean> {
  const storage = globalThis.navigator?.storage;
  if (!storage?.persist) return false;
  if (await storage.persisted()) return true;
  return storage.persist().catch(() => false);
}

export async function storageStatus(): Promise<StorageStatus> {
  const storage = globalThis.navigator?.storage;
  const estimate = storage?.estimate ? await storage.estimate().catch(() => undefined) : undefined;
  const persisted = storage?.persisted ? await storage.persisted().catch(() => false) : false;
  return { usage: estimate?.usage, quota: estimate?.quota, persisted };
}

/**
 * True for the browser's "disk full" errors, however a layer wrapped them. On a really full disk
 * Chromium's IndexedDB fails either with QuotaExceededError or with a DataError about an IOError.
 */
export function isQuotaError(e: unknown): boolean {
  for (
    let err = e as { name?: string; message?: string; inner?: unknown } | undefined, i = 0;
    err && i < 5;
    err = err.inner as typeof err, i++
  ) {
    if (err.name === 'QuotaExceededError') return true;
    if (err.name === 'DataError' && /IOError/.test(err.message ?? '')) return true;
  }
  return false;
}
