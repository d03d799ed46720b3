import { expect, it } from 'vitest';
import { generateKeyPair } from '../../../src/domain/crypto/keys.ts';
import { forEachStore } from './harness.ts';

async function agreementKey(): Promise<{ text: string; fingerprint: string }> {
  const pair = await generateKeyPair('p256-ecdh');
  return { text: pair.publicKey.text, fingerprint: pair.publicKey.fingerprint };
}

forEachStore('the deployment key on the base', ({ start }) => {
  it('a coordinator sets it once; anyone reads it; another key is refused and the first stays', async () => {
    const server = await start();
    const coordinator = await server.firstCoordinator();
    const monitor = await server.enrollWith(coordinator, 'monitor-a-0001');
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
    const before = (await (await server.call('/api/v1/enrollment-codes', { token: coordinator, json: { role: 'monitor' } })).json()) as {
      link: string;
    };
    expect(before.link).not.toContain('fp=');

    const key = await agreementKey();
    await server.call('/api/v1/deployment-key', { method: 'PUT', token: coordinator, json: { key: key.text } });
    const made = (await (await server.call('/api/v1/enrollment-codes', { token: coordinator, json: { role: 'monitor' } })).json()) as {
      code: string;
      link: string;
    };
    expect(made.link).toMatch(new RegExp(`/enroll#code=${made.code}&fp=${key.fingerprint}$`));
    const enrolled = await server.call('/api/v1/enroll', { json: { code: made.code, device: 'monitor-b-0002' } });
    expect(await enrolled.json()).toMatchObject({ role: 'monitor', deploymentKey: key.text });
  });
});
