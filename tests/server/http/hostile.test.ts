/**
 * Hostile input against the running server process (rate limits raised so every request reaches
 * the routes): malformed JSON, wrong types, huge and deeply nested bodies, a gzip bomb, chunked,
 * cut and stalled uploads, naughty strings in every header field, in JSON fields and in paths,
 * forged tokens, path tricks. Requests
 * go over raw sockets, byte for byte as written, since fetch would refuse or clean up most of them.
 *
 * Every answer must be 4xx (2xx where the request is valid after all, e.g. the app page for a
 * strange deep link), never 5xx nor silence; the process keeps answering; the store holds exactly
 * what it held before; and the process prints nothing beyond its startup lines.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/domain/canonical-json.ts';
import { generateKeyPair, type AgreementKeyPair, type SigningKeyPair } from '../../../src/domain/crypto/keys.ts';
import { PairKeyCache } from '../../../src/domain/crypto/pair-keys.ts';
import type { Op } from '../../../src/domain/op/op.ts';
import { sealForWire, type Sealer } from '../../../src/domain/op/outgoing.ts';
import { signOuter } from '../../../src/domain/op/outer-signature.ts';
import type { WireOp } from '../../../src/domain/op/wire.ts';
import { REJECT, RETRY } from '../../../src/server/store/rules.ts';
import { NAUGHTY_STRINGS } from './fixtures/naughty-strings.ts';
import { gzipOfZeros, newId, wireOp } from './harness.ts';
import { makeKeys, startServer, stubDist, type ServerProcess } from './process.ts';

type Header = [name: string, value: string];
interface Sent {
  what: string;
  method: string;
  path: string;
  headers: Header[];
  body?: Buffer | string;
  /** Sent as they are instead of a request built from the fields above: headers cut short, say. */
  bytes?: Buffer | string;
  /** The client says it is done sending (half-closes) once it has written. */
  halfClose?: boolean;
}

let dir: string;
let server: ServerProcess;
let host: string;
let port: number;
let coordinator: string;
let monitor: string;
/** The devices' signing keys: the tricks below carry valid outer signatures, so only their shape is wrong. */
let coordinatorKeys: SigningKeyPair;
let monitorKeys: SigningKeyPair;
/** What the monitor seals its own valid op with, to the deployment key. */
let monitorSealer: Sealer;
let deployment: AgreementKeyPair;
const MONITOR = 'monitor-a-0001';
const COORDINATOR = 'coordinator-0001';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rasid-hostile-'));
  server = await startServer({
    RASID_DIST: stubDist(dir),
    RASID_DATA: join(dir, 'data'),
    RATE_LIMIT_PER_MINUTE: '1000000',
    ENROLL_RATE_LIMIT_PER_MINUTE: '1000000',
    // Hostile X-Forwarded-For values then reach the address parsing too.
    TRUST_PROXY: '1',
    // Stalled uploads are answered within the test's time.
    HEADERS_TIMEOUT_SECONDS: '2',
    BODY_IDLE_TIMEOUT_SECONDS: '2',
  });
  host = new URL(server.url).hostname;
  port = Number(new URL(server.url).port);
  const code = new URL(server.firstLink!).hash.replace(/^#code=/, '');
  [coordinatorKeys, monitorKeys] = await Promise.all([generateKeyPair('ed25519'), generateKeyPair('ed25519')]);
  const [coordinatorAgreement, monitorAgreement] = await Promise.all([generateKeyPair('x25519'), generateKeyPair('x25519')]);
  monitorSealer = { agreement: monitorAgreement, signing: monitorKeys, pairs: new PairKeyCache() };
  const keys = (agreement: AgreementKeyPair, signing: SigningKeyPair) => ({
    agreement: agreement.publicKey.text,
    signing: signing.publicKey.text,
  });
  coordinator = (
    await (await post('/api/v1/enroll', { code, device: COORDINATOR, keys: keys(coordinatorAgreement, coordinatorKeys) })).json()
  ).token;
  // The deployment's keys before its monitor, as every deployment has them.
  ({ deployment } = await makeKeys(server.url, coordinator));
  const made = (await (await post('/api/v1/enrollment-codes', { role: 'monitor' }, coordinator)).json()) as { code: string };
  monitor = (await (await post('/api/v1/enroll', { code: made.code, device: MONITOR, keys: keys(monitorAgreement, monitorKeys) })).json())
    .token;
}, 40_000);

