/**
 * The app's name and icon as the phone shows them: Rasid's own, or, if the monitor chooses, a plain
 * "Notes" with a notebook icon, for the browser tab, the app's header and a home-screen installation
 * made afterwards. It helps against a glance at the phone, not against anyone who opens the app.
 *
 * Kept in localStorage, read before the lock screen shows (it is no secret, and the panic clears it).
 */
import type { Translator } from './i18n/i18n.ts';
import type { LocalStorageName } from './store/kept-outside.ts';

const KEY: LocalStorageName = 'appearance';

export type Appearance = 'rasid' | 'neutral';

const LINKS: Record<Appearance, { manifest: string; icon: string; touch: string; theme: string }> = {
  rasid: { manifest: '/manifest.webmanifest', icon: '/icons/icon.svg', touch: '/icons/icon-192.png', theme: '#1f4e5f' },
  neutral: { manifest: '/manifest-neutral.webmanifest', icon: '/icons/neutral.svg', touch: '/icons/neutral-192.png', theme: '#6b7280' },
};

export function currentAppearance(storage: Pick<Storage, 'getItem'> = localStorage): Appearance {
  return storage.getItem(KEY) === 'neutral' ? 'neutral' : 'rasid';
}

export function setAppearance(appearance: Appearance, storage: Pick<Storage, 'setItem'> = localStorage): void {
  storage.setItem(KEY, appearance);
}

/** The name to show for the app. */
export function appName(tr: Translator, appearance: Appearance = currentAppearance()): string {
  return tr.t(appearance === 'neutral' ? 'app.neutralName' : 'app.name');
}

/** Points the page's manifest, icons and theme colour at the chosen appearance, and names the tab. */
export function applyAppearance(tr: Translator, doc: Document = document, appearance: Appearance = currentAppearance()): void {
  const links = LINKS[appearance];
  const set = (selector: string, attribute: string, value: string) => doc.querySelector(selector)?.setAttribute(attribute, value);
  set('link[rel="manifest"]', 'href', links.manifest);
  set('link[rel="icon"]', 'href', links.icon);
  set('link[rel="apple-touch-icon"]', 'href', links.touch);
  set('meta[name="theme-color"]', 'content', links.theme);
  doc.title = appName(tr, appearance);
}
