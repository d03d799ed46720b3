import { expect, it } from 'vitest';
import { generateKeyPair, type SigningKeyPair } from '../../../src/domain/crypto/keys.ts';
import { signInClear } from '../../../src/domain/op/outgoing.ts';
import type { DeploymentKeyResponse } from '../../../src/domain/protocol.ts';
import { rootDeviceOf } from '../../../src/domain/root.ts';
import { signRootStatement } from '../../../src/domain/root-statement.ts';
import { REJECT, RETRY } from '../../../src/server/store/rules.ts';
import { deviceId, opId, settingId } from '../../ids.ts';
import { forEachStore, newId, T0, wireOp } from './harness.ts';

async function agreementKey(): Promise<{ text: string; fingerprint: string }> {
  const pair = await generateKeyPair('p256-ecdh');
  return { text: pair.publicKey.text, fingerprint: pair.publicKey.fingerprint };
}

forEachStore('the deployment key on the base', ({ start }) => {
  it('a coordinator sets it once; anyone reads it; another key is refused and the first stays', async () => {
    const server = await start();
    const coordinator = await server.firstCoordinator();
    // A monitor the base enrolled before keys came first: the only kind a base without keys holds.
    const monitor = await server.enrolledBeforeKeys('monitor-a-0001');
    expect((await server.call('/api/v1/deployment-key')).status).toBe(404);

    const key = await agreementKey();
    expect((await server.call('/api/v1/deployment-key', { method: 'PUT', token: monitor, json: { key: key.text } })).status).toBe(403);
    expect((await server.call('/api/v1/deployment-key', { method: 'PUT', json: { key: key.text } })).status).toBe(401);
    const set = await server.call('/api/v1/deployment-key', { method: 'PUT', token: coordinator, json: { key: key.text } });
    expect(set.status).toBe(201);
    expect(await set.json()).toEqual({ key: key.text, fingerprint: key.fingerprint });
    expect((await server.call('/api/v1/deployment-key', { method: 'PUT', token: coordinator, json: { key: key.text } })).status).toBe(200);

    const other = await agreementKey();
    const refused = await server.call('/api/v1/deployment-key', { method: 'PUT', token: coordinator, json: { key: other.text } });
    expect(refused.status).toBe(409);
    expect(await (await server.call('/api/v1/deployment-key')).json()).toEqual({ key: key.text, fingerprint: key.fingerprint });
  });

  it('refuses what is not a public agreement key', async () => {
    const server = await start();
    const coordinator = await server.firstCoordinator();
    const signing = await generateKeyPair('p256-ecdsa');
    for (const key of ['', 'x25519:abc', signing.publicKey.text, 'p256-ecdh:' + 'A'.repeat(87), 'x'.repeat(201)]) {
      const res = await server.call('/api/v1/deployment-key', { method: 'PUT', token: coordinator, json: { key } });
      expect(res.status, key).toBe(400);
    }
    expect((await server.call('/api/v1/deployment-key')).status).toBe(404);
  });

  it('once set, every enrollment link carries its fingerprint and every enrollment answer the key', async () => {
    const server = await start();
    const coordinator = await server.firstCoordinator();
    // Coordinators' codes: a deployment with no root makes no monitor's.
    const code = async () =>
      (await (await server.call('/api/v1/enrollment-codes', { token: coordinator, json: { role: 'coordinator' } })).json()) as {
        code: string;
        link: string;
      };
    expect((await code()).link).not.toContain('fp=');

    const key = await agreementKey();
    await server.call('/api/v1/deployment-key', { method: 'PUT', token: coordinator, json: { key: key.text } });
    const made = await code();
    expect(made.link).toMatch(new RegExp(`/enroll#code=${made.code}&fp=${key.fingerprint}$`));
    const enrolled = await server.call('/api/v1/enroll', { json: { code: made.code, device: 'coordinator-0002' } });
    expect(await enrolled.json()).toMatchObject({ role: 'coordinator', deploymentKey: key.text });
  });
});

