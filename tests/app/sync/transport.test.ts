import { afterEach, describe, expect, test } from 'vitest';
import { gzip, httpTransport, SYNC_ERRORS, type Fetch } from '../../../src/app/sync/transport.ts';
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
    await expect(httpTransport({ origin: ORIGIN, token: 'x'.repeat(43), fetch: offline })(request)).rejects.toMatchObject({ code: SYNC_ERRORS.network, transient: true });
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
    await expect(httpTransport({ origin: ORIGIN, token: 'x'.repeat(43), fetch: down })(request)).rejects.toMatchObject({ code: SYNC_ERRORS.server, transient: true });
    const odd: Fetch = async () => Response.json({ hello: 'world' });
    await expect(httpTransport({ origin: ORIGIN, token: 'x'.repeat(43), fetch: odd })(request)).rejects.toMatchObject({ code: SYNC_ERRORS.badResponse, transient: true });
  });

  test('the body is gzip of the JSON request', async () => {
    const text = JSON.stringify({ narrative: 'نص عربي '.repeat(200) });
    const packed = await gzip(text);
    expect(packed.length).toBeLessThan(text.length / 5);
    expect(gunzipSync(packed).toString('utf8')).toBe(text);
  });
});
