import { describe, expect, test } from 'vitest';
import { startLoad, type Async } from '../../src/app/ui/use-async.ts';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const flush = () => new Promise((r) => setTimeout(r));

describe('data a screen loads', () => {
  test('a result is handed over once it arrives, and so is a failure', async () => {
    const seen: Async<number>[] = [];
    const ok = deferred<number>();
    startLoad(
      () => ok.promise,
      (s) => seen.push(s),
    );
    ok.resolve(7);
    await flush();
    const bad = deferred<number>();
    startLoad(
      () => bad.promise,
      (s) => seen.push(s),
    );
    bad.reject(new Error('offline'));
    await flush();
    expect(seen).toEqual([
      { loading: true },
      { value: 7, loading: false },
      { loading: true },
      { error: new Error('offline'), loading: false },
    ]);
  });

  test('a result arriving after the screen has gone sets nothing', async () => {
    const seen: Async<number>[] = [];
    const late = deferred<number>();
    const cancel = startLoad(
      () => late.promise,
      (s) => seen.push(s),
    );
    cancel();
    late.resolve(1);
    await flush();
    expect(seen).toEqual([{ loading: true }]);
  });

  test('a result for what was loaded before is dropped, the one for the present kept', async () => {
    const seen: Async<string>[] = [];
    const old = deferred<string>();
    const present = deferred<string>();
    // As the hook does when its deps change: the old load is cancelled, then the new one starts.
    const cancelOld = startLoad(
      () => old.promise,
      (s) => seen.push(s),
    );
    cancelOld();
    startLoad(
      () => present.promise,
      (s) => seen.push(s),
    );
    present.resolve('device B');
    old.resolve('device A');
    await flush();
    expect(seen).toEqual([{ loading: true }, { loading: true }, { value: 'device B', loading: false }]);
  });
});
