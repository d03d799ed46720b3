import { describe, expect, test } from 'vitest';
import { backoffDelay, BACKOFF_BASE_MS, BACKOFF_MAX_MS, SYNC_INTERVAL_MS, SyncScheduler } from '../../../src/app/sync/scheduler.ts';

/** Timers the test fires by hand. */
function fakeTimers() {
  const timers = new Map<number, { fn: () => void; ms: number }>();
  let next = 1;
  return {
    timers,
    setTimer: (fn: () => void, ms: number) => {
      timers.set(next, { fn, ms });
      return next++;
    },
    clearTimer: (h: unknown) => void timers.delete(h as number),
    /** Fires the one pending timer, returning its delay. */
    fire() {
      const [id, t] = [...timers][0]!;
      timers.delete(id);
      t.fn();
      return t.ms;
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('backoff', () => {
  test('doubles from the base up to the cap, with jitter in the upper half', () => {
    expect(backoffDelay(1, () => 0)).toBe(BACKOFF_BASE_MS / 2);
    expect(backoffDelay(1, () => 1)).toBe(BACKOFF_BASE_MS);
    expect(backoffDelay(3, () => 1)).toBe(4 * BACKOFF_BASE_MS);
    expect(backoffDelay(40, () => 1)).toBe(BACKOFF_MAX_MS);
    expect(backoffDelay(40, () => 0)).toBe(BACKOFF_MAX_MS / 2);
  });
});

describe('the scheduler', () => {
  function scheduler(outcomes: (true | 'transient' | 'final')[], online = { value: true }) {
    const t = fakeTimers();
    let runs = 0;
    const s = new SyncScheduler({
      sync: async () => {
        const o = outcomes[runs++] ?? true;
        if (o !== true) throw new Error(o);
      },
      isTransient: (e) => (e as Error).message === 'transient',
      isOnline: () => online.value,
      random: () => 1,
      setTimer: t.setTimer,
      clearTimer: t.clearTimer,
    });
    return { s, t, runs: () => runs };
  }

  test('syncs at start when online, then every interval', async () => {
    const { s, t, runs } = scheduler([]);
    s.start();
    await settle();
    expect(runs()).toBe(1);
    expect(t.fire()).toBe(SYNC_INTERVAL_MS);
    await settle();
    expect(runs()).toBe(2);
    expect([...t.timers.values()].map((x) => x.ms)).toEqual([SYNC_INTERVAL_MS]);
  });

  test('a transient failure is tried again after a growing delay; success resets it', async () => {
    const { s, t, runs } = scheduler(['transient', 'transient', true]);
    s.start();
    await settle();
    expect(t.fire()).toBe(BACKOFF_BASE_MS);
    await settle();
    expect(t.fire()).toBe(2 * BACKOFF_BASE_MS);
    await settle();
    expect(runs()).toBe(3);
    expect(s.failureCount).toBe(0);
    expect([...t.timers.values()].map((x) => x.ms)).toEqual([SYNC_INTERVAL_MS]);
  });

  test('a base that asked for a longer wait is believed; a shorter one never brings the retry forward', async () => {
    const t = fakeTimers();
    const asked = [20 * BACKOFF_BASE_MS, 1];
    let runs = 0;
    const s = new SyncScheduler({
      sync: async () => {
        runs++;
        throw new Error('transient');
      },
      isTransient: () => true,
      waitAsked: () => asked[runs - 1],
      isOnline: () => true,
      random: () => 1,
      setTimer: t.setTimer,
      clearTimer: t.clearTimer,
    });
    s.start();
    await settle();
    expect(t.fire()).toBe(20 * BACKOFF_BASE_MS);
    await settle();
    expect(t.fire()).toBe(2 * BACKOFF_BASE_MS);
  });

  test('a failure that waiting cannot fix (a revoked device) is not retried by itself', async () => {
    const { s, t } = scheduler(['final']);
    s.start();
    await settle();
    expect(t.timers.size).toBe(0);
  });

  test('offline: no timer and no start; going online syncs at once', async () => {
    const online = { value: false };
    const { s, t, runs } = scheduler([], online);
    s.start();
    await settle();
    expect(runs()).toBe(0);
    online.value = true;
    s.online();
    await settle();
    expect(runs()).toBe(1);
    s.offline();
    expect(t.timers.size).toBe(0);
  });

  test('"Sync now" during a sync runs one more right after it, not two at once', async () => {
    const t = fakeTimers();
    let running = 0;
    let most = 0;
    let runs = 0;
    const s = new SyncScheduler({
      sync: async () => {
        running++;
        most = Math.max(most, running);
        runs++;
        await settle();
        running--;
      },
      isTransient: () => true,
      isOnline: () => true,
      random: () => 0.5,
      setTimer: t.setTimer,
      clearTimer: t.clearTimer,
    });
    const a = s.syncNow();
    const b = s.syncNow();
    const c = s.syncNow();
    await Promise.all([a, b, c]);
    expect(most).toBe(1);
    expect(runs).toBe(2);
  });
});
