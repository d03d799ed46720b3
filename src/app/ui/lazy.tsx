/**
 * Screens loaded on first use, so the phone's first load carries only what the list needs. The
 * service worker precaches every chunk, so a lazy screen opens offline like the rest.
 */
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export function lazyScreen<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  return function LazyScreen(props: P) {
    const [Screen, setScreen] = useState<ComponentType<P> | undefined>(() => loaded);
    useEffect(() => {
      if (!Screen) void load().then((c) => setScreen(() => (loaded = c)));
    }, [Screen]);
    return Screen ? <Screen {...props} /> : null;
  };
}
