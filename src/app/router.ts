/**
 * Paths as routes, with the History API, so every screen has a real URL (a deep link opens offline
 * through the service worker's navigation fallback). Report ids appear in paths; report content never does.
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
  | { name: 'sync' }
  | { name: 'enroll' }
  | { name: 'devices' }
  | { name: 'conflicts' }
  | { name: 'quarantine' }
  | { name: 'desk' }
  | { name: 'deskCharts' }
  | { name: 'deskExports' }
  | { name: 'notFound' };

const SIMPLE = ['settings', 'sync', 'enroll', 'devices', 'conflicts', 'quarantine'] as const;

export function parseRoute(pathname: string, search: string): Route {
  const draft = new URLSearchParams(search).get('draft') ?? undefined;
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { name: 'list' };
  if (parts[0] === 'new' && parts.length === 1) return { name: 'new', draft };
  const simple = SIMPLE.find((n) => n === parts[0]);
  if (simple && parts.length === 1) return { name: simple };
  if (parts[0] === 'desk') {
    if (parts.length === 1) return { name: 'desk' };
    if (parts.length === 2 && parts[1] === 'charts') return { name: 'deskCharts' };
    if (parts.length === 2 && parts[1] === 'exports') return { name: 'deskExports' };
  }
  if (parts[0] === 'reports' && parts[1] !== undefined && (parts.length === 2 || (parts.length === 3 && parts[2] === 'edit'))) {
    // A path that names no report id can name no report here: said as for an id this phone lacks.
    if (!isReportId(parts[1])) return { name: 'noReport' };
    return parts.length === 2 ? { name: 'view', id: parts[1] } : { name: 'edit', id: parts[1], draft };
  }
  return { name: 'notFound' };
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
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
