/**
 * When to sync: as soon as the browser says it is online, every few minutes while it stays online,
 * and whenever the monitor presses "Sync now". A failed sync is tried again after an exponential
 * backoff with jitter, so phones that lost the base together do not all come back at the same second.
 * Timers and randomness are passed in, so tests run it without waiting.
 */

export const SYNC_INTERVAL_MS = 5 * 60 * 1000;
export const BACKOFF_BASE_MS = 5_000;
export const BACKOFF_MAX_MS = 10 * 60 * 1000;

/** The wait before the next try after `failures` failures in a row: capped exponential, "equal jitter" (half fixed, half random). */
export function backoffDelay(failures: number, random: () => number): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export interface SchedulerDeps {
  /** One sync; rejects when it failed. `transient` failures are tried again, others wait for "Sync now". */
  sync: () => Promise<void>;
  isTransient: (error: unknown) => boolean;
  /** The least wait the base asked for after this failure (Retry-After), if any. */
  waitAsked?: (error: unknown) => number | undefined;
  isOnline: () => boolean;
  random: () => number;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (handle: unknown) => void;
}

export class SyncScheduler {
  private timer: unknown;
  private running: Promise<void> | undefined;
  private again = false;
  private failures = 0;
  private stopped = true;

  constructor(private readonly deps: SchedulerDeps) {}

  start(): void {
    this.stopped = false;
    if (this.deps.isOnline()) void this.syncNow();
  }

  stop(): void {
    this.stopped = true;
    this.again = false;
    this.cancelTimer();
  }

  /** The browser says it is online again. */
  online(): void {
    if (!this.stopped) void this.syncNow();
  }

  offline(): void {
    this.cancelTimer();
  }

  /** Syncs now; a request during a sync runs one more right after it, so nothing written meanwhile waits. */
  syncNow(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.cancelTimer();
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.deps.sync();
        this.failures = 0;
        this.schedule(SYNC_INTERVAL_MS);
      } catch (error) {
        this.failures += 1;
        // A base that said how long to wait is believed, but never sooner than the backoff: phones that
        // were all refused together must still come back spread out.
        if (this.deps.isTransient(error))
          this.schedule(Math.max(backoffDelay(this.failures, this.deps.random), this.deps.waitAsked?.(error) ?? 0));
        return;
      }
    } while (this.again);
  }

  private schedule(ms: number): void {
    this.cancelTimer();
    if (this.stopped || !this.deps.isOnline()) return;
    this.timer = this.deps.setTimer(() => {
      this.timer = undefined;
      void this.syncNow();
    }, ms);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.deps.clearTimer(this.timer);
    this.timer = undefined;
  }

  /** Consecutive failures so far: 0 after a sync that worked. */
  get failureCount(): number {
    return this.failures;
  }
}
