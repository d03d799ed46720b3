/** Dexie's liveQuery as a Preact hook: screens re-render when what they read changes, in any tab. */
import { liveQuery } from 'dexie';
import { useEffect, useState } from 'preact/hooks';

export function useLiveQuery<T>(query: () => Promise<T>, deps: unknown[]): T | undefined {
  const [value, setValue] = useState<T>();
  useEffect(() => {
    const sub = liveQuery(query).subscribe({ next: setValue, error: (e) => console.error(e) });
    return () => sub.unsubscribe();
  }, deps);
  return value;
}