afterAll(async () => {
  await server?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

function post(path: string, body: unknown, token?: string): Promise<Response> {
  return fetch(server.url + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** One request over its own connection, exactly these bytes; the status of the first answer, 0 if none. */
function raw(sent: Sent): Promise<number> {
  const body = sent.body === undefined ? Buffer.alloc(0) : Buffer.from(sent.body);
  const hasLength = sent.headers.some(([n]) => ['content-length', 'transfer-encoding'].includes(n.toLowerCase()));
  // Kept alive, as a browser sends it. Under `Connection: close` a server that answers before the body
  // is in (a declared size over the limit) closes on a client still writing, and the reset can reach
  // the client before the answer does; kept alive, Node reads the rest and drops it. The socket is
  // destroyed here once the status line is in.
  const lines = [`${sent.method} ${sent.path} HTTP/1.1`, `Host: ${host}:${port}`];
  for (const [name, value] of sent.headers) lines.push(`${name}: ${value}`);
  if (!hasLength && (body.length > 0 || sent.method === 'POST')) lines.push(`Content-Length: ${body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
  return new Promise((resolve) => {
    let answer = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1] ?? 0));
    };
    const socket = connect(port, host, () => {
      // No half-close after the body: Node's server drops a half-closed connection whose answer is
      // still being prepared, as a browser never does. A refused request may be answered before its
      // body is read; the rest of the write then fails, which is fine.
      socket.write(sent.bytes === undefined ? Buffer.concat([head, body]) : Buffer.from(sent.bytes));
      if (sent.halfClose) socket.end();
    });
    socket.setTimeout(15_000, finish);
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      if (/^HTTP\/1\.[01] \d{3}/.test(answer)) finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
  });
}

/** Runs requests a few at a time; returns each one's status beside it. */
async function runAll(requests: Sent[], concurrency = 8): Promise<{ sent: Sent; status: number }[]> {
  const results: { sent: Sent; status: number }[] = new Array(requests.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests.length) {
        const i = next++;
        results[i] = { sent: requests[i]!, status: await raw(requests[i]!) };
      }
    }),
  );
  return results;
}

/** Everything the store holds that a request could change, hashed table by table. */
function snapshot(): Record<string, { rows: number; sha256: string }> {
  const db = new Database(join(dir, 'data', 'rasid.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const out: Record<string, { rows: number; sha256: string }> = {};
    for (const table of ['meta', 'ops', 'counter', 'devices', 'report_owners', 'device_progress', 'enrollment_codes']) {
      const rows = db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all();
      out[table] = { rows: rows.length, sha256: createHash('sha256').update(JSON.stringify(rows)).digest('hex') };
    }
    return out;
  } finally {
    db.close();
  }
}

const json = (value: unknown) => JSON.stringify(value);
const jsonHeaders = (token?: string): Header[] => [
  ['Content-Type', 'application/json'],
  ...(token ? ([['Authorization', `Bearer ${token}`]] as Header[]) : []),
];
const EMPTY_SYNC = json({ epoch: null, cursor: null, ops: [] });
/** Header fields a client may set; Host, Connection and Content-Length are framing and get their own cases. */
const HEADER_FIELDS = [
  'Content-Type',
  'Content-Encoding',
  'Accept',
  'Accept-Encoding',
  'Accept-Language',
  'User-Agent',
  'Cookie',
  'Referer',
  'Origin',
  'If-None-Match',
  'If-Modified-Since',
  'X-Forwarded-For',
  'X-Forwarded-Proto',
  'X-Request-Id',
  'Range',
];

/** Every UTF-8 byte as %XX (encodeURIComponent throws on a lone surrogate). */
const percentEncoded = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

function naughtyRequests(): Sent[] {
  const out: Sent[] = [];
  for (const s of NAUGHTY_STRINGS) {
    const inEveryField: Header[] = HEADER_FIELDS.map((name) => [name, s]);
    out.push({
      what: 'every header field, with a bearer of it',
      method: 'POST',
      path: '/api/v1/sync',
      headers: [...inEveryField, ['Authorization', `Bearer ${s}`]],
      body: EMPTY_SYNC,
    });
    out.push({
      what: 'every header field, valid token',
      method: 'POST',
      path: '/api/v1/sync',
      headers: [...inEveryField.filter(([n]) => n !== 'Content-Type' && n !== 'Content-Encoding'), ...jsonHeaders(monitor)],
      body: EMPTY_SYNC,
    });
    out.push({ what: 'every header field on the app', method: 'GET', path: '/', headers: inEveryField });
    out.push({ what: 'as the Authorization header', method: 'GET', path: '/api/v1/devices', headers: [['Authorization', s]] });
    out.push({
      what: 'in enrollment fields',
      method: 'POST',
      path: '/api/v1/enroll',
      headers: jsonHeaders(),
      body: json({ code: s, device: s, keys: { [s]: s } }),
    });
    const op = { ...wireOp(MONITOR, 1, 'create', newId()), id: s, kind: s, reportId: s, body: s, sig: s };
    out.push({
      what: 'in sync fields',
      method: 'POST',
      path: '/api/v1/sync',
      headers: jsonHeaders(monitor),
      body: json({ epoch: s, cursor: { seq: 1, opId: s }, ops: [op, s, { [s]: s }], known: [{ device: s, deviceSeq: 1 }] }),
    });
    out.push({
      what: 'in a device path, as a coordinator',
      method: 'POST',
      path: `/api/v1/devices/${percentEncoded(s)}/revoke`,
      headers: jsonHeaders(coordinator),
    });
    out.push({ what: 'as a path, encoded', method: 'GET', path: `/${percentEncoded(s)}`, headers: [] });
    out.push({ what: 'as a path, raw', method: 'GET', path: `/api/${s}`, headers: [] });
  }
  return out;
}

function malformedRequests(): Sent[] {
  const bad = [
    '',
    '{',
    '}',
    '[',
    '{"epoch":',
    '{"epoch":null,}',
    "{'epoch':null}",
    '{"epoch":null "cursor":null}',
    'null',
    'true',
    '0',
    '"x"',
    '[]',
    '{"a":NaN}',
    '{"a":Infinity}',
    '{"a":undefined}',
    '{"a":0x10}',
    '{"a":01}',
    '{"a":1e99999}',
    '{"a":"\\x41"}',
    '{"a":"\\u12"}',
    '{"a":"\u0000"}',
    '{"a":"\\ud800"}',
    '\uFEFF{}',
    '{"epoch":null,"cursor":null,"ops":[]}garbage',
    '{"epoch":null}{"epoch":null}',
    '{"__proto__":{"ops":[1]},"epoch":null,"cursor":null}',
    '{"epoch":null,"cursor":null,"ops":[],"ops":"x"}',
    '/* */{}',
    '{"a":1,}',
  ];
  const wrongTypes: unknown[] = [
    { epoch: 5, cursor: null, ops: [] },
    { epoch: null, cursor: 'x', ops: [] },
    { epoch: null, cursor: null, ops: {} },
    { epoch: null, cursor: null, ops: 'x' },
    { epoch: null, cursor: null, ops: [], limit: -1 },
    { epoch: null, cursor: null, ops: [], limit: 1.5 },
    { epoch: null, cursor: null, ops: [], limit: '10' },
    { epoch: null, cursor: { seq: 'x', opId: 1 }, ops: [] },
    { epoch: null, cursor: { seq: -1, opId: newId() }, ops: [] },
    { epoch: null, cursor: null, ops: [], known: 'x' },
    { epoch: null, cursor: null, ops: [], known: [{ device: 1, deviceSeq: 'x' }] },
    { epoch: [], cursor: [], ops: [[]] },
    { epoch: null, cursor: null, ops: Array.from({ length: 10_000 }, () => null) },
    { epoch: 'e'.repeat(65), cursor: null, ops: [] },
    { epoch: null, cursor: null, ops: [{ v: 'x', id: 5, kind: [], reportId: {}, device: null, deviceSeq: 'one', body: 7 }] },
    { epoch: null, cursor: null, ops: [{ ...wireOp(MONITOR, 1, 'create', newId()), deviceSeq: -5 }] },
    { epoch: null, cursor: null, ops: [{ ...wireOp(MONITOR, 1, 'create', newId()), deviceSeq: 2 ** 64 }] },
    { epoch: null, cursor: null, ops: [{ ...wireOp(MONITOR, 1, 'create', newId()), id: 'not-a-uuid' }] },
  ];
  const out: Sent[] = [];
  for (const body of bad) {
    for (const path of ['/api/v1/sync', '/api/v1/enroll'])
      out.push({ what: `malformed JSON ${body.slice(0, 20)}`, method: 'POST', path, headers: jsonHeaders(monitor), body });
  }
  out.push({
    what: 'invalid UTF-8',
    method: 'POST',
    path: '/api/v1/sync',
    headers: jsonHeaders(monitor),
    body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0xc0, 0xaf, 0x22, 0x7d]),
  });
  for (const body of wrongTypes)
    out.push({ what: 'wrong types', method: 'POST', path: '/api/v1/sync', headers: jsonHeaders(monitor), body: json(body) });
  for (const body of [
    { code: 5, device: [] },
    { code: null },
    {},
    { code: 'A'.repeat(22), device: 'x' },
    { code: 'A'.repeat(22), device: 'monitor-b-0001', keys: 'x' },
  ]) {
    out.push({ what: 'wrong enrollment types', method: 'POST', path: '/api/v1/enroll', headers: jsonHeaders(), body: json(body) });
  }
  out.push({
    what: 'wrong role',
    method: 'POST',
    path: '/api/v1/enrollment-codes',
    headers: jsonHeaders(coordinator),
    body: json({ role: 'admin' }),
  });
  out.push({
    what: 'monitor asks for a code',
    method: 'POST',
    path: '/api/v1/enrollment-codes',
    headers: jsonHeaders(monitor),
    body: json({ role: 'coordinator' }),
  });
  out.push({
    what: 'monitor revokes the coordinator',
    method: 'POST',
    path: '/api/v1/devices/coordinator-0001/revoke',
    headers: jsonHeaders(monitor),
  });
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '']) {
    out.push({
      what: `content type ${type}`,
      method: 'POST',
      path: '/api/v1/sync',
      headers: [
        ['Content-Type', type],
        ['Authorization', `Bearer ${monitor}`],
      ],
      body: EMPTY_SYNC,
    });
  }
  return out;
}

function bigRequests(bomb: Buffer): Sent[] {
  const depth = 100_000;
  const nested = `{"epoch":null,"cursor":null,"ops":[${'['.repeat(depth)}${']'.repeat(depth)}]}`;
  const nestedObject = `{"epoch":null,"cursor":null,"ops":[${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}]}`;
  const huge = EMPTY_SYNC + ' '.repeat(9 * 1024 * 1024);
  return [
    { what: 'deeply nested arrays', method: 'POST', path: '/api/v1/sync', headers: jsonHeaders(monitor), body: nested },
    { what: 'deeply nested objects', method: 'POST', path: '/api/v1/sync', headers: jsonHeaders(monitor), body: nestedObject },
    {
      what: 'deeply nested enrollment',
      method: 'POST',
      path: '/api/v1/enroll',
      headers: jsonHeaders(),
      body: `{"code":${'['.repeat(depth)}${']'.repeat(depth)}}`,
    },
    { what: 'a body over the limit', method: 'POST', path: '/api/v1/sync', headers: jsonHeaders(monitor), body: huge },
    {
      what: 'a body over the small limit',
      method: 'POST',
      path: '/api/v1/enroll',
      headers: jsonHeaders(),
      body: json({ code: 'A'.repeat(100_000), device: 'monitor-b-0001' }),
    },
    {
      what: 'a declared length over the limit',
      method: 'POST',
      path: '/api/v1/sync',
      headers: [...jsonHeaders(monitor), ['Content-Length', String(2 ** 40)]],
      body: EMPTY_SYNC,
    },
    {
      what: 'a negative length',
      method: 'POST',
      path: '/api/v1/sync',
      headers: [...jsonHeaders(monitor), ['Content-Length', '-1']],
      body: EMPTY_SYNC,
    },
    {
      what: 'two lengths',
      method: 'POST',
      path: '/api/v1/sync',
      headers: [...jsonHeaders(monitor), ['Content-Length', '5'], ['Content-Length', '50']],
      body: EMPTY_SYNC,
    },
    {
      what: 'a gzip bomb',
      method: 'POST',
      path: '/api/v1/sync',
      headers: [...jsonHeaders(monitor), ['Content-Encoding', 'gzip']],
      body: bomb,
    },
    {
      what: 'a gzip bomb at enrollment',
      method: 'POST',
      path: '/api/v1/enroll',
      headers: [...jsonHeaders(), ['Content-Encoding', 'gzip']],
      body: bomb,
    },
    {
      what: 'gzip that is not',
      method: 'POST',
      path: '/api/v1/sync',
      headers: [...jsonHeaders(monitor), ['Content-Encoding', 'gzip']],
      body: 'not gzip at all',
    },
    {
      what: 'truncated gzip',
      method: 'POST',
      path: '/api/v1/sync',
      headers: [...jsonHeaders(monitor), ['Content-Encoding', 'gzip']],
      body: gzipSync(EMPTY_SYNC).subarray(0, 15),
    },
    {
      what: 'deflate',
      method: 'POST',
      path: '/api/v1/sync',
      headers: [...jsonHeaders(monitor), ['Content-Encoding', 'deflate']],
      body: EMPTY_SYNC,
    },
    {
      what: 'gzip twice',
      method: 'POST',
      path: '/api/v1/sync',
      headers: [...jsonHeaders(monitor), ['Content-Encoding', 'gzip, gzip']],
      body: gzipSync(gzipSync(EMPTY_SYNC)),
    },
    {
      what: 'many headers',
      method: 'GET',
      path: '/api/v1/health',
      headers: Array.from({ length: 2000 }, (_, i) => [`X-H${i}`, 'x'] as Header),
    },
    { what: 'a huge header', method: 'GET', path: '/api/v1/health', headers: [['X-Big', 'x'.repeat(100_000)]] },
  ];
}

/** `data` as one chunk of a chunked body. */
const chunk = (data: Buffer | string) => {
  const bytes = Buffer.from(data);
  return Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')]);
};

/** Bodies framed, cut and slowed in the ways a hostile or broken client might (the timeouts are 2 s here). */
function transportRequests(): Sent[] {
  const chunked: Header[] = [...jsonHeaders(monitor), ['Transfer-Encoding', 'chunked']];
  const overLimit = Buffer.concat([
    chunk(EMPTY_SYNC),
    ...Array.from({ length: 145 }, () => chunk(Buffer.alloc(64 * 1024, 0x20))),
    Buffer.from('0\r\n\r\n'),
  ]);
  const short = {
    method: 'POST',
    path: '/api/v1/sync',
    headers: [...jsonHeaders(monitor), ['Content-Length', '500'] as Header],
    body: EMPTY_SYNC,
  };
  const head = `POST /api/v1/sync HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Type: application/json\r\n`;
  return [
    {
      what: 'a chunked body',
      method: 'POST',
      path: '/api/v1/sync',
      headers: chunked,
      body: Buffer.concat([chunk(EMPTY_SYNC), Buffer.from('0\r\n\r\n')]),
    },
    { what: 'a chunked body over the limit', method: 'POST', path: '/api/v1/sync', headers: chunked, body: overLimit },
    {
      what: 'a chunked body over the small limit',
      method: 'POST',
      path: '/api/v1/enroll',
      headers: [...jsonHeaders(), ['Transfer-Encoding', 'chunked']],
      body: overLimit,
    },
    { what: 'a bad chunk size', method: 'POST', path: '/api/v1/sync', headers: chunked, body: 'zz\r\n{}\r\n0\r\n\r\n' },
    {
      what: 'a chunk longer than it says',
      method: 'POST',
      path: '/api/v1/sync',
      headers: chunked,
      body: `2\r\n${EMPTY_SYNC}\r\n0\r\n\r\n`,
    },
    {
      what: 'chunked and a length',
      method: 'POST',
      path: '/api/v1/sync',
      headers: [...chunked, ['Content-Length', '5']],
      body: chunk(EMPTY_SYNC),
    },
    { what: 'a chunked body that stalls', method: 'POST', path: '/api/v1/sync', headers: chunked, body: chunk(EMPTY_SYNC) },
    { what: 'a body that stalls', ...short },
    { what: 'a body cut short', ...short, halfClose: true },
    { what: 'headers that stall', method: 'POST', path: '/api/v1/sync', headers: [], bytes: head },
    { what: 'headers cut short', method: 'POST', path: '/api/v1/sync', headers: [], bytes: head, halfClose: true },
    { what: 'nothing at all', method: 'GET', path: '/', headers: [], bytes: '' },
  ];
}

function tokenRequests(): Sent[] {
  const real = monitor;
  const flipped = (real[0] === 'A' ? 'B' : 'A') + real.slice(1);
  const forged = [
    randomBytes(32).toString('base64url'),
    flipped,
    real.slice(0, -1),
    `${real}A`,
    `${real} ${real}`,
    real.toLowerCase(),
    real.toUpperCase(),
    createHash('sha256').update(real).digest('hex'),
    'A'.repeat(21),
    'A'.repeat(129),
    '-'.repeat(43),
    `${real}\u0000`,
    `${real}%00`,
  ];
  const out: Sent[] = [];
  for (const token of forged) {
    for (const [method, path] of [
      ['POST', '/api/v1/sync'],
      ['GET', '/api/v1/devices'],
      ['POST', '/api/v1/token/rotate'],
      ['POST', '/api/v1/enrollment-codes'],
      ['PUT', '/api/v1/deployment-key'],
    ]) {
      out.push({
        what: `forged token on ${path}`,
        method: method!,
        path: path!,
        headers: [
          ['Content-Type', 'application/json'],
          ['Authorization', `Bearer ${token}`],
        ],
        body: method === 'POST' ? EMPTY_SYNC : undefined,
      });
    }
  }
  for (const auth of [
    `bearer ${real}x`,
    `Token ${real}`,
    `Basic ${Buffer.from(`x:${real}`).toString('base64')}`,
    `Bearer\t\t${flipped}`,
    `Bearer ${real}, Bearer ${real}`,
  ]) {
    out.push({ what: 'odd scheme', method: 'POST', path: '/api/v1/token/rotate', headers: [['Authorization', auth]] });
  }
  return out;
}

function pathTricks(): Sent[] {
  const paths = [
    '/api/v1/sync/../devices',
    '/api/v1/../v1/devices',
    '//api//v1//devices',
    '/api/v1/devices/',
    '/API/V1/DEVICES',
    '/api/v1/devices%2f',
    '/api/v1/devices/..%2f..%2f..%2fetc%2fpasswd/revoke',
    '/api/v1/devices/coordinator-0001%00/revoke',
    '/api/v1/devices/%2e%2e/revoke',
    '/api/v1/token/rotate/../../v1/devices',
    '/api/%2e%2e/%2e%2e/data/rasid.sqlite',
    '/../data/rasid.sqlite',
    '/..%2f..%2fdata%2frasid.sqlite',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/.git/config',
    '/.env',
    '/index.html%00.js',
    '/assets/%c0%ae%c0%ae/x',
    '/*',
    '*',
    'http://example.invalid/api/v1/devices',
    '/api/v1/health?x=%',
    '/api/v1/health#frag',
    '/%',
    '/%zz',
    '/%ff%fe',
    '/\u0000',
    '/a b',
    `/${'a/'.repeat(5000)}`,
    `/${'x'.repeat(60_000)}`,
  ];
  const out: Sent[] = [];
  for (const path of paths) {
    for (const method of ['GET', 'POST', 'DELETE', 'OPTIONS', 'TRACE', 'PUT'])
      out.push({
        what: `path trick ${method}`,
        method,
        path,
        headers: jsonHeaders(monitor),
        body: method === 'POST' || method === 'PUT' ? EMPTY_SYNC : undefined,
      });
  }
  for (const method of ['GETT', 'CONNECT', 'PROPFIND', 'BREW', 'get'])
    out.push({ what: `method ${method}`, method, path: '/api/v1/health', headers: [] });
  return out;
}

/**
 * Version-2 ops the base must refuse by their shape alone, cheaply and without a 5xx. Each claims a
 * fresh slot, so it is first sent before the snapshot (and stored, rejected, without its body);
 * in the hostile run it comes again and must change nothing.
 */
type Trick = { what: string; token: string; op: Record<string, unknown>; answer: { status: string; reason: string } };

/** Each trick signed by the device that sends it, over what it sends: the base must then judge its shape. */
async function versionTricks(): Promise<Trick[]> {
  return Promise.all(
    unsignedTricks().map(async (t) => {
      const signer = t.token === monitor ? monitorKeys : coordinatorKeys;
      const op = t.op as WireOp;
      return { ...t, op: { ...t.op, osig: await signOuter(signer, op, op.body) } };
    }),
  );
}

function unsignedTricks(): Trick[] {
  const kid = 'kid-AAAAAAAA';
  const sealedBody = (over: Record<string, unknown> = {}) =>
    canonicalJson({ ct: 'Y2lwaGVydGV4dA', from: kid, iv: 'aXYtMTItYnl0ZXMA', to: [{ k: kid, w: 'w'.repeat(54) }], v: 2, ...over });
  const sealed = (seq: number, body: string): WireOp => ({ ...wireOp(MONITOR, seq, 'create', newId()), v: 2, body });
  const signed = (seq: number, sig: string): WireOp => ({ ...wireOp(COORDINATOR, seq, 'deployment', 'gazetteer'), v: 2, sig });
  const rejected = (reason: string) => ({ status: 'rejected', reason });
  return [
    {
      what: 'a sealed body with an escaped NUL',
      token: monitor,
      op: sealed(2, sealedBody().replace('"ct":"', '"ct":"\\u0000')),
      answer: rejected(REJECT.notSealed),
    },
    {
      what: 'a sealed body with a raw NUL',
      token: monitor,
      op: sealed(3, sealedBody().replace('"ct":"', '"ct":"\u0000')),
      answer: rejected(REJECT.badText),
    },
    {
      what: 'a sealed body with 5,000 recipients',
      token: monitor,
      op: sealed(4, sealedBody({ to: Array.from({ length: 5000 }, () => ({ k: kid, w: 'w'.repeat(54) })) })),
      answer: rejected(REJECT.notSealed),
    },
    {
      what: 'a sealed body with its signature outside',
      token: monitor,
      op: { ...sealed(5, sealedBody()), sig: `${'s'.repeat(85)}g` },
      answer: rejected(REJECT.notSealed),
    },
    { what: 'a sealed body that is a JSON string', token: monitor, op: sealed(6, json(sealedBody())), answer: rejected(REJECT.notSealed) },
    { what: 'a signature one character short', token: coordinator, op: signed(1, 's'.repeat(85)), answer: rejected(REJECT.badSignature) },
    { what: 'a signature of 1,000 characters', token: coordinator, op: signed(2, 's'.repeat(1000)), answer: rejected(REJECT.badSignature) },
    { what: 'version 2.5', token: monitor, op: { ...sealed(7, sealedBody()), v: 2.5 }, answer: rejected(REJECT.badHeader) },
    { what: 'version "2"', token: monitor, op: { ...sealed(8, sealedBody()), v: '2' }, answer: rejected(REJECT.badHeader) },
    {
      what: 'version 3',
      token: monitor,
      op: { ...sealed(9, sealedBody()), v: 3 },
      answer: { status: 'retry', reason: RETRY.unknownVersion },
    },
  ];
}

describe('hostile input against the server process', () => {
  it('answers every request 2xx or 4xx, never 5xx nor silence; keeps serving; the store holds what it held; prints nothing', async () => {
    // A valid push first, and its replay later: a retry is answered as the first, and stores nothing new.
    const clear = wireOp(MONITOR, 1, 'create', newId(), { narrative: 'held before the attack' });
    const sealed = await sealForWire({ ...clear, body: JSON.parse(clear.body) } as Op, monitorSealer, [
      deployment.publicKey,
      monitorSealer.agreement.publicKey,
    ]);
    if (!sealed.ok) throw new Error(sealed.reason);
    const firstOp = sealed.wire;
    const validSync = json({ epoch: null, cursor: null, ops: [firstOp] });
    const first = await post('/api/v1/sync', validSync, monitor);
    expect(first.status).toBe(200);
    const firstResults = (await first.json()).results;
    expect(firstResults).toEqual([{ id: firstOp.id, status: 'ack' }]);
    const tricks = await versionTricks();
    for (const trick of tricks) {
      const answer = await post('/api/v1/sync', { epoch: null, cursor: null, ops: [trick.op] }, trick.token);
      expect(answer.status, trick.what).toBe(200);
      expect((await answer.json()).results, trick.what).toEqual([{ id: trick.op.id, ...trick.answer }]);
    }
    const before = snapshot();
    // The first op, and every trick but the retry, closing its slot without keeping its body.
    expect(before.ops!.rows).toBe(tricks.length);
    expect(before.devices!.rows).toBe(2);

    const started = performance.now();
    const again = tricks.map((t): Sent => ({
      what: `again: ${t.what}`,
      method: 'POST',
      path: '/api/v1/sync',
      headers: jsonHeaders(t.token),
      body: json({ epoch: null, cursor: null, ops: [t.op] }),
    }));
    const requests = [
      ...again,
      ...naughtyRequests(),
      ...malformedRequests(),
      ...bigRequests(await gzipOfZeros(64 * 1024 * 1024)),
      ...transportRequests(),
      ...tokenRequests(),
      ...pathTricks(),
    ];
    const results = await runAll(requests);
    const elapsed = performance.now() - started;

    const tally = new Map<number, number>();
    for (const { status } of results) tally.set(status, (tally.get(status) ?? 0) + 1);
    console.info(
      `hostile input: ${results.length} requests in ${(elapsed / 1000).toFixed(1)} s; statuses ${[...tally]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`)
        .join(', ')}`,
    );
    expect(results.length).toBeGreaterThanOrEqual(1000);
    const wrong = results.filter(({ status }) => !(status >= 200 && status < 300) && !(status >= 400 && status < 500) && status !== 304);
    expect(wrong.map(({ sent, status }) => `${status} ${sent.what}: ${sent.method} ${sent.path.slice(0, 80)}`)).toEqual([]);
    // Nothing hostile was taken as valid where it cannot be: no forged token, no hostile sync field.
    for (const { sent, status } of results) {
      // A NUL in a header is refused by Node's parser (400) before the app sees it.
      const nul = sent.headers.some(([, v]) => v.includes('\u0000'));
      if (sent.what.startsWith('forged token') || sent.what === 'odd scheme') expect.soft(status, sent.what).toBe(nul ? 400 : 401);
      if (sent.what === 'a gzip bomb' || sent.what.endsWith('over the limit')) expect.soft(status, sent.what).toBe(413);
      if (sent.what.endsWith('that stalls')) expect.soft(status, sent.what).toBe(408);
      if (sent.what.endsWith('cut short')) expect.soft(status, sent.what).toBe(400);
    }

    // Still serving, and the data is as it was.
    expect((await fetch(`${server.url}/api/v1/health`)).status).toBe(200);
    const replay = await post('/api/v1/sync', validSync, monitor);
    expect(replay.status).toBe(200);
    expect((await replay.json()).results).toEqual(firstResults);
    expect(snapshot()).toEqual(before);
    expect(server.child.exitCode).toBeNull();
    // No stack trace, no echo of anything sent: only what the server printed at startup.
    const startup = [
      /^Rasid is running at /,
      /^ {2}http:\/\/\S+\/enroll#code=\S+$/,
      /^This is a new Rasid store\. /,
      /^within \d+ hours?; it works once:$/,
      /^Lost it, or need another coordinator\?/,
      /^$/,
    ];
    expect(
      server
        .output()
        .trim()
        .split('\n')
        .filter((l) => !startup.some((p) => p.test(l))),
    ).toEqual([]);
    for (const secret of [coordinator, monitor, 'held before the attack', '<script>']) expect(server.output()).not.toContain(secret);
  }, 60_000);
});
