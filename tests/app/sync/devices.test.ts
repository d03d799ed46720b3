import { afterEach, describe, expect, test } from 'vitest';
import { codeRefusal, createEnrollmentCode } from '../../../src/app/sync/devices.ts';
import { SYNC_ERRORS, type Fetch } from '../../../src/app/sync/transport.ts';
import { generateKeyPair } from '../../../src/domain/crypto/keys.ts';
import { deskEn } from '../../../src/app/i18n/desk.en.ts';
import { enrollDevice, ORIGIN, setDeploymentKey, startBase, type Base } from './sync-fixtures.ts';

const bases: Base[] = [];
afterEach(async () => {
  for (const b of bases.splice(0)) await b.close();
});

describe("the Devices screen's enrollment codes", () => {
  test("a monitor's code before the deployment's keys is refused in the screen's words; a coordinator's is made", async () => {
    const base = await startBase();
    bases.push(base);
    const coordinator = await enrollDevice(base, 'coord', 'coordinator');
    const endpoint = { origin: ORIGIN, token: coordinator.token, fetch: base.fetch };
    const refused = await createEnrollmentCode(endpoint, 'monitor').catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: SYNC_ERRORS.rejected, status: 409, baseCode: 'keys_first' });
    expect(codeRefusal(refused)).toBe('devices.keysFirst');
    expect(deskEn['devices.keysFirst']).toMatch(/deployment keys first/);
    expect((await createEnrollmentCode(endpoint, 'coordinator')).role).toBe('coordinator');

    const [key, root] = await Promise.all([generateKeyPair('x25519'), generateKeyPair('ed25519')]);
    await setDeploymentKey(base, coordinator, key, root);
    expect((await createEnrollmentCode(endpoint, 'monitor')).link).toContain(`&fp=${root.publicKey.fingerprint}`);
  });

  test("another refusal, or a 409 the screen has no words for, keeps the transport's own key", async () => {
    const answering =
      (status: number, body: string): Fetch =>
      async () =>
        new Response(body, { status, headers: { 'Content-Type': 'application/json' } });
    const ask = (fetch: Fetch) =>
      createEnrollmentCode({ origin: ORIGIN, token: 'A'.repeat(43), fetch }, 'monitor').catch((e: unknown) => e);
    expect(codeRefusal(await ask(answering(409, '{"error":{"code":"something_new","message":"?"}}')))).toBe(SYNC_ERRORS.rejected);
    expect(codeRefusal(await ask(answering(409, 'not json')))).toBe(SYNC_ERRORS.rejected);
    // Only a 409's body is read: a 403 says "forbidden" whatever it carries.
    expect(codeRefusal(await ask(answering(403, '{"error":{"code":"keys_first","message":"?"}}')))).toBe(SYNC_ERRORS.forbidden);
    expect(codeRefusal(new Error('thrown elsewhere'))).toBe(SYNC_ERRORS.network);
  });
});
