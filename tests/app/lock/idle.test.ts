import { describe, expect, test } from 'vitest';
import { lockWhenIdle } from '../../../src/app/lock/idle.ts';

function world() {
  const clock = { ms: 0 };
  const target = new EventTarget();
  const visibility: { visibilityState: DocumentVisibilityState } = { visibilityState: 'visible' };
  const doc = Object.assign(new EventTarget(), visibility);
  const intervals = new Map<number, () => void>();
  let next = 1;
  const deps = {
    now: () => clock.ms,
    target,
    doc,
    setInterval: (fn: () => void) => {
      intervals.set(next, fn);
      return next++;
    },
    clearInterval: (h: unknown) => void intervals.delete(h as number),
  };
  const tick = (ms: number) => {
    clock.ms += ms;
    for (const fn of [...intervals.values()]) fn();
  };
  return { deps, target, doc, tick, intervals, clock };
}

describe('locking after a time without use', () => {
  test('locks once the set minutes pass with no touch or key, and not before', () => {
    const w = world();
    let locked = 0;
    lockWhenIdle(5, () => locked++, w.deps);
    w.tick(4 * 60_000);
    w.target.dispatchEvent(new Event('pointerdown'));
    w.tick(4 * 60_000);
    expect(locked).toBe(0);
    w.tick(60_000);
    expect(locked).toBe(1);
    w.tick(60 * 60_000);
    expect(locked).toBe(1);
    expect(w.intervals.size).toBe(0);
  });

  test('a phone that slept past the limit locks as soon as the page is seen again', () => {
    const w = world();
    let locked = 0;
    lockWhenIdle(1, () => locked++, w.deps);
    w.clock.ms += 10 * 60_000;
    w.doc.dispatchEvent(new Event('visibilitychange'));
    expect(locked).toBe(1);
  });

  test('stopped, it never locks', () => {
    const w = world();
    let locked = 0;
    const stop = lockWhenIdle(1, () => locked++, w.deps);
    stop();
    w.tick(10 * 60_000);
    w.doc.dispatchEvent(new Event('visibilitychange'));
    expect(locked).toBe(0);
  });
});
