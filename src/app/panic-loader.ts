/**
 * The wipe's code loads right after the first screen is drawn, not before it: the lock screen and
 * the list show sooner on a cheap phone, and the wipe is in memory well before anyone could reach
 * for it (its two taps, or a wrong passcode counted, take longer). From the service worker's cache
 * when offline, like every other part of the app.
 */
import type * as PanicModule from './panic.ts';

type Panic = typeof PanicModule;

let loading: Promise<Panic> | undefined;

export function loadPanic(): Promise<Panic> {
  loading ??= import('./panic.ts');
  // A failed load (a cache evicted while offline) is tried again at the next call.
  loading.catch(() => (loading = undefined));
  return loading;
}

/** Wipes the phone; `closeReportsDb` closes this page's database connection first. */
export async function wipeNow(closeReportsDb: () => void): Promise<void> {
  const { wipeThisPhone } = await loadPanic();
  await wipeThisPhone(closeReportsDb);
}
