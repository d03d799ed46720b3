/**
 * The browser's offer to install the app to the home screen. Chromium fires `beforeinstallprompt`
 * once, early, when the page could be installed; it is held here from the first moment, its own
 * bar kept from showing, so the introduction can make the offer in the monitor's language when they
 * reach it. Browsers that fire nothing (Firefox, Safari) are never offered an install.
 */

/** What Chromium's event adds to Event (not in TypeScript's DOM types). */
interface InstallPrompt extends Event {
  prompt(): Promise<unknown>;
  readonly userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

let held: InstallPrompt | undefined;
const watchers = new Set<() => void>();
const changed = () => watchers.forEach((w) => w());

/** Starts holding the offer: called once at start, before anything waits. */
export function holdInstallOffer(target: Pick<Window, 'addEventListener'> = window): void {
  target.addEventListener('beforeinstallprompt', (e) => {
    e.preventDefault();
    held = e as InstallPrompt;
    changed();
  });
  target.addEventListener('appinstalled', () => {
    held = undefined;
    changed();
  });
}

/** Whether the browser offers an install now. */
export function installOffered(): boolean {
  return held !== undefined;
}

/** Calls `watch` whenever the offer comes or goes; returns how to stop. */
export function watchInstallOffer(watch: () => void): () => void {
  watchers.add(watch);
  return () => watchers.delete(watch);
}

/**
 * Shows the browser's own install dialog. An offer can be shown once: after it, the browser makes a
 * new one (or none) as it sees fit. Resolves to whether the monitor accepted.
 */
export async function install(): Promise<boolean> {
  const offer = held;
  if (!offer) return false;
  held = undefined;
  changed();
  await offer.prompt();
  return (await offer.userChoice).outcome === 'accepted';
}
