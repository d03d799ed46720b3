/**
 * The transport's edges against the server process, its timeouts set to a second
 * (HEADERS_TIMEOUT_SECONDS, BODY_IDLE_TIMEOUT_SECONDS): every refusal is a complete JSON answer,
 * one that ends the connection says so first, and the timeouts are idle times, so a slow upload
 * that keeps moving finishes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY } from '../../../src/server/http/security-headers.ts';
import { chunk, exchange, LAST_CHUNK, type RawAnswer } from './raw-http.ts';
import { startServer, stubDist, type ServerProcess } from './process.ts';

const IDLE_MS = 1000;
const LIMIT = 8 * 1024 * 1024;
let dir: string;
let server: ServerProcess;
let token: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rasid-transport-'));
  server = await startServer({
    RASID_DIST: stubDist(dir),
    RASID_DATA: join(dir, 'data'),
    HEADERS_TIMEOUT_SECONDS: String(IDLE_MS / 1000),
    BODY_IDLE_TIMEOUT_SECONDS: String(IDLE_MS / 1000),
  });
  const code = new URL(server.firstLink!).hash.replace(/^#code=/, '');
  const enrolled = await fetch(`${server.url}/api/v1/enroll`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code, device: 'coordinator-0001' }),
  });
  token = ((await enrolled.json()) as { token: string }).token;
}, 40_000);

afterAll(async () => {
  await server?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;
const syncHead = (framing: string) =>
  head([
    'POST /api/v1/sync HTTP/1.1',
    `Host: ${new URL(server.url).host}`,
    'Content-Type: application/json',
    `Authorization: Bearer ${token}`,
    framing,
  ]);
const EMPTY_SYNC = JSON.stringify({ epoch: null, cursor: null, ops: [] });

function errorCode(answer: RawAnswer): string | undefined {
  return (JSON.parse(answer.body) as { error?: { code?: string } }).error?.code;
}

/** A refusal that ends the connection: whole, JSON, saying so, and then the connection ends. */
function expectClosingRefusal(answer: RawAnswer, status: number, code: string): void {
  expect(answer.status).toBe(status);
  expect(answer.complete).toBe(true);
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
  expect(errorCode(answer)).toBe(code);
  expect(answer.headers['connection']).toBe('close');
  expect(answer.closed).toBe(true);
}

