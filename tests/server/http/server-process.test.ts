/**
 * The server as operators run it: a real process on SQLite. The first coordinator link printed
 * once per store, `npm run coordinator-link`, HTTPS from a certificate, a gzip bomb against the
 * process's peak memory, nothing private in its output, and clear refusals of bad configuration.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REQUEST_BYTES } from '../../../src/domain/op/sync.ts';
import { gzipOfZeros, newId, wireOp } from './harness.ts';
import { makeKeys, REPO_ROOT, runToEnd, startServer, stubDist, type ServerProcess } from './process.ts';

let dir: string;
let dist: string;
const running: ServerProcess[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rasid-process-'));
  dist = stubDist(dir);
});
afterAll(async () => {
  await Promise.all(running.map((s) => s.kill('SIGTERM')));
  rmSync(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string>): Promise<ServerProcess> {
  const server = await startServer({ RASID_DIST: dist, ...env });
  running.push(server);
  return server;
}

const codeOf = (link: string) => new URL(link).hash.replace(/^#code=/, '');

async function post(url: string, path: string, body: unknown, token?: string): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

/** Peak resident memory of a process so far, in bytes (Linux). */
function peakMemory(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (!kb) throw new Error('no VmHWM in /proc/<pid>/status');
  return Number(kb) * 1024;
}

// Each test starts a server process, which takes a while on a busy machine.
const PROCESS_TEST = { timeout: 30_000 };

describe('a new store', PROCESS_TEST, () => {
  it('prints the first coordinator link once, before the address, with the public origin', async () => {
    const data = join(dir, 'first');
    const server = await start({ RASID_DATA: data, PUBLIC_ORIGIN: 'https://rasid.example.org' });
    const lines = server.output().trim().split('\n');
    expect(lines.at(-1)).toMatch(/^Rasid is running at http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.firstLink).toMatch(/^https:\/\/rasid\.example\.org\/enroll#code=[A-Za-z0-9_-]{22}$/);
    expect(lines.findIndex((l) => l.includes('/enroll#code='))).toBeLessThan(lines.length - 1);

    const enrolled = await post(server.url, '/api/v1/enroll', { code: codeOf(server.firstLink!), device: 'coordinator-0001' });
    expect(enrolled.status).toBe(201);
    expect((await enrolled.json()).role).toBe('coordinator');

    await server.kill('SIGTERM');
    const again = await start({ RASID_DATA: data, PUBLIC_ORIGIN: 'https://rasid.example.org' });
    expect(again.firstLink).toBeUndefined();
    expect(again.output().trim().split('\n')).toEqual([expect.stringMatching(/^Rasid is running at /)]);
  });

  it('npm run coordinator-link prints a fresh link that enrolls a coordinator, while the server runs', async () => {
    const data = join(dir, 'link');
    const server = await start({ RASID_DATA: data });
    const made = await runToEnd('src/server/coordinator-link.ts', { RASID_DATA: data, PUBLIC_ORIGIN: 'https://rasid.example.org' });
    expect(made.code).toBe(0);
    const link = /(https:\/\/rasid\.example\.org\/enroll#code=[A-Za-z0-9_-]{22})/.exec(made.stdout)?.[1];
    expect(link).toBeDefined();
    expect(codeOf(link!)).not.toBe(codeOf(server.firstLink!));
    const enrolled = await post(server.url, '/api/v1/enroll', { code: codeOf(link!), device: 'coordinator-0002' });
    expect(enrolled.status).toBe(201);
    expect((await enrolled.json()).role).toBe('coordinator');
  });

  it('codes last an hour unless the coordinator chooses, and one past its time is refused', async () => {
    const data = join(dir, 'expiry');
    const server = await start({ RASID_DATA: data });
    expect(server.output()).toContain('within 1 hour; it works once:');
    const madeAt = Date.now();
    const coordinator = (
      (await (await post(server.url, '/api/v1/enroll', { code: codeOf(server.firstLink!), device: 'coordinator-0001' })).json()) as {
        token: string;
      }
    ).token;
    await makeKeys(server.url, coordinator);
    const usual = (await (await post(server.url, '/api/v1/enrollment-codes', { role: 'monitor' }, coordinator)).json()) as {
      code: string;
      expiresAt: number;
    };
    expect(usual.expiresAt - madeAt).toBeGreaterThanOrEqual(60 * 60 * 1000);
    expect(usual.expiresAt - Date.now()).toBeLessThanOrEqual(60 * 60 * 1000);
    const refused = await post(server.url, '/api/v1/enrollment-codes', { role: 'monitor', expiresInMinutes: 7 * 24 * 60 }, coordinator);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('expiresInMinutes');

    // The hour passed: the store says so, as the clock would.
    const db = new Database(join(data, 'rasid.sqlite'));
    try {
      const hash = createHash('sha256').update(usual.code).digest('hex');
      expect(db.prepare('UPDATE enrollment_codes SET expires_at = ? WHERE code_hash = ?').run(Date.now() - 1, hash).changes).toBe(1);
    } finally {
      db.close();
    }
    const late = await post(server.url, '/api/v1/enroll', { code: usual.code, device: 'monitor-a-0001' });
    expect(late.status).toBe(401);
    expect(((await late.json()) as { error: { code: string } }).error.code).toBe('code_expired');
  });

  it('is what `npm run coordinator-link` runs', () => {
    const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['coordinator-link']).toBe('tsx src/server/coordinator-link.ts');
  });
});

describe('HTTPS', PROCESS_TEST, () => {
  it('serves HTTPS with TLS_CERT and TLS_KEY, and writes https links', async () => {
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'pipe' },
    );
    const server = await start({ RASID_DATA: join(dir, 'tls'), TLS_CERT: cert, TLS_KEY: key });
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const port = new URL(server.url).port;
    expect(server.firstLink).toMatch(new RegExp(`^https://localhost:${port}/enroll#code=`));

    const answer = await new Promise<{ status: number; body: string; hsts: unknown }>((resolve, reject) => {
      const req = httpsRequest(`${server.url}/api/v1/health`, { ca: readFileSync(cert), servername: 'localhost' }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, hsts: res.headers['strict-transport-security'] }));
      });
      req.on('error', reject);
      req.end();
    });
    // Under TLS, browsers are told to keep to HTTPS.
    expect(answer).toEqual({ status: 200, body: '{"ok":true}', hsts: 'max-age=63072000; includeSubDomains' });
  });
});

