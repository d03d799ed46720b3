/**
 * Data a screen loads as it shows: a result that arrives after the screen has gone, or after what it
 * was loaded for has changed, is dropped, so a slow answer for one device never shows beside another.
 */
import { useCallback, useEffect, useRef, useState, type Inputs } from 'preact/hooks';

export type Async<T> = { value?: T; error?: unknown; loading: boolean };

const LOADING: Async<never> = { loading: true };

/** A load is told through `gone` when its outcome will be dropped: a long one may stop there. */
export type Load<T> = (gone: AbortSignal) => Promise<T>;

/**
 * Starts `load` and hands its outcome to `set` until the returned cancel runs, which also tells the
 * load. `again`: loaded anew for the same thing, what is shown stays until the new outcome replaces it.
 */
export function startLoad<T>(load: Load<T>, set: (state: Async<T>) => void, again = false): () => void {
  const gone = new AbortController();
  // The same object as the first state, so the first load renders nothing extra.
  if (!again) set(LOADING);
  load(gone.signal).then(
    (value) => !gone.signal.aborted && set({ value, loading: false }),
    (error: unknown) => !gone.signal.aborted && set({ error, loading: false }),
  );
  return () => gone.abort();
}

const same = (a: Inputs, b: Inputs | undefined) => b?.length === a.length && a.every((x, i) => Object.is(x, b[i]));

/**
 * `reload` loads again for the same deps, after the screen changed what `load` reads (a device revoked, a change countersigned).
 * `keep`: the deps name the same thing more precisely as they become known (a key looked up again once
 * the base's key is known), so the last value stands until the new one arrives; a form it decides to
 * show then never vanishes for the length of a load, with what was typed or chosen in it.
 */
export function useAsync<T>(load: Load<T>, deps: Inputs, opts: { keep?: boolean } = {}): Async<T> & { reload: () => void } {
  const [state, setState] = useState<Async<T>>(LOADING);
  const [round, setRound] = useState(0);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  const loadedFor = useRef<Inputs>(undefined);
  useEffect(() => {
    const again = opts.keep === true || same(deps, loadedFor.current);
    loadedFor.current = deps;
    return startLoad(load, setState, again);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `deps` are what `load` reads, as for useEffect.
  }, [...deps, round]);
  return { ...state, reload };
}
