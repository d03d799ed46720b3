/**
 * Service worker registration with workbox-window. A new version waits until the monitor chooses
 * "Reload to update": never forced, so nothing half-typed is lost to an update.
 */
import { Workbox } from 'workbox-window';

export interface UpdateHandle {
  apply(): void;
}

export function registerServiceWorker(onUpdate: (update: UpdateHandle) => void): void {
  if (!('serviceWorker' in navigator) || import.meta.env.DEV) return;
  const wb = new Workbox('/sw.js', { scope: '/' });
  wb.addEventListener('waiting', () => {
    onUpdate({
      apply() {
        wb.addEventListener('controlling', () => location.reload());
        wb.messageSkipWaiting();
      },
    });
  });
  void wb.register();
}
