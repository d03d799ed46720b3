/**
 * The base server's HTTP behaviour against a dist/ folder written by the test, with a secret file
 * beside it that no request may ever read.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { HTTPException } from 'hono/http-exception';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createApp } from '../../src/server/app.ts';

const SECRET = 'secret-outside-dist-7f3a';
const INDEX = '<!doctype html><html lang="ar" dir="rtl"><body>rasid-index</body></html>';
let tmp: string;
let distDir: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'rasid-server-'));
  distDir = path.join(tmp, 'dist');
  const files: Record<string, string> = {
    'index.html': INDEX,
    'assets/index-B2x9Qa1c.js': 'console.log("app")',
    'assets/index-D4kPq0Zz.css': 'body{}',
    'sw.js': 'self.addEventListener("fetch", () => {})',
    'registerSW.js': 'navigator.serviceWorker.register("/sw.js")',
    'workbox-2fbc6a65.js': 'define([], () => {})',
    'manifest.webmanifest': '{"name":"راصد"}',
    'icons/icon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
  };
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(distDir, name)), { recursive: true });
    await writeFile(path.join(distDir, name), content);
  }
  await writeFile(path.join(tmp, 'secret.txt'), SECRET);
  // Shares dist's name as a prefix: a naive startsWith(distDir) check would let it through.
  await mkdir(path.join(tmp, 'dist-private'));
  await writeFile(path.join(tmp, 'dist-private', 'secret.txt'), SECRET);
  await symlink(path.join(tmp, 'secret.txt'), path.join(distDir, 'leak.txt'));
  await symlink(tmp, path.join(distDir, 'parent'));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function app() {
  return createApp({ distDir });
}

describe('the API', () => {
  test('the health check answers ok as JSON', async () => {
    const res = await app().request('/api/v1/health');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ ok: true });
  });

  test.each([
    ['GET', '/api/nope'],
    ['GET', '/api'],
    ['GET', '/api/v1/health/extra'],
    ['POST', '/api/v1/health'],
    ['DELETE', '/api/v1/ops'],
    ['GET', '/api/v1/reports.json'],
  ])('%s %s answers 404 in the JSON error shape, never the app page', async (method, url) => {
    const res = await app().request(url, { method });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });

  test('API answers are never cached', async () => {
    expect((await app().request('/api/v1/health')).headers.get('cache-control')).toBe('no-store');
  });

  test('a feature route added under /api answers before the 404 catch-all', async () => {
    const withRoutes = createApp({ distDir, apiRoutes: (api) => api.get('/v1/ping', (c) => c.json({ pong: 1 })) });
    expect(await (await withRoutes.request('/api/v1/ping')).json()).toEqual({ pong: 1 });
    expect((await withRoutes.request('/api/v1/pong')).status).toBe(404);
  });

  test('a bug in a route answers a JSON 500 without its details, and the operator sees them', async () => {
    const reported = vi.fn();
    const buggy = createApp({
      distDir,
      onUnexpectedError: reported,
      apiRoutes: (api) =>
        api.get('/v1/boom', () => {
          throw new Error('connection to postgres://admin:hunter2@db failed');
        }),
    });
    const res = await buggy.request('/api/v1/boom');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'internal', message: expect.any(String) } });
    expect(text).not.toContain('hunter2');
    expect(reported).toHaveBeenCalledOnce();
  });

  test('input a route rejects as bad stays a 4xx JSON answer', async () => {
    const strict = createApp({
      distDir,
      apiRoutes: (api) =>
        api.post('/v1/ops', () => {
          throw new HTTPException(400, { message: 'The batch is not valid JSON.' });
        }),
    });
    const res = await strict.request('/api/v1/ops', { method: 'POST', body: '{' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'bad_request', message: 'The batch is not valid JSON.' } });
  });

  test('a refusal for too many requests keeps its status so the client backs off', async () => {
    const limited = createApp({
      distDir,
      apiRoutes: (api) =>
        api.post('/v1/ops', () => {
          throw new HTTPException(429, { message: 'Too many batches; retry later.' });
        }),
    });
    const res = await limited.request('/api/v1/ops', { method: 'POST' });
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({ error: { code: 'rate_limited', message: 'Too many batches; retry later.' } });
  });
});

describe('the built app', () => {
  test.each(['/', '/reports/0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', '/desk/conflicts/', '/assets'])(
    '%s answers the app page so a deep link opens online too',
    async (url) => {
      const res = await app().request(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toBe(INDEX);
    },
  );

  test('HEAD of a deep link answers 200 with no body', async () => {
    const res = await app().request('/reports/abc', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  test.each(['/assets/index-OLDHASH.js', '/icons/missing.png', '/favicon.ico'])(
    'a missing file %s answers a plain 404, not the app page',
    async (url) => {
      const res = await app().request(url);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('rasid-index');
    },
  );

  test.each([
    ['/assets/index-B2x9Qa1c.js', 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable'],
    ['/assets/index-D4kPq0Zz.css', 'text/css; charset=utf-8', 'public, max-age=31536000, immutable'],
    ['/index.html', 'text/html; charset=utf-8', 'no-cache'],
    ['/sw.js', 'text/javascript; charset=utf-8', 'no-cache'],
    ['/registerSW.js', 'text/javascript; charset=utf-8', 'no-cache'],
    ['/workbox-2fbc6a65.js', 'text/javascript; charset=utf-8', 'no-cache'],
    ['/manifest.webmanifest', 'application/manifest+json', 'no-cache'],
    ['/icons/icon.svg', 'image/svg+xml', 'no-cache'],
  ])('%s is served as %s with Cache-Control %s', async (url, type, cache) => {
    const res = await app().request(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(type);
    expect(res.headers.get('cache-control')).toBe(cache);
  });

  test('revalidating an unchanged service worker costs a 304, not the file', async () => {
    const first = await app().request('/sw.js');
    const again = await app().request('/sw.js', { headers: { 'If-None-Match': first.headers.get('etag') ?? '' } });
    expect(again.status).toBe(304);
    expect(again.headers.get('cache-control')).toBe('no-cache');
  });
});

test.each(['/api/v1/health', '/api/nope', '/', '/sw.js', '/nope.js', '/..%2fsecret.txt'])(
  '%s carries nosniff and no-referrer',
  async (url) => {
    const res = await app().request(url);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  },
);

const ATTACKS = [
  '/../secret.txt',
  '/%2e%2e/secret.txt',
  '/..%2fsecret.txt',
  '/%2e%2e%2fsecret.txt',
  '/%2E%2E%2Fsecret.txt',
  '/assets/..%2f..%2fsecret.txt',
  '/..%5csecret.txt',
  '/..\\secret.txt',
  '/assets%5c..%5c..%5csecret.txt',
  '/secret.txt%00.js',
  '/%00',
  '/..%2fdist-private%2fsecret.txt',
  '/%252e%252e%252fsecret.txt',
  '/%c0%ae%c0%ae/secret.txt',
  '/leak.txt',
  '/parent/secret.txt',
  '/parent/dist-private/secret.txt',
  `/${'..%2f'.repeat(40)}secret.txt`,
];

describe('path traversal', () => {
  test.each(ATTACKS)('%s never reaches a file outside dist', async (url) => {
    const res = await app().request(url);
    expect([400, 404]).toContain(res.status);
    expect(await res.text()).not.toContain(SECRET);
  });

  describe('through the Node adapter, with the raw request line', () => {
    let server: ServerType;
    let port: number;

    beforeAll(async () => {
      await new Promise<void>((resolve) => {
        server = serve({ fetch: app().fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
          port = info.port;
          resolve();
        });
      });
    });
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    test.each(ATTACKS)('%s never reaches a file outside dist', async (url) => {
      const { status, body } = await rawGet(port, url);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
      expect(body).not.toContain(SECRET);
    });
  });
});

/** node:http sends the path as written, where fetch would normalise `..` away before sending. */
function rawGet(port: number, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: url, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
