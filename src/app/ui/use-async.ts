/**
 * Data a screen loads as it shows: a result that arrives after the screen has gone, or after what it
 * was loaded for has changed, is dropped, so a slow answer for one device never shows beside another.
 */
import { useEffect, useState, type Inputs } from 'preact/hooks';

export type Async<T> = { value?: T; error?: unknown; loading: boolean };

const LOADING: Async<never> = { loading: true };

/** Starts `load` and hands its outcome to `set` until the returned cancel runs. */
export function startLoad<T>(load: () => Promise<T>, set: (state: Async<T>) => void): () => void {
  let live = true;
  // The same object as the first state, so the first load renders nothing extra.
  set(LOADING);
  load().then(
    (value) => live && set({ value, loading: false }),
    (error: unknown) => live && set({ error, loading: false }),
  );
  return () => {
    live = false;
  };
}

export function useAsync<T>(load: () => Promise<T>, deps: Inputs): Async<T> {
  const [state, setState] = useState<Async<T>>(LOADING);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `deps` are what `load` reads, as for useEffect.
  useEffect(() => startLoad(load, setState), deps);
  return state;
}