forEachStore('the deployment root on the base', ({ start }) => {
  const statement = async (root: SigningKeyPair, deviceSeq: number, coordinator: string, deploymentKey?: string) =>
    signRootStatement(root, {
      id: opId(newId()),
      deviceSeq,
      at: T0,
      entries: [{ device: deviceId(coordinator), role: 'coordinator' }],
      ...(deploymentKey !== undefined && { deploymentKey }),
    });

  it('is set once with the deployment key; links then pin it, and the key comes with the root statement naming it', async () => {
    const server = await start();
    const coordinator = await server.firstCoordinator('coordinator-0001');
    const [key, root] = [await agreementKey(), await generateKeyPair('ed25519')];
    const set = await server.call('/api/v1/deployment-key', {
      method: 'PUT',
      token: coordinator,
      json: { key: key.text, root: root.publicKey.text },
    });
    expect(set.status).toBe(201);
    const other = await generateKeyPair('ed25519');
    for (const [json, status] of [
      [{ key: key.text, root: other.publicKey.text }, 409],
      [{ key: key.text, root: key.text }, 400],
      [{ key: key.text, root: root.publicKey.text }, 200],
    ] as const) {
      expect((await server.call('/api/v1/deployment-key', { method: 'PUT', token: coordinator, json })).status, JSON.stringify(json)).toBe(
        status,
      );
    }
    const made = (await (await server.call('/api/v1/enrollment-codes', { token: coordinator, json: { role: 'monitor' } })).json()) as {
      code: string;
      link: string;
    };
    expect(made.link).toMatch(new RegExp(`&fp=${root.publicKey.fingerprint}$`));
    // No device enrolls under the root's id, nor any id of its shape.
    const asRoot = await server.call('/api/v1/enroll', { json: { code: made.code, device: rootDeviceOf(root.publicKey.kid) } });
    expect(asRoot.status).toBe(400);

    // Until a root statement names the key, the base serves none; a coordinator relays the first.
    expect(await (await server.call('/api/v1/deployment-key')).json()).toEqual({
      key: key.text,
      fingerprint: key.fingerprint,
      root: { key: root.publicKey.text, fingerprint: root.publicKey.fingerprint },
    });
    const first = await statement(root, 1, 'coordinator-0001', key.text);
    expect((await server.sync(coordinator, { ops: [first] })).results).toEqual([{ id: first.id, status: 'ack' }]);
    const served = (await (await server.call('/api/v1/deployment-key')).json()) as DeploymentKeyResponse;
    expect(served.statement).toEqual(first);
  });

  it("takes only the root's signed roster statements in its name", async () => {
    const server = await start();
    const coordinator = await server.firstCoordinator('coordinator-0001');
    const [key, root] = [await agreementKey(), await generateKeyPair('ed25519')];
    const device = rootDeviceOf(root.publicKey.kid);
    // Before the base knows the root, its ops are another unknown device's: kept by the relay for later.
    const early = await statement(root, 1, 'coordinator-0001', key.text);
    expect((await server.sync(coordinator, { ops: [early] })).results).toEqual([
      { id: early.id, status: 'retry', reason: RETRY.unknownAuthor },
    ]);
    await server.call('/api/v1/deployment-key', { method: 'PUT', token: coordinator, json: { key: key.text, root: root.publicKey.text } });

    const stranger = await generateKeyPair('ed25519');
    const forged = { ...(await statement(stranger, 1, 'coordinator-0001')), device, id: newId() };
    const clear = wireOp(device, 1, 'deployment', 'roster');
    const hlc = `2025-06-01T09:00:00.000Z-0000-${device.replace(/-/g, '')}`;
    const notRoster = await signInClear(
      {
        v: 1,
        id: opId(newId()),
        kind: 'deployment',
        reportId: settingId('gazetteer'),
        device,
        deviceSeq: 2,
        body: { hlc, changes: {}, supersedes: {} },
      },
      root,
    );
    const answer = await server.sync(coordinator, { ops: [forged, clear, early, notRoster] });
    expect(answer.results).toEqual([
      { id: forged.id, status: 'retry', reason: RETRY.forged },
      // In clear: the deployment has its key, so nothing in clear is taken, the root's least of all.
      { id: clear.id, status: 'retry', reason: RETRY.unsealed },
      // The honest statement takes slot 1: refusals for signatures hold none.
      { id: early.id, status: 'ack' },
      { id: notRoster.id, status: 'rejected', reason: REJECT.rootRosterOnly },
    ]);
  });
});
