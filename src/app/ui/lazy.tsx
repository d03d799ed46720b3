/**
 * Screens loaded on first use, so the phone's first load carries only what the list needs. The
 * service worker precaches every chunk, so a lazy screen opens offline like the rest. A screen shows
 * once its messages are held too (screens.en.ts, loaded as soon as the list is drawn, main.tsx).
 *
 * Where there is no service worker yet (the first visit, on a link that drops), or the chunk went
 * with an update, the code may not come: after trying again (load-again.ts) the screen says so, in
 * the messages the app started with, and offers to reload, instead of staying blank.
 */
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { loadAgainOnFailure } from '../load-again.ts';
import { useLanguage, useTr } from './context.ts';

/** With `quiet`, a part beside the screen (the sync bar) shows nothing when it does not load: the screen says it. */
export function lazyScreen<P extends object>(load: () => Promise<ComponentType<P>>, { quiet = false } = {}): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  return function LazyScreen(props: P) {
    const { tr, screensFailed } = useLanguage();
    const [Screen, setScreen] = useState<ComponentType<P> | undefined>(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (Screen) return;
      let live = true;
      // Kept for the next time even when this screen has gone before its code arrived.
      loadAgainOnFailure(load).then(
        (c) => {
          loaded = c;
          if (live) setScreen(() => c);
        },
        (e: unknown) => {
          console.error(e);
          if (live) setFailed(true);
        },
      );
      return () => void (live = false);
    }, [Screen]);
    if (failed || (screensFailed && !tr.hasScreens)) return quiet ? null : <NotLoaded />;
    return Screen && tr.hasScreens ? <Screen {...props} /> : null;
  };
}

/** Reloading fetches the app again; the address keeps the screen, and what was saved stays saved. */
function NotLoaded() {
  const tr = useTr();
  return (
    <div role="alert">
      <p>{tr.t('app.screenNotLoaded')}</p>
      <button type="button" class="primary" onClick={() => location.reload()}>
        {tr.t('action.reloadApp')}
      </button>
    </div>
  );
}