describe('the transport against the server process', () => {
  it('a chunked body over the limit: a complete JSON 413 that says Connection: close, then the connection ends', async () => {
    const piece = chunk(Buffer.alloc(64 * 1024, 0x20));
    const answer = await exchange(server.url, (socket) => {
      socket.write(syncHead('Transfer-Encoding: chunked'));
      socket.write(chunk(EMPTY_SYNC));
      // Past 8 MiB and on: the client keeps sending, as a client streaming a body does.
      for (let sent = 0; sent <= LIMIT + 1024 * 1024; sent += 64 * 1024) socket.write(piece);
      socket.write(LAST_CHUNK);
    });
    expectClosingRefusal(answer, 413, 'too_large');
  });

  it('a declared length over the limit: a complete JSON 413 that says Connection: close', async () => {
    const answer = await exchange(server.url, (socket) => {
      socket.write(syncHead(`Content-Length: ${LIMIT + 1}`));
      socket.write(EMPTY_SYNC);
    });
    expectClosingRefusal(answer, 413, 'too_large');
  });

  it('a chunked body within the limit is served, and the connection stays open for the next request', async () => {
    const answer = await exchange(server.url, (socket) => {
      socket.write(syncHead('Transfer-Encoding: chunked'));
      socket.write(chunk(EMPTY_SYNC.slice(0, 10)));
      socket.write(chunk(EMPTY_SYNC.slice(10)));
      socket.write(LAST_CHUNK);
    });
    expect(answer.status).toBe(200);
    expect(answer.complete).toBe(true);
    expect(answer.headers['connection']).toBe('keep-alive');
    expect(answer.closed).toBe(false);
  });

  it('a refusal before the body is all in ends the connection and says so; one after it keeps the connection', async () => {
    // No token: 401 at once, the body unread. Headers and body in one write, so both arrive together.
    const refused = (length: number) =>
      exchange(server.url, (socket) => {
        const lines = ['POST /api/v1/sync HTTP/1.1', `Host: ${new URL(server.url).host}`, 'Content-Type: application/json'];
        socket.write(head([...lines, `Content-Length: ${length}`]) + EMPTY_SYNC);
      });
    const coming = await refused(EMPTY_SYNC.length + 1000);
    expect(coming.status).toBe(401);
    expect(coming.headers['connection']).toBe('close');
    expect(coming.closed).toBe(true);
    const arrived = await refused(EMPTY_SYNC.length);
    expect(arrived.status).toBe(401);
    expect(arrived.headers['connection']).toBe('keep-alive');
    expect(arrived.closed).toBe(false);
  });

  it('a body shorter than its Content-Length, the connection then closed by the client: JSON 400 body_incomplete', async () => {
    const answer = await exchange(server.url, (socket) => {
      socket.write(syncHead(`Content-Length: ${EMPTY_SYNC.length + 100}`));
      socket.write(EMPTY_SYNC);
      // The client is done sending (a phone losing its link mid-push) but still listens.
      socket.end();
    });
    expectClosingRefusal(answer, 400, 'body_incomplete');
  });

  it('headers that stall: JSON 408 once the headers timeout has passed', async () => {
    const answer = await exchange(server.url, (socket) => {
      socket.write(`POST /api/v1/sync HTTP/1.1\r\nHost: ${new URL(server.url).host}\r\nContent-Type: appl`);
    });
    expectClosingRefusal(answer, 408, 'headers_timeout');
    // Counted from the connection's first byte, which came just before this write.
    expect(answer.waited).toBeGreaterThanOrEqual(IDLE_MS - 100);
    console.info(`stalled headers answered 408 after ${Math.round(answer.waited)} ms (limit ${IDLE_MS} ms)`);
  });

  it('a connection that never sends a byte: JSON 408 too', async () => {
    const answer = await exchange(server.url, () => undefined);
    expectClosingRefusal(answer, 408, 'headers_timeout');
  });

  it('a body that stalls: JSON 408 once it has brought nothing for the idle time', async () => {
    const answer = await exchange(server.url, (socket) => {
      socket.write(syncHead(`Content-Length: ${EMPTY_SYNC.length + 100}`));
      socket.write(EMPTY_SYNC);
    });
    expectClosingRefusal(answer, 408, 'body_timeout');
    expect(answer.waited).toBeGreaterThanOrEqual(IDLE_MS);
    console.info(`stalled body answered 408 after ${Math.round(answer.waited)} ms of silence (limit ${IDLE_MS} ms)`);
  });

  it('a slow upload that keeps moving finishes, though it takes several times the idle time', async () => {
    // A thin link: the body trickles in, a piece every quarter of the idle time, for four idle times.
    const body = EMPTY_SYNC + ' '.repeat(1600);
    const pieces = 16;
    const size = Math.ceil(body.length / pieces);
    const started = performance.now();
    const answer = await exchange(server.url, (socket: Socket) => {
      socket.write(syncHead(`Content-Length: ${body.length}`));
      return new Promise<void>((resolve) => {
        let next = 0;
        const link = setInterval(() => {
          socket.write(body.slice(next * size, (next + 1) * size));
          if (++next === pieces) {
            clearInterval(link);
            resolve();
          }
        }, IDLE_MS / 4);
      });
    });
    const took = performance.now() - started;
    expect(answer.status).toBe(200);
    expect(answer.complete).toBe(true);
    expect(JSON.parse(answer.body)).toMatchObject({ results: [], watermark: 0 });
    expect(took).toBeGreaterThan(3 * IDLE_MS);
    console.info(`a slow upload finished in ${Math.round(took)} ms with a ${IDLE_MS} ms idle limit`);
  });

  it('app pages, API answers and the transport’s own refusals carry CSP with form-action, Permissions-Policy and COOP', async () => {
    const refused = await exchange(server.url, (socket) => void socket.write('NOT HTTP AT ALL\r\n\r\n'));
    expectClosingRefusal(refused, 400, 'bad_request');
    const answers: [string, Headers | Record<string, string>][] = [
      ['app page', (await fetch(`${server.url}/`)).headers],
      ['deep link', (await fetch(`${server.url}/enroll`)).headers],
      ['API', (await fetch(`${server.url}/api/v1/health`)).headers],
      ['API refusal', (await fetch(`${server.url}/api/v1/devices`)).headers],
      ['transport refusal', refused.headers],
    ];
    const get = (h: Headers | Record<string, string>, name: string) => (h instanceof Headers ? h.get(name) : h[name]);
    for (const [what, headers] of answers) {
      expect.soft(get(headers, 'content-security-policy'), what).toBe(CONTENT_SECURITY_POLICY);
      expect.soft(get(headers, 'content-security-policy'), what).toContain("form-action 'self'");
      expect.soft(get(headers, 'permissions-policy'), what).toBe(PERMISSIONS_POLICY);
      expect.soft(get(headers, 'cross-origin-opener-policy'), what).toBe('same-origin');
    }
  });

  it('still serves afterwards, and printed nothing beyond its startup lines', async () => {
    expect((await fetch(`${server.url}/api/v1/health`)).status).toBe(200);
    expect(server.child.exitCode).toBeNull();
    expect(server.output()).not.toContain(token);
    expect(server.output().trim().split('\n').at(-1)).toMatch(/^Rasid is running at /);
    expect(server.output()).not.toMatch(/Error|at .*\.ts:\d+/);
  });
});
