/**
 * Paths as routes, with the History API, so every screen has a real URL (a deep link opens offline
 * through the service worker's navigation fallback). Report ids appear in paths; report content never does.
 * Moving between screens replaces the app's one entry in the browser's history rather than adding
 * one: the history of a phone taken at a checkpoint names no report, and Back leaves the app.
 */
import { useEffect, useState } from 'preact/hooks';
import { isReportId, type ReportId } from '../domain/ids.ts';

export type Route =
  | { name: 'list' }
  | { name: 'new'; draft?: string }
  | { name: 'view'; id: ReportId }
  | { name: 'edit'; id: ReportId; draft?: string }
  | { name: 'noReport' }
  | { name: 'settings' }
  | { name: 'intro' }
  | { name: 'sync' }
  | { name: 'enroll' }
  | { name: 'devices' }
  | { name: 'conflicts' }
  | { name: 'quarantine' }
  | { name: 'desk' }
  | { name: 'deskMap' }
  | { name: 'deskCharts' }
  | { name: 'deskExports' }
  | { name: 'notFound' };

/**
 * Every path the app links to, by route: parsing and `href` read this one table, so a link cannot
 * name a path the router does not know. `:id` stands for a report id.
 */
const PATHS = {
  list: '/',
  new: '/new',
  view: '/reports/:id',
  edit: '/reports/:id/edit',
  settings: '/settings',
  intro: '/intro',
  sync: '/sync',
  enroll: '/enroll',
  devices: '/devices',
  conflicts: '/conflicts',
  quarantine: '/quarantine',
  desk: '/desk',
  deskMap: '/desk/map',
  deskCharts: '/desk/charts',
  deskExports: '/desk/exports',
} as const satisfies Record<Exclude<Route['name'], 'noReport' | 'notFound'>, string>;

export type RouteName = keyof typeof PATHS;
// Ids as plain strings: a link may name a report this phone lacks, and the router then says so.
type Params<N extends RouteName> = { [K in keyof Omit<Extract<Route, { name: N }>, 'name'>]: string };

/** The path of a route, with its id encoded and its draft, if any, in the query. */
export function href<N extends RouteName>(name: N, ...[params]: object extends Params<N> ? [Params<N>?] : [Params<N>]): string {
  const { id = '', draft } = (params ?? {}) as { id?: string; draft?: string };
  const path = PATHS[name].replace(':id', encodeURIComponent(id));
  return draft === undefined ? path : `${path}?draft=${encodeURIComponent(draft)}`;
}

const segments = (path: string) => path.split('/').filter(Boolean);

export function parseRoute(pathname: string, search: string): Route {
  const draft = new URLSearchParams(search).get('draft') ?? undefined;
  const parts = segments(pathname).map(decodeURIComponent);
  for (const [name, path] of Object.entries(PATHS) as [RouteName, string][]) {
    const pattern = segments(path);
    if (pattern.length !== parts.length || pattern.some((p, i) => p !== ':id' && p !== parts[i])) continue;
    const id = parts[pattern.indexOf(':id')];
    // A path that names no report id can name no report here: said as for an id this phone lacks.
    if (id !== undefined && !isReportId(id)) return { name: 'noReport' };
    return { name, ...(id === undefined ? {} : { id }), ...(name === 'new' || name === 'edit' ? { draft } : {}) } as Route;
  }
  return { name: 'notFound' };
}

/** Shows the screen at `path`, in place of the current entry of the history: never a new one. */
export function navigate(path: string): void {
  history.replaceState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

/**
 * Puts `path` in the address bar in place of the current entry, the screen staying as it is: a form
 * names its draft this way once it has one, so a reload opens the form with the draft in it.
 */
export function replaceAddress(path: string): void {
  history.replaceState(history.state, '', path);
}

export function useRoute(): Route {
  const read = () => parseRoute(location.pathname, location.search);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onPop = () => setRoute(read());
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  return route;
}

/** Same-origin link clicks move within the app instead of reloading it. */
export function onLinkClick(e: MouseEvent): void {
  const a = (e.target as Element | null)?.closest?.('a');
  // A click already taken by the link's own handler (the error summary's links move only the focus) is left alone.
  if (e.defaultPrevented || !a || a.target || a.hasAttribute('download') || e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
}
