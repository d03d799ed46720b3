import { afterEach, describe, expect, test } from 'vitest';
import { gzip, httpTransport, MAX_RETRY_AFTER_MS, retryAfterMs, SYNC_ERRORS, type Fetch } from '../../../src/app/sync/transport.ts';
import { RateLimiter } from '../../../src/server/http/rate-limit.ts';
import { ORIGIN, startBase, type Base } from './sync-fixtures.ts';
import { gunzipSync } from 'node:zlib';

const bases: Base[] = [];
afterEach(async () => {
  for (const b of bases.splice(0)) await b.close();
});

const request = { epoch: null, cursor: null, ops: [], limit: 10 };

describe('the transport names each failure, and says which are worth trying again', () => {
  test('no connection: network, tried again later', async () => {
    const offline: Fetch = () => Promise.reject(new TypeError('Failed to fetch'));
    await expect(httpTransport({ origin: ORIGIN, token: 'x'.repeat(43), fetch: offline })(request)).rejects.toMatchObject({
      code: SYNC_ERRORS.network,
      transient: true,
    });
  });

  test('a token the base does not know: unauthorized, not tried again by itself', async () => {
    const base = await startBase();
    bases.push(base);
    await expect(httpTransport({ origin: ORIGIN, token: 'A'.repeat(43), fetch: base.fetch })(request)).rejects.toMatchObject({
      code: SYNC_ERRORS.unauthorized,
      status: 401,
      transient: false,
    });
  });

  test('a base in trouble or an answer that is not the protocol: tried again later', async () => {
    const down: Fetch = async () => new Response('Service Unavailable', { status: 503 });
    await expect(httpTransport({ origin: ORIGIN, token: 'x'.repeat(43), fetch: down })(request)).rejects.toMatchObject({
      code: SYNC_ERRORS.server,
      transient: true,
    });
    const odd: Fetch = async () => Response.json({ hello: 'world' });
    await expect(httpTransport({ origin: ORIGIN, token: 'x'.repeat(43), fetch: odd })(request)).rejects.toMatchObject({
      code: SYNC_ERRORS.badResponse,
      transient: true,
    });
  });

  test('a base that refuses for now says how long to wait, and the device hears it', async () => {
    const clock = { ms: Date.UTC(2026, 10, 1) };
    const base = await startBase({ clock, limits: { address: new RateLimiter(1, () => clock.ms) } });
    bases.push(base);
    const send = httpTransport({ origin: ORIGIN, token: 'A'.repeat(43), fetch: base.fetch });
    await expect(send(request)).rejects.toMatchObject({ code: SYNC_ERRORS.unauthorized });
    const refused = await send(request).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: SYNC_ERRORS.server, status: 429, transient: true });
    // One request a minute: the next is allowed a minute after the first.
    expect((refused as { retryAfterMs: number }).retryAfterMs).toBe(60_000);
  });

  test('Retry-After in seconds or as a date; nonsense or a huge wait is not obeyed blindly', () => {
    const now = Date.UTC(2026, 10, 1, 12);
    expect(retryAfterMs('30', now)).toBe(30_000);
    expect(retryAfterMs(new Date(now + 90_000).toUTCString(), now)).toBe(90_000);
    expect(retryAfterMs(new Date(now - 90_000).toUTCString(), now)).toBe(0);
    expect(retryAfterMs('999999999', now)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  test('the body is gzip of the JSON request', async () => {
    const text = JSON.stringify({ narrative: 'نص عربي '.repeat(200) });
    const packed = await gzip(text);
    expect(packed.length).toBeLessThan(text.length / 5);
    expect(gunzipSync(packed).toString('utf8')).toBe(text);
  });
});
