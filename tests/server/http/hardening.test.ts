/**
 * Server hardening in process: security headers on every kind of answer, rate limits (per device,
 * per address, 429 with Retry-After at the configured rate, bounded memory), token rotation, and
 * nothing private in what the server prints while it serves real sockets.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../../src/server/app.ts';
import { CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY, STRICT_TRANSPORT_SECURITY } from '../../../src/server/http/security-headers.ts';
import { ConfigError, readRateLimits } from '../../../src/server/config.ts';
import { RateLimiter } from '../../../src/server/http/rate-limit.ts';
import { newId, T0, testServer, useSqliteServer, wireOp, type TestServer } from './harness.ts';
import { openStore } from '../../../src/server/store/index.ts';
import { deviceId } from '../../ids.ts';

let dist: string;
beforeAll(() => {
  dist = mkdtempSync(join(tmpdir(), 'rasid-hardening-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Rasid</title>');
  writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
});
afterAll(() => rmSync(dist, { recursive: true, force: true }));

describe('RateLimiter', () => {
  it("allows a minute's worth at once, then one more per 60/N seconds, with Retry-After in whole seconds", () => {
    const clock = { now: T0 };
    const limiter = new RateLimiter(6, () => clock.now);
    for (let i = 0; i < 6; i++) expect(limiter.take('a')).toEqual({ ok: true });
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 10 });
    clock.now += 9_000;
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    clock.now += 1_000;
    expect(limiter.take('a')).toEqual({ ok: true });
    expect(limiter.take('a').ok).toBe(false);
    // Another key has its own bucket.
    expect(limiter.take('b')).toEqual({ ok: true });
    // A long pause refills to the cap, not beyond it.
    clock.now += 3_600_000;
    for (let i = 0; i < 6; i++) expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(false);
  });

  it('a clock stepping back mints no tokens', () => {
    const clock = { now: T0 };
    const limiter = new RateLimiter(1, () => clock.now);
    expect(limiter.take('a').ok).toBe(true);
    clock.now -= 3_600_000;
    expect(limiter.take('a').ok).toBe(false);
  });

  it('holds at most maxKeys, and drops idle keys once their bucket has refilled', () => {
    const clock = { now: T0 };
    const limiter = new RateLimiter(10, () => clock.now, 100);
    for (let i = 0; i < 1000; i++) limiter.take(`10.0.${i >> 8}.${i & 255}`);
    expect(limiter.size).toBe(100);
    clock.now += 61_000;
    limiter.take('fresh');
    expect(limiter.size).toBe(1);
  });
});

describe('configuration', () => {
  it('defaults to 600 a minute per device and 30 per address, and refuses nonsense', () => {
    expect(readRateLimits({})).toEqual({ perDevice: 600, perAddress: 30, trustProxy: false });
    expect(readRateLimits({ RATE_LIMIT_PER_MINUTE: '5', ENROLL_RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: '1' })).toEqual({
      perDevice: 5,
      perAddress: 2,
      trustProxy: true,
    });
    for (const env of [
      { RATE_LIMIT_PER_MINUTE: '0' },
      { RATE_LIMIT_PER_MINUTE: 'lots' },
      { ENROLL_RATE_LIMIT_PER_MINUTE: '1.5' },
      { TRUST_PROXY: 'yes' },
    ]) {
      expect(() => readRateLimits(env)).toThrow(ConfigError);
    }
  });
});

describe('security headers', () => {
  const start = useSqliteServer();

  async function serverWith(options: { tls?: boolean } = {}): Promise<TestServer> {
    const plain = await start();
    return testServer(plain.store, {
      distDir: dist,
      ...options,
      limits: (now) => ({ device: new RateLimiter(1, now), address: new RateLimiter(3, now) }),
    });
  }

  it('every kind of answer carries CSP, Permissions-Policy, COOP, nosniff and no-referrer; HSTS only under TLS', async () => {
    const server = await serverWith();
    const token = await server.firstCoordinator();
    const answers: [string, Response][] = [
      ['app shell', await server.call('/')],
      ['static asset', await server.call('/assets/index-abc123.js')],
      ['deep link', await server.call('/reports/0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b')],
      ['missing asset', await server.call('/assets/missing.js')],
      ['traversal', await server.call('/..%2fsecret')],
      ['API', await server.call('/api/v1/health')],
      ['API 200 with a token', await server.call('/api/v1/sync', { token, json: { epoch: null, cursor: null, ops: [] } })],
      ['API 404', await server.call('/api/nope')],
      ['POST outside the API', await server.call('/', { method: 'POST', body: 'x' })],
      ['API 400', await server.call('/api/v1/enroll', { headers: { 'Content-Type': 'application/json' }, body: '{' })],
      ['API 401', await server.call('/api/v1/sync', { token: 'A'.repeat(43), json: {} })],
      ['API 429', await server.call('/api/v1/sync', { token, json: { epoch: null, cursor: null, ops: [] } })],
    ];
    expect(answers.map(([, r]) => r.status)).toEqual([200, 200, 200, 404, 400, 200, 200, 404, 404, 400, 401, 429]);
    for (const [what, res] of answers) {
      expect.soft(res.headers.get('content-security-policy'), what).toBe(CONTENT_SECURITY_POLICY);
      expect.soft(res.headers.get('permissions-policy'), what).toBe(PERMISSIONS_POLICY);
      expect.soft(res.headers.get('cross-origin-opener-policy'), what).toBe('same-origin');
      expect.soft(res.headers.get('x-content-type-options'), what).toBe('nosniff');
      expect.soft(res.headers.get('referrer-policy'), what).toBe('no-referrer');
      expect.soft(res.headers.get('strict-transport-security'), what).toBeNull();
      if (what.startsWith('API')) expect.soft(res.headers.get('cache-control'), what).toBe('no-store');
    }

    const tls = await serverWith({ tls: true });
    for (const path of ['/', '/assets/index-abc123.js', '/api/v1/health', '/api/nope']) {
      expect((await tls.call(path)).headers.get('strict-transport-security')).toBe(STRICT_TRANSPORT_SECURITY);
    }
  });

  it("a server bug's 500 carries them too", async () => {
    const app = createApp({
      distDir: dist,
      tls: true,
      onUnexpectedError: () => {},
      apiRoutes: (api) =>
        api.get('/v1/boom', () => {
          throw new Error('boom');
        }),
    });
    const res = await app.request('/api/v1/boom');
    expect(res.status).toBe(500);
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('strict-transport-security')).toBe(STRICT_TRANSPORT_SECURITY);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('the CSP lets the app compile WebAssembly and nothing evaluate strings', () => {
    const directives = Object.fromEntries(
      CONTENT_SECURITY_POLICY.split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([k, ...v]) => [k, v]),
    );
    expect(directives['script-src']).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(directives['default-src']).toEqual(["'self'"]);
    // Photos' display copies, made by the page itself from its sealed rows.
    expect(directives['img-src']).toEqual(["'self'", 'blob:']);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['form-action']).toEqual(["'self'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|'unsafe-eval'/);
  });

  it('the Permissions-Policy lets the app read the position and use the camera, itself only, and nothing else', () => {
    const features = Object.fromEntries(PERMISSIONS_POLICY.split(',').map((f) => f.trim().split('=') as [string, string]));
    expect(features['geolocation']).toBe('(self)');
    expect(features['camera']).toBe('(self)');
    const others = Object.entries(features).filter(([name]) => name !== 'geolocation' && name !== 'camera');
    expect(others.map(([name]) => name)).toEqual(expect.arrayContaining(['microphone', 'payment', 'usb', 'display-capture']));
    for (const [name, allowed] of others) expect(allowed, name).toBe('()');
  });
});

describe('rate limits', () => {
  const start = useSqliteServer();
  const PER_DEVICE = 5;
  const PER_ADDRESS = 3;

  async function limited(): Promise<TestServer> {
    const plain = await start();
    return testServer(plain.store, {
      limits: (now) => ({ device: new RateLimiter(PER_DEVICE, now), address: new RateLimiter(PER_ADDRESS, now) }),
    });
  }
  const emptySync = { epoch: null, cursor: null, ops: [] };

  it('a device gets 429 with Retry-After past its rate; another device is not limited; time lets it back in', async () => {
    const server = await limited();
    const coordinator = await server.firstCoordinator();
    await server.makeKeys(coordinator);
    const monitor = await server.enrollWith(coordinator, 'monitor-a-0001');
    // The coordinator used its token twice, making the keys and the code; it has PER_DEVICE - 2 left.
    const statuses: number[] = [];
    for (let i = 0; i < PER_DEVICE; i++) statuses.push((await server.call('/api/v1/sync', { token: coordinator, json: emptySync })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const refused = await server.call('/api/v1/sync', { token: coordinator, json: emptySync });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe(String(60 / PER_DEVICE));
    expect((await refused.json()).error.code).toBe('rate_limited');

    for (let i = 0; i < PER_DEVICE; i++) expect((await server.call('/api/v1/sync', { token: monitor, json: emptySync })).status).toBe(200);
    expect((await server.call('/api/v1/sync', { token: monitor, json: emptySync })).status).toBe(429);

    server.clock.now += (60 / PER_DEVICE) * 1000;
    expect((await server.call('/api/v1/sync', { token: coordinator, json: emptySync })).status).toBe(200);
    expect((await server.call('/api/v1/sync', { token: coordinator, json: emptySync })).status).toBe(429);
  });

  it('a refused request stores nothing: an op pushed into a 429 is not taken', async () => {
    const server = await limited();
    const coordinator = await server.firstCoordinator();
    for (let i = 0; i < PER_DEVICE; i++) await server.call('/api/v1/sync', { token: coordinator, json: emptySync });
    const op = wireOp('coordinator-0001', 1, 'create', newId());
    expect((await server.call('/api/v1/sync', { token: coordinator, json: { ...emptySync, ops: [op] } })).status).toBe(429);
    const count = await server.store.db
      .selectFrom('ops')
      .select((e) => e.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('enrollment attempts are limited per address, good codes and bad alike', async () => {
    const server = await limited();
    const statuses: number[] = [];
    for (let i = 0; i < PER_ADDRESS + 1; i++) {
      statuses.push((await server.call('/api/v1/enroll', { json: { code: 'A'.repeat(22), device: `monitor-x-000${i}` } })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    // The limit comes before the code is looked at: a real code waits too.
    await expect(server.firstCoordinator()).rejects.toThrow(/429/);
  });

  it('refused tokens count against the address with enrollments; a valid token is never held back by its address', async () => {
    const server = await limited();
    // The enrollment takes the first of the address's PER_ADDRESS.
    const coordinator = await server.firstCoordinator();
    const statuses: number[] = [];
    for (let i = 0; i < PER_ADDRESS - 1; i++)
      statuses.push((await server.call('/api/v1/sync', { token: `forged${'x'.repeat(30)}${i}`, json: emptySync })).status);
    statuses.push((await server.call('/api/v1/sync', { token: `forged${'y'.repeat(30)}`, json: emptySync })).status);
    statuses.push((await server.call('/api/v1/sync', { json: emptySync })).status);
    statuses.push((await server.call('/api/v1/devices', { headers: { Authorization: 'Basic Zm9vOmJhcg==' } })).status);
    expect(statuses).toEqual([401, 401, 429, 429, 429]);
    // In process every request shares one address, and it is exhausted: the device is still served.
    expect((await server.call('/api/v1/sync', { token: coordinator, json: emptySync })).status).toBe(200);
    server.clock.now += (60 / PER_ADDRESS) * 1000;
    expect((await server.call('/api/v1/sync', { json: emptySync })).status).toBe(401);
  });

  it('behind a trusted proxy the last X-Forwarded-For entry is the address; a client cannot pick it', async () => {
    const plain = await start();
    const server = testServer(plain.store, { limits: (now) => ({ address: new RateLimiter(1, now), trustProxy: true }) });
    const enroll = (forwarded: string) =>
      server.call('/api/v1/enroll', {
        headers: { 'X-Forwarded-For': forwarded },
        json: { code: 'A'.repeat(22), device: 'monitor-x-0001' },
      });
    expect((await enroll('203.0.113.7')).status).toBe(401);
    expect((await enroll('203.0.113.7')).status).toBe(429);
    // A spoofed first entry does not help: the proxy appended the real one last.
    expect((await enroll('198.51.100.1, 203.0.113.7')).status).toBe(429);
    expect((await enroll('203.0.113.8')).status).toBe(401);
  });
});

describe('token rotation', () => {
  const start = useSqliteServer();

  it('answers a new token, stores only its SHA-256; the old token works until the new one is first used, then never again', async () => {
    const server = await start();
    const coordinator = await server.firstCoordinator();
    await server.makeKeys(coordinator);
    const monitor = await server.enrollWith(coordinator, 'monitor-a-0001');
    const res = await server.call('/api/v1/token/rotate', { method: 'POST', token: monitor });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { token, device } = (await res.json()) as { token: string; device: string };
    expect(device).toBe('monitor-a-0001');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(token).not.toBe(monitor);

    // Until the phone has the new token in hand (its answer may be lost), the old one still works.
    expect((await server.sync(monitor, {})).watermark).toBe(0);
    expect((await server.sync(token, {})).watermark).toBe(0);
    expect((await server.call('/api/v1/sync', { token: monitor, json: { epoch: null, cursor: null, ops: [] } })).status).toBe(401);
    expect((await server.call('/api/v1/token/rotate', { method: 'POST', token: monitor })).status).toBe(401);
    expect((await server.sync(token, {})).watermark).toBe(0);

    const rows = await server.store.db.selectFrom('devices').selectAll().where('device', '=', deviceId('monitor-a-0001')).execute();
    expect(rows[0]!.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(rows[0]!.next_token_hash).toBeNull();
    expect(JSON.stringify(rows)).not.toContain(token);
    // The coordinator's token is untouched.
    expect((await server.sync(coordinator, {})).watermark).toBe(0);
  });

  it('an answer lost on the way: the phone asks again with its old token, and only the newest new token is ever taken', async () => {
    const server = await start();
    const coordinator = await server.firstCoordinator();
    await server.makeKeys(coordinator);
    const monitor = await server.enrollWith(coordinator, 'monitor-a-0001');
    const lost = (await (await server.call('/api/v1/token/rotate', { method: 'POST', token: monitor })).json()) as { token: string };
    const second = await server.call('/api/v1/token/rotate', { method: 'POST', token: monitor });
    expect(second.status).toBe(200);
    const { token } = (await second.json()) as { token: string };
    expect((await server.call('/api/v1/sync', { token: lost.token, json: { epoch: null, cursor: null, ops: [] } })).status).toBe(401);
    expect((await server.sync(token, {})).watermark).toBe(0);
    expect((await server.call('/api/v1/sync', { token: monitor, json: { epoch: null, cursor: null, ops: [] } })).status).toBe(401);
  });

  it('needs a valid token; a revoked device cannot rotate its way back in', async () => {
    const server = await start();
    const coordinator = await server.firstCoordinator();
    await server.makeKeys(coordinator);
    const monitor = await server.enrollWith(coordinator, 'monitor-a-0001');
    expect((await server.call('/api/v1/token/rotate', { method: 'POST' })).status).toBe(401);
    expect((await server.call('/api/v1/token/rotate', { method: 'POST', token: 'B'.repeat(43) })).status).toBe(401);
    expect((await server.call('/api/v1/devices/monitor-a-0001/revoke', { method: 'POST', token: coordinator })).status).toBe(200);
    expect((await server.call('/api/v1/token/rotate', { method: 'POST', token: monitor })).status).toBe(401);
  });

  it('two rotations racing with one token: exactly one new token works', async () => {
    const server = await start();
    const coordinator = await server.firstCoordinator();
    const answers = await Promise.all([
      server.call('/api/v1/token/rotate', { method: 'POST', token: coordinator }),
      server.call('/api/v1/token/rotate', { method: 'POST', token: coordinator }),
    ]);
    const tokens = await Promise.all(
      answers.filter((a) => a.status === 200).map(async (a) => ((await a.json()) as { token: string }).token),
    );
    const works = async (token: string) =>
      (await server.call('/api/v1/sync', { token, json: { epoch: null, cursor: null, ops: [] } })).status === 200;
    const working = [];
    for (const t of tokens) if (await works(t)) working.push(t);
    expect(working).toHaveLength(1);
  });
});

describe('what the server prints while serving', () => {
  it('holds no token, address, code or body, through successes, refusals, 429s and a server bug', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rasid-quiet-'));
    const store = await openStore({ dataDir: dir });
    const printed: string[] = [];
    const capture = (...args: unknown[]) => void printed.push(args.map(String).join(' '));
    const spies = [
      vi.spyOn(console, 'log').mockImplementation(capture),
      vi.spyOn(console, 'info').mockImplementation(capture),
      vi.spyOn(console, 'warn').mockImplementation(capture),
      vi.spyOn(console, 'error').mockImplementation(capture),
      vi.spyOn(console, 'debug').mockImplementation(capture),
      vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (capture(chunk), true)),
      vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (capture(chunk), true)),
    ];
    let server: ServerType | undefined;
    try {
      const inProcess = testServer(store);
      const coordinator = await inProcess.firstCoordinator();
      const limits = (now: () => number) => ({ device: new RateLimiter(4, now), address: new RateLimiter(10, now) });
      // The real app with the default error reporter (console.error), over a real socket, so the
      // client address exists for the server to leak if it would.
      const { syncApi } = await import('../../../src/server/http/api.ts');
      const { cryptoRandom } = await import('../../../src/domain/ids.ts');
      const app = createApp({
        distDir: dist,
        apiRoutes: syncApi({
          store,
          now: Date.now,
          random: cryptoRandom,
          publicOrigin: () => 'https://rasid.example.org',
          limits: limits(Date.now),
        }),
      });
      const port = await new Promise<number>((resolve) => {
        server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(info.port));
      });
      const url = `http://127.0.0.1:${port}`;
      const post = (path: string, body: string, token?: string) =>
        fetch(url + path, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
          body,
        });
      const MARKER = 'body-marker-5f1e9c';
      const op = wireOp('coordinator-0001', 1, 'create', newId(), { narrative: MARKER });
      const statuses = [
        (await post('/api/v1/sync', JSON.stringify({ epoch: null, cursor: null, ops: [op] }), coordinator)).status,
        (await post('/api/v1/sync', `{"${MARKER}":`, coordinator)).status,
        (await post('/api/v1/sync', JSON.stringify({ epoch: MARKER }), coordinator)).status,
        (await post('/api/v1/enroll', JSON.stringify({ code: `${MARKER}AAAAAAAAAAAA`, device: MARKER }))).status,
        (await post('/api/v1/sync', '{}', `forged${MARKER}`)).status,
        (await post('/api/v1/sync', '{}', coordinator)).status,
        (await post('/api/v1/sync', '{}', coordinator)).status,
        (await post('/api/v1/token/rotate', '', `forged${MARKER}x`)).status,
        (await post('/api/v1/token/rotate', '', `forged${MARKER}y`)).status,
        (await fetch(`${url}/${MARKER}`)).status,
      ];
      expect(statuses).toEqual([200, 400, 400, 401, 401, 400, 429, 401, 401, 200]);
      // Close the store under the server: the next request is a genuine server bug, which is printed.
      await store.close();
      const broken = await post('/api/v1/enroll', JSON.stringify({ code: 'C'.repeat(22), device: `monitor-${MARKER}` }));
      expect(broken.status).toBe(500);
      const text = printed.join('\n');
      expect(text).not.toBe('');
      for (const secret of [coordinator, MARKER, op.id, '127.0.0.1', String(port)]) expect(text).not.toContain(secret);
    } finally {
      for (const spy of spies) spy.mockRestore();
      // Kept-alive sockets would hold close() open until they time out.
      if (server) await new Promise((resolve) => (server as Server).close(resolve).closeAllConnections());
      await store.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
