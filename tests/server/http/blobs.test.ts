/**
 * Photos' sealed blobs at the base (blobs-route.ts), on SQLite with its blob folder and on
 * PostgreSQL with blobs in the database: resumable uploads held to the signed op, bound to the
 * device that began them, checked by hash; downloads with ranges, only for who may see them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importBlobKey, newBlobKey, sealBlob } from '../../../src/domain/crypto/blob-seal.ts';
import { toBase64url } from '../../../src/domain/crypto/bytes.ts';
import type { AgreementKeyPair } from '../../../src/domain/crypto/keys.ts';
import { cryptoRandom } from '../../../src/domain/ids.ts';
import type { Attachment, Op } from '../../../src/domain/op/op.ts';
import { sealForWire, type Sealer } from '../../../src/domain/op/outgoing.ts';
import { byteRange } from '../../../src/server/http/blobs-route.ts';
import { deviceId, opId, targetId } from '../../ids.ts';
import { forEachStore, newId, T0, type TestServer } from './harness.ts';

const hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** An invented photo (random bytes stand in for a JPEG: the base never opens it) and its sealed blob. */
async function photo(bytes: number): Promise<{ attachment: Attachment; sealed: Uint8Array }> {
  const original = new Uint8Array(randomBytes(bytes));
  const rawKey = newBlobKey(cryptoRandom);
  const sealed = await sealBlob(await importBlobKey(rawKey), original);
  return {
    sealed,
    attachment: {
      sha256: hex(original),
      bytes,
      mime: 'image/jpeg',
      capturedAt: '2025-06-01T08:30:00.000Z',
      blob: { sha256: hex(sealed), bytes: sealed.length },
      key: toBase64url(rawKey),
    },
  };
}

interface Device {
  token: string;
  sealer: Sealer;
  name: string;
  seq: number;
}

/** Pushes a create op of `device` adding these photos; returns its report id. */
async function pushPhotos(server: TestServer, device: Device, attachments: Attachment[], deployment: AgreementKeyPair): Promise<string> {
  const reportId = newId();
  device.seq += 1;
  const op: Op = {
    v: 1,
    id: opId(newId()),
    kind: 'create',
    reportId: targetId(reportId),
    device: deviceId(device.name),
    deviceSeq: device.seq,
    body: {
      hlc: `${new Date(T0 + device.seq).toISOString()}-0000-${device.name.replace(/[^0-9a-z]/g, '')}`,
      changes: { type: 'damage', narrative: 'احتراق مخبز الحي' },
      supersedes: {},
      attachments,
    },
  };
  const made = await sealForWire(op, device.sealer, [deployment.publicKey, device.sealer.agreement.publicKey]);
  if (!made.ok) throw new Error(made.reason);
  const answer = await server.sync(device.token, { ops: [made.wire] });
  expect(answer.results).toEqual([{ id: made.wire.id, status: 'ack' }]);
  return reportId;
}

const TUS = { 'Tus-Resumable': '1.0.0' };

function begin(server: TestServer, token: string, blob: { sha256: string; bytes: number }, metadata?: string) {
  return server.call('/api/v1/blobs/uploads', {
    method: 'POST',
    token,
    headers: {
      ...TUS,
      'Upload-Length': String(blob.bytes),
      'Upload-Metadata': metadata ?? `sha256 ${Buffer.from(blob.sha256).toString('base64')}`,
    },
  });
}

