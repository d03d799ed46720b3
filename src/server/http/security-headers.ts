/**
 * The headers every answer carries, from a route, a 404, the error handler, or the transport's own
 * refusals (transport.ts), so that no answer leaves the server without them.
 */

/**
 * The app loads only its own scripts, styles, images and workers. `'wasm-unsafe-eval'` lets
 * hash-wasm compile Argon2id; nothing else is evaluated. Styles come from one CSS file and the QR
 * code is inline SVG drawn as DOM nodes (no `style` attributes, no data: URLs), so `default-src
 * 'self'` covers them. Photos' display copies are shown from `blob:` URLs the page makes of its own
 * sealed rows (`img-src 'self' blob:`), never fetched from anywhere. `frame-ancestors 'none'` keeps the app out of other sites' frames;
 * `form-action 'self'` keeps a form injected into a page from posting what was typed elsewhere.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'; worker-src 'self'; script-src 'self' 'wasm-unsafe-eval'";

/**
 * The powerful features the app uses, for its own origin only: the position for a report's point,
 * and the camera for photos. Every other one is off, for the app and for anything it might embed.
 */
export const PERMISSIONS_POLICY = [
  'geolocation=(self)',
  'camera=(self)',
  'microphone=()',
  'display-capture=()',
  'payment=()',
  'usb=()',
  'serial=()',
  'hid=()',
  'bluetooth=()',
  'midi=()',
  'accelerometer=()',
  'gyroscope=()',
  'magnetometer=()',
  'ambient-light-sensor=()',
  'idle-detection=()',
  'screen-wake-lock=()',
  'xr-spatial-tracking=()',
  'publickey-credentials-get=()',
  'encrypted-media=()',
  'autoplay=()',
  'picture-in-picture=()',
  'fullscreen=()',
].join(', ');

/** Two years; sent only over TLS, since a browser ignores it on plain HTTP anyway. */
export const STRICT_TRANSPORT_SECURITY = 'max-age=63072000; includeSubDomains';

export function securityHeaders(tls: boolean): Record<string, string> {
  return {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'Permissions-Policy': PERMISSIONS_POLICY,
    // A window the app opens, or that opened it, gets no handle on it (no `window.opener`).
    'Cross-Origin-Opener-Policy': 'same-origin',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    ...(tls ? { 'Strict-Transport-Security': STRICT_TRANSPORT_SECURITY } : {}),
  };
}
