/**
 * The rate limits as an operator sets them: the server process with RATE_LIMIT_PER_MINUTE and
 * ENROLL_RATE_LIMIT_PER_MINUTE from its environment, over real sockets (so the address is the real
 * peer address), refusing at exactly the configured rate, per device.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { makeKeys, startServer, stubDist, type ServerProcess } from './process.ts';

const PER_DEVICE = 5;
const PER_ADDRESS = 3;
let dir: string | undefined;
let server: ServerProcess | undefined;

afterAll(async () => {
  await server?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('a device gets 429 with Retry-After after RATE_LIMIT_PER_MINUTE requests, another device does not; addresses after ENROLL_RATE_LIMIT_PER_MINUTE', async () => {
  dir = mkdtempSync(join(tmpdir(), 'rasid-rate-'));
  server = await startServer({
    RASID_DIST: stubDist(dir),
    RASID_DATA: join(dir, 'data'),
    RATE_LIMIT_PER_MINUTE: String(PER_DEVICE),
    ENROLL_RATE_LIMIT_PER_MINUTE: String(PER_ADDRESS),
  });
  const post = (path: string, body: unknown, token?: string) =>
    fetch(server!.url + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  const sync = { epoch: null, cursor: null, ops: [] };

  // Two enrollments: two of the address's three.
  const code = new URL(server.firstLink!).hash.replace(/^#code=/, '');
  const coordinator = ((await (await post('/api/v1/enroll', { code, device: 'coordinator-0001' })).json()) as { token: string }).token;
  // The coordinator's first token is taken after this moment: the refill is measured from it.
  const firstTaken = performance.now();
  await makeKeys(server.url, coordinator);
  const made = (await (await post('/api/v1/enrollment-codes', { role: 'monitor' }, coordinator)).json()) as { code: string };
  const monitor = ((await (await post('/api/v1/enroll', { code: made.code, device: 'monitor-a-0001' })).json()) as { token: string }).token;

  // The coordinator used two requests, making the keys and the code.
  const statuses: number[] = [];
  for (let i = 0; i < PER_DEVICE; i++) statuses.push((await post('/api/v1/sync', sync, coordinator)).status);
  expect(statuses).toEqual([200, 200, 200, 429, 429]);
  const refused = await post('/api/v1/sync', sync, coordinator);
  const elapsed = (performance.now() - firstTaken) / 1000;
  expect(refused.status).toBe(429);
  // One request comes back every 60 / PER_DEVICE = 12 s after the first was taken, less what has
  // passed since: at most what this side saw pass, however slow a busy machine made the requests.
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(Math.floor(12 - elapsed));
  expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(12);
  expect(refused.headers.get('content-security-policy')).toMatch(/^default-src 'self'/);
  expect(refused.headers.get('strict-transport-security')).toBeNull();

  // Per device: the monitor has its own five.
  for (let i = 0; i < PER_DEVICE; i++) expect((await post('/api/v1/sync', sync, monitor)).status).toBe(200);
  expect((await post('/api/v1/sync', sync, monitor)).status).toBe(429);

  // The address has one left: one refused token, then 429 for the next, and for enrollment.
  expect((await post('/api/v1/sync', sync, 'A'.repeat(43))).status).toBe(401);
  expect((await post('/api/v1/sync', sync, 'A'.repeat(43))).status).toBe(429);
  expect((await post('/api/v1/enroll', { code: 'B'.repeat(22), device: 'monitor-b-0001' })).status).toBe(429);
  // The process says nothing about any of it. Its own addresses go first: the port it listens on
  // and the first coordinator's link are random, and may hold "429".
  const afterStartup = server
    .output()
    .split('\n')
    .filter((l) => !/^Rasid is running at /.test(l))
    .join('\n');
  expect(afterStartup).not.toContain('127.0.0.1');
  expect(afterStartup.replace(/https?:\/\/\S+/g, '')).not.toMatch(/429|rate.?limit/i);
}, 30_000);