describe('hostile input against the process', PROCESS_TEST, () => {
  it("a gzip bomb (1 GB of zeros) is answered 413 at once, and the server's peak memory barely moves", async () => {
    const server = await start({ RASID_DATA: join(dir, 'bomb') });
    const token = (
      (await (await post(server.url, '/api/v1/enroll', { code: codeOf(server.firstLink!), device: 'coordinator-0001' })).json()) as {
        token: string;
      }
    ).token;
    // Warm up the sync route with a plain request of the largest size allowed, so the baseline
    // already holds what a legitimate 8 MiB request costs.
    const json = JSON.stringify({ epoch: null, cursor: null, ops: [] });
    const largest = await fetch(`${server.url}/api/v1/sync`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: json + ' '.repeat(MAX_REQUEST_BYTES - json.length),
    });
    expect(largest.status).toBe(200);
    const before = peakMemory(server.child.pid!);

    const bomb = await gzipOfZeros(1024 * 1024 * 1024);
    const started = performance.now();
    const res = await fetch(`${server.url}/api/v1/sync`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', Authorization: `Bearer ${token}` },
      // Node's fetch takes a Buffer; TypeScript's DOM types do not say so.
      body: bomb as unknown as BodyInit,
    });
    const elapsed = performance.now() - started;
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('too_large');
    const grown = peakMemory(server.child.pid!) - before;
    console.info(
      `gzip bomb: ${bomb.length} bytes sent, answered in ${elapsed.toFixed(0)} ms, peak memory ${grown >= 0 ? '+' : ''}${(grown / 2 ** 20).toFixed(1)} MiB (VmHWM)`,
    );
    // Inflating it all would need a gigabyte; the limit allows one request's worth.
    expect(grown).toBeLessThan(4 * MAX_REQUEST_BYTES);
    // Still serving.
    expect((await fetch(`${server.url}/api/v1/health`)).status).toBe(200);
  });

  it('prints nothing about requests: no tokens, codes, bodies or addresses', async () => {
    const server = await start({ RASID_DATA: join(dir, 'quiet') });
    const coordinator = (
      (await (await post(server.url, '/api/v1/enroll', { code: codeOf(server.firstLink!), device: 'coordinator-0001' })).json()) as {
        token: string;
      }
    ).token;
    await makeKeys(server.url, coordinator);
    const { code } = (await (await post(server.url, '/api/v1/enrollment-codes', { role: 'monitor' }, coordinator)).json()) as {
      code: string;
    };
    const monitor = (
      (await (await post(server.url, '/api/v1/enroll', { code, device: 'monitor-a-0001' }, undefined)).json()) as { token: string }
    ).token;
    const op = wireOp('monitor-a-0001', 1, 'create', newId(), { narrative: 'a secret narrative' });
    expect((await post(server.url, '/api/v1/sync', { epoch: null, cursor: null, ops: [op] }, monitor)).status).toBe(200);
    expect((await post(server.url, '/api/v1/sync', '{not json', monitor)).status).toBe(400);
    expect((await post(server.url, '/api/v1/sync', {}, 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe(401);
    const withoutStartup = server
      .output()
      .split('\n')
      .filter((l) => !/^Rasid is running at /.test(l))
      .join('\n');
    for (const secret of [coordinator, monitor, code, 'a secret narrative', op.id, '127.0.0.1'])
      expect(withoutStartup).not.toContain(secret);
  });
});

describe('bad configuration', PROCESS_TEST, () => {
  it('stops the server with a message and nothing on stdout', async () => {
    const run = await runToEnd('src/server/main.ts', {
      RASID_DIST: dist,
      RASID_DATA: join(dir, 'bad'),
      PORT: '0',
      TLS_CERT: join(dir, 'cert-only.pem'),
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/both TLS_CERT and TLS_KEY/);
    expect(run.stdout).toBe('');
  });
});
