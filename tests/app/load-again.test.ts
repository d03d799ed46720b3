import { describe, expect, test } from 'vitest';
import { loadAgainOnFailure } from '../../src/app/load-again.ts';

/** A load that fails `failures` times, then gives `value`; with the waits it was made to sit out. */
function flaky(failures: number, value = 'chunk') {
  let calls = 0;
  const waited: number[] = [];
  return {
    load: () => (++calls <= failures ? Promise.reject(new TypeError(`fetch failed ${calls}`)) : Promise.resolve(value)),
    sleep: (ms: number) => {
      waited.push(ms);
      return Promise.resolve();
    },
    calls: () => calls,
    waited,
  };
}

describe('loading code or messages again after a failure', () => {
  test('a load that works the first time is tried once, with no wait', async () => {
    const f = flaky(0);
    await expect(loadAgainOnFailure(f.load, [500, 2000], f.sleep)).resolves.toBe('chunk');
    expect(f.calls()).toBe(1);
    expect(f.waited).toEqual([]);
  });

  test('a link that drops for a moment: tried again after each wait, longer each time, until it works', async () => {
    const f = flaky(2);
    await expect(loadAgainOnFailure(f.load, [500, 2000], f.sleep)).resolves.toBe('chunk');
    expect(f.calls()).toBe(3);
    expect(f.waited).toEqual([500, 2000]);
  });

  test('one more failure than waits: the last failure is let through, for the screen to say so', async () => {
    const f = flaky(3);
    await expect(loadAgainOnFailure(f.load, [500, 2000], f.sleep)).rejects.toThrow('fetch failed 3');
    expect(f.calls()).toBe(3);
  });
});
