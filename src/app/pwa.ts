/**
 * Service worker registration with workbox-window. A new version waits until the monitor chooses
 * "Reload to update": never forced, so nothing half-typed is lost to an update.
 */
export interface UpdateHandle {
  apply(): void;
}

/** Loaded after the first render: registration never delays the list the monitor is waiting for. */
export async function registerServiceWorker(onUpdate: (update: UpdateHandle) => void): Promise<void> {
  if (!('serviceWorker' in navigator) || import.meta.env.DEV) return;
  const { Workbox } = await import('workbox-window');
  const wb = new Workbox('/sw.js', { scope: '/' });
  wb.addEventListener('waiting', () => {
    onUpdate({
      apply() {
        wb.addEventListener('controlling', () => location.reload());
        wb.messageSkipWaiting();
      },
    });
  });
  await wb.register();
}
