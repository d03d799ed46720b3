/**
 * Screens loaded on first use, so the phone's first load carries only what the list needs. The
 * service worker precaches every chunk, so a lazy screen opens offline like the rest. A screen shows
 * once its messages are held too (screens.en.ts, loaded as soon as the list is drawn, main.tsx).
 */
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useTr } from './context.ts';

export function lazyScreen<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  return function LazyScreen(props: P) {
    const tr = useTr();
    const [Screen, setScreen] = useState<ComponentType<P> | undefined>(() => loaded);
    useEffect(() => {
      if (Screen) return;
      let live = true;
      // Kept for the next time even when this screen has gone before its code arrived.
      void load().then((c) => {
        loaded = c;
        if (live) setScreen(() => c);
      });
      return () => void (live = false);
    }, [Screen]);
    return Screen && tr.hasScreens ? <Screen {...props} /> : null;
  };
}
