import { h, render } from 'preact';
import { act } from 'preact/test-utils';
import { describe, expect, test } from 'vitest';
import { startLoad, useAsync, type Async } from '../../src/app/ui/use-async.ts';
import { headless } from './ui/headless.ts';

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

  test('a load is told when its screen has gone, and may stop there', async () => {
    let told: AbortSignal | undefined;
    const never = deferred<number>();
    const cancel = startLoad(
      (gone) => ((told = gone), never.promise),
      () => undefined,
    );
    expect(told?.aborted).toBe(false);
    cancel();
    expect(told?.aborted).toBe(true);
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

  test('a screen shown for another device drops the answer for the one before, however late it comes', async () => {
    const answers = { A: deferred<string>(), B: deferred<string>() };
    const shown: (string | undefined)[] = [];
    function Device({ id }: { id: 'A' | 'B' }) {
      shown.push(useAsync(() => answers[id].promise, [id]).value);
      return null;
    }
    const root = headless();
    await act(() => render(h(Device, { id: 'A' }), root));
    await act(() => render(h(Device, { id: 'B' }), root));
    await act(async () => {
      answers.B.resolve('device B');
      await flush();
    });
    await act(async () => {
      answers.A.resolve('device A');
      await flush();
    });
    expect(shown.at(-1)).toBe('device B');
    expect(shown).not.toContain('device A');
    await act(() => render(null, root));
  });

  test('loaded again for the same device, what is shown stays until the new answer replaces it', async () => {
    const answers = [deferred<number>(), deferred<number>()];
    let round = 0;
    const shown: (number | undefined)[] = [];
    let reload = () => {};
    function Count() {
      const state = useAsync(() => answers[round++]!.promise, []);
      reload = state.reload;
      shown.push(state.value);
      return null;
    }
    const root = headless();
    await act(() => render(h(Count, {}), root));
    await act(async () => {
      answers[0]!.resolve(1);
      await flush();
    });
    await act(() => reload());
    await act(async () => {
      answers[1]!.resolve(2);
      await flush();
    });
    expect(shown).toEqual([undefined, 1, 1, 2]);
    await act(() => render(null, root));
  });

  test('kept, a value stands while the same thing is loaded for new deps, and the new answer replaces it', async () => {
    const answers = [deferred<boolean>(), deferred<boolean>()];
    const shown: (boolean | undefined)[] = [];
    function Held({ fingerprint }: { fingerprint?: string }) {
      shown.push(useAsync(() => answers[fingerprint ? 1 : 0]!.promise, [fingerprint], { keep: true }).value);
      return null;
    }
    const root = headless();
    await act(() => render(h(Held, { fingerprint: undefined }), root));
    await act(async () => {
      answers[0]!.resolve(false);
      await flush();
    });
    await act(() => render(h(Held, { fingerprint: 'abc' }), root));
    await act(async () => {
      answers[1]!.resolve(true);
      await flush();
    });
    // Never undefined once known: a form shown for `false` is not taken away while the lookup runs again.
    expect(shown.slice(1)).toEqual([false, false, true]);
    await act(() => render(null, root));
  });
});
