/** Dexie's liveQuery as a Preact hook: screens re-render when what they read changes, in any tab. */
import { liveQuery } from 'dexie';
import { useEffect, useState } from 'preact/hooks';

export function useLiveQuery<T>(query: () => Promise<T>, deps: unknown[]): T | undefined {
  const [value, setValue] = useState<T>();
  useEffect(
    () => {
      const sub = liveQuery(query).subscribe({ next: setValue, error: (e) => console.error(e) });
      return () => sub.unsubscribe();
    },
    // The caller's deps stand for `query`, a new closure at every render; callers' lists are
    // checked where they call this hook (the lint config names it among the effect hooks).
    // eslint-disable-next-line react-hooks/exhaustive-deps
    deps,
  );
  return value;
}
