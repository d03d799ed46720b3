import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';
import { VitePWA } from 'vite-plugin-pwa';

export default defineConfig({
  plugins: [
    preact(),
    VitePWA({
      // Registration is ours (src/app/pwa.ts, with workbox-window): a new version is offered, never forced.
      injectRegister: false,
      registerType: 'prompt',
      manifest: false,
      includeAssets: ['icons/*.png', 'icons/*.svg', 'manifest.webmanifest'],
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest,csv,woff2}'],
        navigateFallback: '/index.html',
        // The API is never answered from a cache: a stale sync response would lie about what the base holds.
        navigateFallbackDenylist: [/^\/api\//],
        runtimeCaching: [],
        cleanupOutdatedCaches: true,
        // The first install takes control at once, so the app works offline from its first visit.
        clientsClaim: true,
      },
    }),
  ],
  build: {
    target: 'es2022',
    sourcemap: false,
    // No preloading helper in the first load: after the first visit every chunk comes from the
    // service worker's cache, where a lazy screen's chunks arriving one after another cost nothing
    // worth 0.8 KB gzip of the budget (docs/decisions.md, 058).
    modulePreload: false,
  },
});