function send(server: TestServer, token: string, location: string, offset: number, bytes: Uint8Array) {
  return server.call(location, {
    method: 'PATCH',
    token,
    headers: { ...TUS, 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' },
    body: Buffer.from(bytes),
  });
}

const offsetOf = async (server: TestServer, token: string, location: string) => {
  const res = await server.call(location, { method: 'HEAD', token, headers: TUS });
  return res.status === 200 ? Number(res.headers.get('Upload-Offset')) : res.status;
};

const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

forEachStore('sealed blobs at the base', ({ start }, dialect) => {
  const setUp = async () => {
    const server = await start();
    const first = await server.enrollSealer(undefined, 'coordinator-0001', 'coordinator');
    const { deployment } = await server.makeKeys(first.token);
    const device = async (name: string, role: 'monitor' | 'coordinator' = 'monitor'): Promise<Device> => ({
      ...(await server.enrollSealer(first.token, name, role)),
      name,
      seq: 0,
    });
    const coordinator: Device = { ...first, name: 'coordinator-0001', seq: 0 };
    /** A monitor whose acknowledged op adds a photo of `bytes`, and the upload it began of that photo. */
    const begun = async (bytes: number) => {
      const monitor = await device('monitor-a-0001');
      const made = await photo(bytes);
      await pushPhotos(server, monitor, [made.attachment], deployment);
      const location = (await begin(server, monitor.token, made.attachment.blob)).headers.get('Location')!;
      return { monitor, ...made, location };
    };
    return { server, coordinator, deployment, device, begun };
  };

  it('an upload cut in two resumes where it stopped; the base then serves the very bytes, whole and in ranges', async () => {
    const { server, deployment, device, coordinator } = await setUp();
    const monitor = await device('monitor-a-0001');
    const { attachment, sealed } = await photo(150_000);
    const reportId = await pushPhotos(server, monitor, [attachment], deployment);
    expect(reportId).toBeTruthy();
    expect(await (await server.call('/api/v1/blobs/wanted', { token: monitor.token })).json()).toEqual({ blobs: [attachment.blob] });

    const created = await begin(server, monitor.token, attachment.blob);
    expect(created.status).toBe(201);
    const location = created.headers.get('Location')!;
    expect(location).toMatch(/^\/api\/v1\/blobs\/uploads\/[0-9a-f]{32}$/);
    expect(await offsetOf(server, monitor.token, location)).toBe(0);

    const half = 70_001;
    expect((await send(server, monitor.token, location, 0, sealed.subarray(0, half))).status).toBe(204);
    expect(await offsetOf(server, monitor.token, location)).toBe(half);
    // Not yet whole: nobody can download it.
    expect((await server.call(`/api/v1/blobs/${attachment.blob.sha256}`, { token: coordinator.token })).status).toBe(404);
    // A resend from a stale offset changes nothing.
    expect((await send(server, monitor.token, location, 0, sealed.subarray(0, 10))).status).toBe(409);
    const last = await send(server, monitor.token, location, half, sealed.subarray(half));
    expect(last.status).toBe(204);
    expect(last.headers.get('Upload-Offset')).toBe(String(sealed.length));

    for (const token of [monitor.token, coordinator.token]) {
      const whole = await server.call(`/api/v1/blobs/${attachment.blob.sha256}`, { token });
      expect(whole.status).toBe(200);
      expect(whole.headers.get('Accept-Ranges')).toBe('bytes');
      expect(hex(new Uint8Array(await whole.arrayBuffer()))).toBe(attachment.blob.sha256);
    }
    const part = await server.call(`/api/v1/blobs/${attachment.blob.sha256}`, {
      token: coordinator.token,
      headers: { Range: 'bytes=65000-' },
    });
    expect(part.status).toBe(206);
    expect(part.headers.get('Content-Range')).toBe(`bytes 65000-${sealed.length - 1}/${sealed.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(Buffer.from(sealed.subarray(65000)))).toBe(true);
    const beyond = await server.call(`/api/v1/blobs/${attachment.blob.sha256}`, {
      token: coordinator.token,
      headers: { Range: `bytes=${sealed.length}-` },
    });
    expect(beyond.status).toBe(416);
    expect(await (await server.call('/api/v1/blobs/wanted', { token: monitor.token })).json()).toEqual({ blobs: [] });
    // Whole now: a second upload of it is refused as held, and a finished one cannot be ended.
    expect(await errorCode(await begin(server, monitor.token, attachment.blob))).toBe('blob_held');
    expect((await server.call(location, { method: 'DELETE', token: monitor.token, headers: TUS })).status).toBe(400);
  });

  it('a request cut off halfway keeps what was written, and the upload resumes from there, not from zero', async () => {
    const { server, begun } = await setUp();
    // Over one chunk of the database's (256 KiB), so a cut leaves a whole chunk and a part of one.
    const { monitor, attachment, sealed, location } = await begun(400_000);
    const arrived = 300_000;
    let at = 0;
    // Pulled piece by piece: the error comes once every piece before it was read, as on a socket.
    const cut = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (at >= arrived) return controller.error(new Error('the connection dropped'));
        controller.enqueue(sealed.slice(at, at + 50_000));
        at += 50_000;
      },
    });
    const res = await server.app.request(location, {
      method: 'PATCH',
      headers: {
        ...TUS,
        Authorization: `Bearer ${monitor.token}`,
        'Upload-Offset': '0',
        'Content-Type': 'application/offset+octet-stream',
      },
      body: cut,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBeLessThan(500);
    // Pieces still on their way through the server's buffers when the error came are lost with it.
    const kept = await offsetOf(server, monitor.token, location);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(arrived);
    expect((await send(server, monitor.token, location, kept, sealed.subarray(kept))).status).toBe(204);
    const whole = await server.call(`/api/v1/blobs/${attachment.blob.sha256}`, { token: monitor.token });
    expect(hex(new Uint8Array(await whole.arrayBuffer()))).toBe(attachment.blob.sha256);
  });

  it('a blob changed by one byte is refused when its last byte is in, and the upload is gone', async () => {
    const { server, begun } = await setUp();
    const { monitor, attachment, sealed, location } = await begun(20_000);
    const changed = Uint8Array.from(sealed);
    changed[12_345] = changed[12_345]! ^ 1;
    const refused = await send(server, monitor.token, location, 0, changed);
    expect(refused.status).toBe(422);
    expect(await errorCode(refused)).toBe('blob_hash');
    expect(await offsetOf(server, monitor.token, location)).toBe(404);
    expect(await (await server.call('/api/v1/blobs/wanted', { token: monitor.token })).json()).toEqual({ blobs: [attachment.blob] });
    // Sent again as sealed, it is taken.
    const again = (await begin(server, monitor.token, attachment.blob)).headers.get('Location')!;
    expect((await send(server, monitor.token, again, 0, sealed)).status).toBe(204);
  });

  it('an upload is bound to its device and to the signed op: other tokens, other lengths, other blobs are refused', async () => {
    const { server, deployment, device, coordinator } = await setUp();
    const monitorA = await device('monitor-a-0001');
    const monitorB = await device('monitor-b-0002');
    const { attachment, sealed } = await photo(30_000);
    await pushPhotos(server, monitorA, [attachment], deployment);

    const other = await photo(30_000);
    expect(await errorCode(await begin(server, monitorA.token, other.attachment.blob))).toBe('blob_not_named');
    expect(await errorCode(await begin(server, monitorB.token, attachment.blob))).toBe('blob_not_named');
    expect(await errorCode(await begin(server, monitorA.token, { ...attachment.blob, bytes: attachment.blob.bytes + 1 }))).toBe(
      'blob_length',
    );
    expect(await errorCode(await begin(server, monitorA.token, { ...attachment.blob, bytes: attachment.blob.bytes - 1 }))).toBe(
      'blob_length',
    );
    const withName = `sha256 ${Buffer.from(attachment.blob.sha256).toString('base64')},filename ${Buffer.from('bakery.jpg').toString('base64')}`;
    expect(await errorCode(await begin(server, monitorA.token, attachment.blob, withName))).toBe('blob_metadata');
    expect((await begin(server, '', attachment.blob)).status).toBe(401);

    const location = (await begin(server, monitorA.token, attachment.blob)).headers.get('Location')!;
    expect((await send(server, monitorA.token, location, 0, sealed.subarray(0, 1000))).status).toBe(204);
    // Another device's token, even a coordinator's, finds no such upload: the URL alone grants nothing.
    for (const token of [monitorB.token, coordinator.token]) {
      expect(await offsetOf(server, token, location)).toBe(404);
      expect((await send(server, token, location, 1000, sealed.subarray(1000))).status).toBe(404);
      expect((await server.call(location, { method: 'DELETE', token, headers: TUS })).status).toBe(404);
    }
    expect((await send(server, monitorA.token, location, 1000, sealed.subarray(1000))).status).toBe(204);
    // A monitor downloads only blobs of its own reports.
    expect((await server.call(`/api/v1/blobs/${attachment.blob.sha256}`, { token: monitorB.token })).status).toBe(404);
    expect((await server.call(`/api/v1/blobs/${attachment.blob.sha256}`, { token: monitorA.token })).status).toBe(200);
  });

  it('a coordinator may relay a blob a monitor named; the same blob sent twice at once is kept once', async () => {
    const { server, deployment, device, coordinator } = await setUp();
    const monitor = await device('monitor-a-0001');
    const { attachment, sealed } = await photo(40_000);
    await pushPhotos(server, monitor, [attachment], deployment);
    expect(await (await server.call('/api/v1/blobs/wanted', { token: coordinator.token })).json()).toEqual({ blobs: [attachment.blob] });
    const byMonitor = (await begin(server, monitor.token, attachment.blob)).headers.get('Location')!;
    const byCoordinator = (await begin(server, coordinator.token, attachment.blob)).headers.get('Location')!;
    expect((await send(server, coordinator.token, byCoordinator, 0, sealed)).status).toBe(204);
    expect((await send(server, monitor.token, byMonitor, 0, sealed)).status).toBe(204);
    expect(await offsetOf(server, monitor.token, byMonitor)).toBe(sealed.length);
    const held = await server.store.db.selectFrom('blobs').selectAll().execute();
    expect(held).toHaveLength(1);
    if (dialect === 'postgres') {
      const chunks = await server.store.db.selectFrom('blob_chunks').select('upload_id').distinct().execute();
      expect(chunks).toEqual([{ upload_id: held[0]!.upload_id }]);
    }
  });

  it('a device that begins a blob again gives up its unfinished upload of it', async () => {
    const { server, begun } = await setUp();
    const { monitor, attachment, sealed, location: lost } = await begun(100_000);
    expect((await send(server, monitor.token, lost, 0, sealed.subarray(0, 60_000))).status).toBe(204);
    const again = (await begin(server, monitor.token, attachment.blob)).headers.get('Location')!;
    expect(await offsetOf(server, monitor.token, lost)).toBe(404);
    expect(await offsetOf(server, monitor.token, again)).toBe(0);
    expect(await server.store.db.selectFrom('blob_uploads').select('id').execute()).toEqual([{ id: again.split('/').at(-1) }]);
  });

  it('hostile tus requests are answered 4xx in the API error shape', async () => {
    const { server, begun } = await setUp();
    const { monitor, attachment, sealed, location } = await begun(5_000);
    const cases: [string, Promise<Response>][] = [
      [
        'no Tus-Resumable',
        server.call('/api/v1/blobs/uploads', { method: 'POST', token: monitor.token, headers: { 'Upload-Length': '10' } }),
      ],
      [
        'a deferred length',
        server.call('/api/v1/blobs/uploads', { method: 'POST', token: monitor.token, headers: { ...TUS, 'Upload-Defer-Length': '1' } }),
      ],
      ['metadata not base64', begin(server, monitor.token, attachment.blob, 'sha256 %%%')],
      ['a length of words', begin(server, monitor.token, { sha256: attachment.blob.sha256, bytes: 'many' as unknown as number })],
      ['a body past the length', send(server, monitor.token, location, 0, new Uint8Array(sealed.length + 1))],
      [
        'no offset',
        server.call(location, {
          method: 'PATCH',
          token: monitor.token,
          headers: { ...TUS, 'Content-Type': 'application/offset+octet-stream' },
          body: 'x',
        }),
      ],
      [
        'an id that is no id',
        server.call('/api/v1/blobs/uploads/..%2F..%2Frasid.sqlite', { method: 'HEAD', token: monitor.token, headers: TUS }),
      ],
      ['a hash that is no hash', server.call('/api/v1/blobs/..%2Frasid.sqlite', { token: monitor.token })],
    ];
    for (const [what, answer] of cases) {
      const res = await answer;
      expect(res.status, what).toBeGreaterThanOrEqual(400);
      expect(res.status, what).toBeLessThan(500);
    }
    expect(await offsetOf(server, monitor.token, location)).toBe(0);
  });

  if (dialect === 'sqlite') {
    it('the blob folder holds ciphertext only, one file a blob', async () => {
      const { server, begun } = await setUp();
      const { monitor, attachment, sealed, location } = await begun(10_000);
      await send(server, monitor.token, location, 0, sealed);
      const { upload_id } = await server.store.db.selectFrom('blobs').select('upload_id').executeTakeFirstOrThrow();
      const folder = `${server.folder!}/blobs`;
      expect(readdirSync(folder)).toEqual([upload_id]);
      expect(hex(readFileSync(`${folder}/${upload_id}`))).toBe(attachment.blob.sha256);
    });
  }
});

describe('the range a download asks for', () => {
  it('reads one range in its three forms and ignores what it does not understand', () => {
    expect(byteRange(undefined, 100)).toBeUndefined();
    expect(byteRange('bytes=10-19', 100)).toEqual([10, 20]);
    expect(byteRange('bytes=90-', 100)).toEqual([90, 100]);
    expect(byteRange('bytes=-5', 100)).toEqual([95, 100]);
    expect(byteRange('bytes=50-500', 100)).toEqual([50, 100]);
    expect(byteRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(byteRange('bytes=-0', 100)).toBe('unsatisfiable');
    expect(byteRange('bytes=0-1,5-6', 100)).toBeUndefined();
    expect(byteRange('items=0-1', 100)).toBeUndefined();
    expect(byteRange('bytes=20-10', 100)).toBeUndefined();
  });
});
