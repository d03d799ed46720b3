/**
 * Locking after a time without use. Activity is any touch, click or key; the check also runs when
 * the page comes back into view, since a phone asleep in a pocket runs no timers.
 */
const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'touchstart', 'wheel'] as const;
const CHECK_EVERY_MS = 15_000;

export interface IdleDeps {
  now: () => number;
  target: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;
  doc: Pick<Document, 'addEventListener' | 'removeEventListener' | 'visibilityState'>;
  setInterval: (fn: () => void, ms: number) => unknown;
  clearInterval: (handle: unknown) => void;
}

/** Calls `onIdle` once, `minutes` after the last activity. Returns a function that stops watching. */
export function lockWhenIdle(minutes: number, onIdle: () => void, deps: IdleDeps): () => void {
  const limit = minutes * 60_000;
  let last = deps.now();
  let done = false;
  const activity = () => void (last = deps.now());
  const check = () => {
    if (done || deps.now() - last < limit) return;
    stop();
    onIdle();
  };
  const visibility = () => check();
  const timer = deps.setInterval(check, Math.min(CHECK_EVERY_MS, limit));
  for (const name of ACTIVITY_EVENTS) deps.target.addEventListener(name, activity, { passive: true, capture: true });
  deps.doc.addEventListener('visibilitychange', visibility);
  function stop() {
    done = true;
    deps.clearInterval(timer);
    for (const name of ACTIVITY_EVENTS) deps.target.removeEventListener(name, activity, { capture: true });
    deps.doc.removeEventListener('visibilitychange', visibility);
  }
  return stop;
}
