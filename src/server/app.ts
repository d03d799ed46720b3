/**
 * The base server's HTTP surface: a JSON API under /api and the built PWA from dist/.
 *
 * Deep links fall back to index.html so a shared report URL opens online as it does offline.
 * Paths are checked before they touch the file system: nothing outside dist/ is ever read.
 */
import { realpathSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { Hono, type Context } from 'hono';
import { etag } from 'hono/etag';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ApiError } from './http/errors.ts';
import { RateLimitedError } from './http/rate-limit.ts';
import { securityHeaders } from './http/security-headers.ts';

export interface AppOptions {
  /** The Vite build output, usually `dist/`. */
  distDir: string;
  /** Registers feature routes on the /api router (paths relative to /api, e.g. `/v1/ops`). */
  apiRoutes?: (api: Hono) => void;
  /** Where genuine server bugs are reported; the client only ever sees a generic 500. */
  onUnexpectedError?: (err: unknown) => void;
  /** Served over TLS (by this process): answers carry Strict-Transport-Security. */
  tls?: boolean;
}

/** The error shape every /api response uses, so clients parse one format. */
export function jsonError(c: Context, status: ContentfulStatusCode, code: string, message: string) {
  return c.json({ error: { code, message } }, status);
}

export function createApp(options: AppOptions): Hono {
  const report = options.onUnexpectedError ?? logUnexpectedError;
  const app = new Hono();

  const headers = Object.entries(securityHeaders(Boolean(options.tls)));
  // After next(): the answer is final by then, whether a route, a 404 or the error handler made it.
  app.use(async (c, next) => {
    await next();
    for (const [name, value] of headers) c.header(name, value);
    // Answered before the body is all in (a body over the limit, a refused token): the base reads no
    // more of it and closes the connection after this answer, so the answer says so, and the client
    // sends its next request on a new connection rather than into one that is going away.
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    // A body that came with its headers may not be parsed yet: one turn of the loop parses what is in.
    if (incoming && !incoming.complete) await new Promise((resolve) => setImmediate(resolve));
    if (incoming && !incoming.complete) c.header('Connection', 'close');
  });

  app.route('/api', apiRouter(options.apiRoutes));

  const root = realpathOrResolved(options.distDir);
  app.get('*', etag(), (c) => serveDist(c, root));

  app.onError((err, c) => {
    if (err instanceof ApiError) {
      // The one scheme a 401 can be answered with (RFC 6750).
      if (err.status === 401) c.header('WWW-Authenticate', 'Bearer');
      if (err instanceof RateLimitedError) c.header('Retry-After', String(err.retryAfterSeconds));
      return jsonError(c, err.status, err.code, err.message);
    }
    if (err instanceof HTTPException && err.status < 500) {
      const code = CLIENT_ERROR_CODES[err.status] ?? 'bad_request';
      return jsonError(c, err.status, code, err.message || 'The request was not understood.');
    }
    report(err);
    return jsonError(c, 500, 'internal', 'The server met an unexpected problem.');
  });

  return app;
}

const CLIENT_ERROR_CODES: Partial<Record<number, string>> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

function apiRouter(addRoutes: AppOptions['apiRoutes']): Hono {
  const api = new Hono();
  // A cached sync answer would lie about what the base holds.
  api.use(async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });
  api.get('/v1/health', (c) => c.json({ ok: true }));
  addRoutes?.(api);
  // Registered last: Hono matches in registration order, so feature routes above take precedence.
  api.all('*', (c) => jsonError(c, 404, 'not_found', 'There is no such API endpoint.'));
  return api;
}

function logUnexpectedError(err: unknown): void {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

async function serveDist(c: Context, root: string): Promise<Response> {
  const relative = safeRelativePath(new URL(c.req.url).pathname);
  if (relative === undefined) return c.text('Bad Request', 400);

  const file = await findFile(root, relative);
  if (file !== undefined) return sendFile(c, file, relative);
  // A missing script or image must fail loudly, not arrive as HTML.
  if (path.posix.extname(relative) !== '') return c.text('Not Found', 404);

  const index = await findFile(root, 'index.html');
  return index === undefined ? c.text('Not Found', 404) : sendFile(c, index, 'index.html');
}

/** The request path as a path inside dist/, or undefined when it tries to leave it or is malformed. */
function safeRelativePath(pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '..' || s === '.')) return undefined;
  return segments.join('/');
}

const MISSING = new Set(['ENOENT', 'ENOTDIR', 'ENAMETOOLONG', 'ELOOP']);

interface FoundFile {
  path: string;
  size: number;
  mtimeMs: number;
}

async function findFile(root: string, relative: string): Promise<FoundFile | undefined> {
  try {
    // realpath so a symlink inside dist/ cannot point the server at the rest of the disk.
    const real = await realpath(path.resolve(root, relative));
    if (!isInside(root, real)) return undefined;
    const info = await stat(real);
    return info.isFile() ? { path: real, size: info.size, mtimeMs: info.mtimeMs } : undefined;
  } catch (err) {
    if (MISSING.has((err as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw err;
  }
}

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

async function sendFile(c: Context, file: FoundFile, relative: string): Promise<Response> {
  const body = await readFile(file.path);
  const type = CONTENT_TYPES[path.posix.extname(relative).toLowerCase()] ?? 'application/octet-stream';
  return c.body(body, 200, {
    'Content-Type': type,
    'Cache-Control': cacheControl(relative),
    // Cheap validator so `no-cache` revalidation costs a 304, not the file, on a slow link.
    ETag: `W/"${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}"`,
  });
}

/**
 * Vite puts a content hash in every name under assets/, so those never change. Everything else
 * (index.html, sw.js, registerSW.js, the manifest, workbox-*.js, icons) keeps its name across
 * releases and must be revalidated, or a service worker update would go unseen.
 */
function cacheControl(relative: string): string {
  return relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
}

function realpathOrResolved(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}
