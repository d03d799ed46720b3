/**
 * A photo's blob uploaded to the real server process with tus-js-client, the client the phone
 * uses: the base is killed (SIGKILL, as a power cut) in the middle of the upload and started again
 * on the same data folder, and the upload resumes from the offset the base had answered, not from
 * zero; the base then serves the blob with the hash the op names.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Upload, type HttpRequest } from 'tus-js-client';
import { afterEach, describe, expect, it } from 'vitest';
import { importBlobKey, newBlobKey, sealBlob } from '../../../src/domain/crypto/blob-seal.ts';
import { toBase64url } from '../../../src/domain/crypto/bytes.ts';
import { generateKeyPair, type AgreementKeyPair } from '../../../src/domain/crypto/keys.ts';
import { PairKeyCache } from '../../../src/domain/crypto/pair-keys.ts';
import { cryptoRandom } from '../../../src/domain/ids.ts';
import type { Attachment, Op } from '../../../src/domain/op/op.ts';
import { sealForWire, type Sealer } from '../../../src/domain/op/outgoing.ts';
import { deviceId, opId, targetId } from '../../ids.ts';
import { newId } from './harness.ts';
import { makeKeys, startServer, stubDist, type ServerProcess } from './process.ts';

const hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const MONITOR = 'monitor-a-0001';
const CHUNK = 256 * 1024;

let dir: string | undefined;
const servers: ServerProcess[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.kill('SIGKILL')));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function call(url: string, path: string, init: { token?: string; json?: unknown; method?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  if (init.json !== undefined) headers['Content-Type'] = 'application/json';
  return fetch(url + path, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers,
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
}

async function enroll(url: string, code: string, device: string): Promise<{ token: string; sealer: Sealer }> {
  const [signing, agreement] = await Promise.all([generateKeyPair('ed25519'), generateKeyPair('x25519')]);
  const keys = { signing: signing.publicKey.text, agreement: agreement.publicKey.text };
  const res = await call(url, '/api/v1/enroll', { json: { code, device, keys } });
  if (res.status !== 201) throw new Error(`enroll answered ${res.status}`);
  return { token: ((await res.json()) as { token: string }).token, sealer: { signing, agreement, pairs: new PairKeyCache() } };
}

/** Runs one tus upload to its end or its first error; never retries, so a dead base is an error at once. */
function upload(
  data: Buffer,
  options: {
    endpoint: string;
    uploadUrl?: string;
    token: string;
    sha256: string;
    onAccepted?: (bytes: number) => void;
    onPatch?: (offset: number) => void;
  },
): { url: () => string | null; done: Promise<void> } {
  let running: Upload | undefined;
  const done = new Promise<void>((resolve, reject) => {
    running = new Upload(data, {
      endpoint: options.endpoint,
      uploadUrl: options.uploadUrl ?? null,
      headers: { Authorization: `Bearer ${options.token}` },
      metadata: { sha256: options.sha256 },
      chunkSize: CHUNK,
      retryDelays: null,
      storeFingerprintForResuming: false,
      onBeforeRequest: (req: HttpRequest) => {
        if (req.getMethod() === 'PATCH') options.onPatch?.(Number(req.getHeader('Upload-Offset')));
      },
      onChunkComplete: (_size, accepted) => options.onAccepted?.(accepted),
      onSuccess: () => resolve(),
      onError: reject,
    });
    running.start();
  });
  return { url: () => running?.url ?? null, done };
}

describe('a blob uploaded to the server process', () => {
  it('resumes after the base was killed mid-upload and started again, from the offset it had answered', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rasid-blob-process-'));
    const env = { RASID_DIST: stubDist(dir), RASID_DATA: join(dir, 'data') };
    const first = await startServer(env);
    servers.push(first);
    const coordinator = await enroll(first.url, new URL(first.firstLink!).hash.replace(/^#code=/, ''), 'coordinator-0001');
    const { deployment } = await makeKeys(first.url, coordinator.token);
    const made = (await (
      await call(first.url, '/api/v1/enrollment-codes', { token: coordinator.token, json: { role: 'monitor' } })
    ).json()) as {
      code: string;
    };
    const monitor = await enroll(first.url, made.code, MONITOR);

    // An invented photo of 1.5 MB, sealed as a phone seals it; the op that adds it is acknowledged first.
    const original = new Uint8Array(randomBytes(1_500_000));
    const rawKey = newBlobKey(cryptoRandom);
    const sealed = await sealBlob(await importBlobKey(rawKey), original);
    const blob = { sha256: hex(sealed), bytes: sealed.length };
    await pushPhoto(first.url, monitor, deployment, {
      sha256: hex(original),
      bytes: original.length,
      mime: 'image/jpeg',
      blob,
      key: toBase64url(rawKey),
    });

    // The base dies once it has answered for two chunks.
    let answered = 0;
    const cut = upload(Buffer.from(sealed), {
      endpoint: `${first.url}/api/v1/blobs/uploads`,
      token: monitor.token,
      sha256: blob.sha256,
      onAccepted: (bytes) => {
        answered = bytes;
        if (bytes >= 2 * CHUNK) first.child.kill('SIGKILL');
      },
    });
    await expect(cut.done).rejects.toThrow();
    await first.exited;
    expect(answered).toBe(2 * CHUNK);
    const uploadPath = new URL(cut.url()!).pathname;

    const second = await startServer(env);
    servers.push(second);
    const offsets: number[] = [];
    await upload(Buffer.from(sealed), {
      endpoint: `${second.url}/api/v1/blobs/uploads`,
      uploadUrl: second.url + uploadPath,
      token: monitor.token,
      sha256: blob.sha256,
      onPatch: (offset) => offsets.push(offset),
    }).done;
    // Resumed where the base stood: at least every byte it had acknowledged was on its disk (and
    // perhaps some of a next request that reached it as it died).
    expect(offsets[0]).toBeGreaterThanOrEqual(answered);
    expect(offsets[0]).toBeLessThan(sealed.length);
    const served = await call(second.url, `/api/v1/blobs/${blob.sha256}`, { token: coordinator.token });
    expect(served.status).toBe(200);
    expect(hex(new Uint8Array(await served.arrayBuffer()))).toBe(blob.sha256);
    expect(second.output()).not.toMatch(/error/i);
  });
});

async function pushPhoto(url: string, monitor: { token: string; sealer: Sealer }, deployment: AgreementKeyPair, attachment: Attachment) {
  const op: Op = {
    v: 1,
    id: opId(newId()),
    kind: 'create',
    reportId: targetId(newId()),
    device: deviceId(MONITOR),
    deviceSeq: 1,
    body: {
      hlc: `2025-06-01T09:00:00.001Z-0000-${MONITOR.replace(/[^0-9a-z]/g, '')}`,
      changes: { type: 'access', narrative: 'قطع المياه عن الحي الشرقي' },
      supersedes: {},
      attachments: [attachment],
    },
  };
  const sealed = await sealForWire(op, monitor.sealer, [deployment.publicKey, monitor.sealer.agreement.publicKey]);
  if (!sealed.ok) throw new Error(sealed.reason);
  const res = await call(url, '/api/v1/sync', { token: monitor.token, json: { epoch: null, cursor: null, ops: [sealed.wire] } });
  const answer = (await res.json()) as { results: { status: string }[] };
  expect(answer.results).toEqual([{ id: sealed.wire.id, status: 'ack' }]);
}
