/**
 * The sync and enrollment API, registered on the app's /api router (see app.ts, which adds the
 * JSON error shape, `Cache-Control: no-store` and the 404 for unknown routes). Time, randomness and
 * the public origin are passed in, so tests pin them.
 */
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import type { RandomBytes } from '../../domain/ids.ts';
import type { BlobBytes } from '../blobs/bytes.ts';
import type { Store } from '../store/index.ts';
import type { ApiEnv } from './auth.ts';
import { blobsRoutes } from './blobs-route.ts';
import { devicesRoutes } from './devices-route.ts';
import { enrollRoutes } from './enroll-route.ts';
import type { RequestLimits } from './rate-limit.ts';
import { syncRoute } from './sync-route.ts';
import { tokenRoutes } from './token-route.ts';

export interface ApiDeps {
  store: Store;
  now: () => number;
  random: RandomBytes;
  /** The deployment's one origin, for enrollment links; a function because the port may be known only once listening. */
  publicOrigin: () => string;
  /** Rate limits (see rate-limit.ts); none when absent, as in most tests. */
  limits?: RequestLimits;
  /** Pulled body bytes per answer; MAX_PULL_BYTES when absent. */
  pullBytes?: number;
  /** Where uploaded blobs' bytes live; in the store's own database when absent. */
  blobBytes?: BlobBytes;
}

export function syncApi(deps: ApiDeps): (api: Hono) => void {
  return (root) => {
    const api = new Hono<ApiEnv>();
    api.use(async (c, next) => {
      c.set('limits', deps.limits);
      await next();
    });
    // gzip when the client accepts it and the answer is over 1 KiB (a page of pulled ops, not an ack).
    api.use(compress({ encoding: 'gzip', threshold: 1024 }));
    syncRoute(api, deps);
    enrollRoutes(api, deps);
    devicesRoutes(api, deps);
    tokenRoutes(api, deps);
    blobsRoutes(api, deps);
    root.route('/', api);
  };
}
