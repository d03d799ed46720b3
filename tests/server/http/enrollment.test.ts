/**
 * Enrollment over HTTP on both stores: the first coordinator's link, codes for monitors once the
 * deployment has its keys, one use per code, expiry, tokens kept only as hashes, the device list
 * and revocation.
 */
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { devicesResponseSchema, enrollmentCodeResponseSchema, enrollResponseSchema } from '../../../src/domain/protocol.ts';
import {
  claimFirstCoordinatorCode,
  DEFAULT_CODE_LIFETIME_MS,
  enrollmentLink,
  makeEnrollmentCode,
} from '../../../src/server/enrollment/codes.ts';
import { cryptoRandom } from '../../../src/domain/ids.ts';
import { generateKeyPair } from '../../../src/domain/crypto/keys.ts';
import { deviceId } from '../../ids.ts';
import { sql } from 'kysely';
import { forEachStore, newId, ORIGIN, wireOp, type TestServer } from './harness.ts';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const codeFromLink = (link: string) => new URLSearchParams(new URL(link).hash.slice(1)).get('code') ?? '';

/** The first coordinator, who has made the deployment's keys: monitors may enroll from then on. */
/**
 * How many times `request` wrote a device's row: SQLite counts the rows each statement changed;
 * PostgreSQL gives a row a new version (`xmin`) at every update, even to the same values.
 */
async function countWrites(server: TestServer, request: () => Promise<unknown>): Promise<number> {
  const { db, dialect } = server.store;
  if (dialect === 'sqlite') {
    const changes = async () => (await sql<{ n: number }>`select total_changes() as n`.execute(db)).rows[0]!.n;
    const before = await changes();
    await request();
    return (await changes()) - before;
  }
  const versions = async () =>
    (await sql<{ v: string }>`select xmin::text as v from devices order by device`.execute(db)).rows.map((r) => r.v);
  const before = await versions();
  await request();
  const after = await versions();
  return after.filter((v, i) => v !== before[i]).length;
}

async function keyedCoordinator(server: TestServer): Promise<string> {
  const coordinator = await server.firstCoordinator();
  await server.makeKeys(coordinator);
  return coordinator;
}
/** RFC 7748's and RFC 8032's test keys, in their travelling form. */
const KEYS = {
  agreement: 'x25519:hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo',
  signing: 'ed25519:11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
};

forEachStore('enrollment', ({ start }) => {
  it('the first coordinator link enrolls a coordinator, who makes a code with which a monitor enrolls', async () => {
    const server = await start();
    const first = await claimFirstCoordinatorCode(server.store.db, { now: () => server.clock.now, random: cryptoRandom });
    expect(first).toBeDefined();
    const link = enrollmentLink(ORIGIN, first!.code);
    expect(link).toMatch(/^https:\/\/rasid\.example\.org\/enroll#code=[A-Za-z0-9_-]{22,}$/);

    const enrolled = await server.call('/api/v1/enroll', { json: { code: codeFromLink(link), device: 'coordinator-0001' } });
    expect(enrolled.status).toBe(201);
    const coordinator = enrollResponseSchema.parse(await enrolled.json());
    expect(coordinator).toEqual({ token: expect.any(String), role: 'coordinator', device: 'coordinator-0001', epoch: server.store.epoch });

    const { root } = await server.makeKeys(coordinator.token);
    const made = await server.call('/api/v1/enrollment-codes', { token: coordinator.token, json: { role: 'monitor' } });
    expect(made.status).toBe(201);
    const code = enrollmentCodeResponseSchema.parse(await made.json());
    expect(code.role).toBe('monitor');
    expect(code.expiresAt).toBe(server.clock.now + 60 * 60 * 1000);
    expect(code.link).toBe(`${ORIGIN}/enroll#code=${code.code}&fp=${root.publicKey.fingerprint}`);

    const monitor = await server.call('/api/v1/enroll', {
      json: { code: codeFromLink(code.link), device: 'monitor-a-0001', keys: KEYS },
    });
    expect(monitor.status).toBe(201);
    const answer = enrollResponseSchema.parse(await monitor.json());
    expect(answer.role).toBe('monitor');
    // The monitor's token works.
    const synced = await server.sync(answer.token, {});
    expect(synced.epoch).toBe(server.store.epoch);
  });

  it('public keys the base cannot read are refused 400 and leave the code unused', async () => {
    const server = await start();
    const coordinator = await keyedCoordinator(server);
    const { code } = enrollmentCodeResponseSchema.parse(
      await (await server.call('/api/v1/enrollment-codes', { token: coordinator, json: { role: 'monitor' } })).json(),
    );
    const point = Buffer.alloc(65, 4).toString('base64url');
    const p256 = { agreement: `p256-ecdh:${point}`, signing: `p256-ecdsa:${point}` };
    const refused: unknown[] = [
      { agreement: 'garbage', signing: KEYS.signing },
      { agreement: KEYS.agreement, signing: '<script>alert(1)</script>' },
      { agreement: 'x'.repeat(500), signing: KEYS.signing },
      // A signing key offered for agreement, and the other way round.
      { agreement: KEYS.signing, signing: KEYS.agreement },
      // A key one byte short, a compressed P-256 point, one key alone, a name nobody reads.
      { agreement: KEYS.agreement.slice(0, -2), signing: KEYS.signing },
      { ...p256, signing: p256.signing.replace(':BA', ':Ag') },
      // Keys of two suites: agreement between devices works only on one curve.
      { agreement: KEYS.agreement, signing: p256.signing },
      { signing: KEYS.signing },
      { ...KEYS, extra: KEYS.signing },
    ];
    for (const keys of refused) {
      const res = await server.call('/api/v1/enroll', { json: { code, device: 'monitor-a-0001', keys } });
      expect(res.status, JSON.stringify(keys)).toBe(400);
      expect((await res.json()).error.code).toBe('bad_request');
    }
    const taken = await server.call('/api/v1/enroll', { json: { code, device: 'monitor-a-0001', keys: p256 } });
    expect(taken.status).toBe(201);
  });

  it('the first coordinator link is made once per store', async () => {
    const server = await start();
    const deps = { now: () => server.clock.now, random: cryptoRandom };
    const [a, b] = await Promise.all([claimFirstCoordinatorCode(server.store.db, deps), claimFirstCoordinatorCode(server.store.db, deps)]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    expect(await claimFirstCoordinatorCode(server.store.db, deps)).toBeUndefined();
  });

  it('codes and tokens have at least 128 random bits and the store keeps only their SHA-256', async () => {
    const server = await start();
    const coordinator = await keyedCoordinator(server);
    const made = enrollmentCodeResponseSchema.parse(
      await (await server.call('/api/v1/enrollment-codes', { token: coordinator, json: { role: 'monitor' } })).json(),
    );
    const enrolled = enrollResponseSchema.parse(
      await (await server.call('/api/v1/enroll', { json: { code: made.code, device: 'monitor-a-0001' } })).json(),
    );

    expect(Buffer.from(made.code, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(Buffer.from(enrolled.token, 'base64url').length).toBeGreaterThanOrEqual(16);
    const codes = await server.store.db.selectFrom('enrollment_codes').selectAll().execute();
    const devices = await server.store.db.selectFrom('devices').selectAll().execute();
    const stored = JSON.stringify([codes, devices]);
    expect(stored).not.toContain(made.code);
    expect(stored).not.toContain(enrolled.token);
    expect(codes.map((c) => c.code_hash)).toContain(sha256(made.code));
    expect(devices.find((d) => d.device === 'monitor-a-0001')?.token_hash).toBe(sha256(enrolled.token));
  });

  it('a code works once', async () => {
    const server = await start();
    const coordinator = await keyedCoordinator(server);
    const { code } = enrollmentCodeResponseSchema.parse(
      await (await server.call('/api/v1/enrollment-codes', { token: coordinator, json: { role: 'monitor' } })).json(),
    );
    expect((await server.call('/api/v1/enroll', { json: { code, device: 'monitor-a-0001' } })).status).toBe(201);
    const again = await server.call('/api/v1/enroll', { json: { code, device: 'monitor-b-0002' } });
    expect(again.status).toBe(401);
    expect(await again.json()).toEqual({ error: { code: 'code_used', message: expect.any(String) } });
  });

  it('of two devices enrolling with one code at once, one gets a token and the other 401', async () => {
    const server = await start();
    const coordinator = await keyedCoordinator(server);
    const { code } = enrollmentCodeResponseSchema.parse(
      await (await server.call('/api/v1/enrollment-codes', { token: coordinator, json: { role: 'monitor' } })).json(),
    );
    const answers = await Promise.all(
      ['monitor-a-0001', 'monitor-b-0002', 'monitor-c-0003'].map((device) => server.call('/api/v1/enroll', { json: { code, device } })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 401, 401]);
    expect(await server.store.db.selectFrom('devices').select('device').where('role', '=', 'monitor').execute()).toHaveLength(1);
  });

  it('an expired code fails, and a code still within its hour works', async () => {
    const server = await start();
    const coordinator = await keyedCoordinator(server);
    const make = async () =>
      enrollmentCodeResponseSchema.parse(
        await (await server.call('/api/v1/enrollment-codes', { token: coordinator, json: { role: 'monitor' } })).json(),
      ).code;
    const early = await make();
    server.clock.now += DEFAULT_CODE_LIFETIME_MS - 1;
    const late = await make();
    expect((await server.call('/api/v1/enroll', { json: { code: late, device: 'monitor-b-0002' } })).status).toBe(201);
    server.clock.now += 1;
    const expired = await server.call('/api/v1/enroll', { json: { code: early, device: 'monitor-a-0001' } });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({ error: { code: 'code_expired', message: expect.any(String) } });
  });

  it('a code lives as long as the coordinator chose, from 5 minutes to 24 hours; anything else is a 400 naming the field', async () => {
    const server = await start();
    const coordinator = await keyedCoordinator(server);
    const make = (json: Record<string, unknown>) => server.call('/api/v1/enrollment-codes', { token: coordinator, json });
    const quarter = enrollmentCodeResponseSchema.parse(await (await make({ role: 'monitor', expiresInMinutes: 15 })).json());
    expect(quarter.expiresAt).toBe(server.clock.now + 15 * 60 * 1000);
    const day = enrollmentCodeResponseSchema.parse(await (await make({ role: 'monitor', expiresInMinutes: 1440 })).json());
    expect(day.expiresAt).toBe(server.clock.now + 24 * 60 * 60 * 1000);
    for (const expiresInMinutes of [0, 4, 1441, 60.5, -60, '60', null, 1e9]) {
      const refused = await make({ role: 'monitor', expiresInMinutes });
      expect(refused.status, String(expiresInMinutes)).toBe(400);
      const { error } = (await refused.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe('bad_request');
      expect(error.message).toContain('expiresInMinutes');
    }
    expect(await server.store.db.selectFrom('enrollment_codes').select('code_hash').execute()).toHaveLength(3);

    server.clock.now += 15 * 60 * 1000;
    const late = await server.call('/api/v1/enroll', { json: { code: quarter.code, device: 'monitor-a-0001' } });
    expect(late.status).toBe(401);
    expect((await late.json()).error.code).toBe('code_expired');
    expect((await server.call('/api/v1/enroll', { json: { code: day.code, device: 'monitor-a-0001' } })).status).toBe(201);
  });

  it('an unknown or malformed code is refused', async () => {
    const server = await start();
    const unknown = await server.call('/api/v1/enroll', { json: { code: 'AAAAAAAAAAAAAAAAAAAAAA', device: 'monitor-a-0001' } });
    expect(unknown.status).toBe(401);
    expect((await unknown.json()).error.code).toBe('code_unknown');
    for (const json of [
      { code: 'short', device: 'monitor-a-0001' },
      { code: 'AAAAAAAAAAAAAAAAAAAAAA', device: 'no' },
      { device: 'monitor-a-0001' },
    ]) {
      const res = await server.call('/api/v1/enroll', { json });
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe('bad_request');
    }
  });

  it('a device already enrolled gets 409 and the code stays usable', async () => {
    const server = await start();
    const coordinator = await keyedCoordinator(server);
    await server.enrollWith(coordinator, 'monitor-a-0001');
    const { code } = enrollmentCodeResponseSchema.parse(
      await (await server.call('/api/v1/enrollment-codes', { token: coordinator, json: { role: 'monitor' } })).json(),
    );
    const twice = await server.call('/api/v1/enroll', { json: { code, device: 'monitor-a-0001' } });
    expect(twice.status).toBe(409);
    expect((await twice.json()).error.code).toBe('device_enrolled');
    expect((await server.call('/api/v1/enroll', { json: { code, device: 'monitor-b-0002' } })).status).toBe(201);
  });

  it("a revoked device id cannot enroll again, so no code holder can take over a lost phone's reports", async () => {
    const server = await start();
    const coordinator = await keyedCoordinator(server);
    await server.enrollWith(coordinator, 'monitor-a-0001');
    expect((await server.call('/api/v1/devices/monitor-a-0001/revoke', { token: coordinator, method: 'POST' })).status).toBe(200);
    const { code } = enrollmentCodeResponseSchema.parse(
      await (await server.call('/api/v1/enrollment-codes', { token: coordinator, json: { role: 'monitor' } })).json(),
    );
    const again = await server.call('/api/v1/enroll', { json: { code, device: 'monitor-a-0001' } });
    expect(again.status).toBe(409);
    expect((await again.json()).error.code).toBe('device_revoked');
  });

  it('a coordinator lists devices with role, enrollment and revocation times, watermark, public keys and cut-off', async () => {
    const server = await start();
    const coordinator = await server.firstCoordinator();
    // Monitor B enrolled before the deployment had its keys, on a base from before they came first,
    // and sent its ops in clear then; monitor A enrolled after, with its keys.
    server.clock.now += 1000;
    const monitorB = await server.enrolledBeforeKeys('monitor-b-0002');
    const report = newId();
    await server.sync(monitorB, { ops: [wireOp('monitor-b-0002', 1, 'create', report), wireOp('monitor-b-0002', 2, 'edit', report)] });
    await server.makeKeys(coordinator);
    server.clock.now += 1000;
    const { code, codeId } = enrollmentCodeResponseSchema.parse(
      await (await server.call('/api/v1/enrollment-codes', { token: coordinator, json: { role: 'monitor' } })).json(),
    );
    await server.call('/api/v1/enroll', { json: { code, device: 'monitor-a-0001', keys: KEYS } });
    server.clock.now += 1000;
    await server.call('/api/v1/devices/monitor-b-0002/revoke', { token: coordinator, method: 'POST' });

    const res = await server.call('/api/v1/devices', { token: coordinator });
    expect(res.status).toBe(200);
    const today = new Date(server.clock.now).toISOString().slice(0, 10);
    expect(devicesResponseSchema.parse(await res.json()).devices).toEqual([
      {
        device: 'coordinator-0001',
        role: 'coordinator',
        enrolledAt: server.clock.now - 3000,
        revokedAt: null,
        watermark: 0,
        lastContactDate: today,
        // The first coordinator's code, made by the base when its store was new, has an id too.
        enrollmentCode: expect.stringMatching(/^[A-Za-z0-9_-]{12}$/),
      },
      {
        device: 'monitor-b-0002',
        role: 'monitor',
        enrolledAt: server.clock.now - 2000,
        revokedAt: server.clock.now,
        watermark: 2,
        cutoff: 2,
        lastContactDate: today,
        lastOpDate: today,
      },
      {
        device: 'monitor-a-0001',
        role: 'monitor',
        enrolledAt: server.clock.now - 1000,
        revokedAt: null,
        watermark: 0,
        keys: KEYS,
        // Named by its code's id, never by anything the coordinator wrote of it.
        enrollmentCode: codeId,
      },
    ]);
    expect(codeId).toMatch(/^[A-Za-z0-9_-]{12}$/);
  });

  it("a coordinator sees each device's last contact and last op as dates, and a device's requests of one day write its date once", async () => {
    const server = await start();
    const coordinator = await server.firstCoordinator();
    // Its ops in clear, as the base takes them from a device enrolled before the deployment's keys.
    const monitor = await server.enrolledBeforeKeys('monitor-a-0001');
    const devices = async () =>
      Object.fromEntries(
        devicesResponseSchema
          .parse(await (await server.call('/api/v1/devices', { token: coordinator })).json())
          .devices.map((d) => [d.device, { contact: d.lastContactDate, op: d.lastOpDate }]),
      );
    // Enrolled, but never yet in touch with a token of its own.
    expect(await devices()).toEqual({
      'coordinator-0001': { contact: '2025-06-01', op: undefined },
      'monitor-a-0001': { contact: undefined, op: undefined },
    });

    const stored = () => server.store.db.selectFrom('devices').select(['device', 'last_contact']).orderBy('device').execute();
    server.clock.now = Date.UTC(2025, 5, 3, 23, 59);
    expect((await server.call('/api/v1/sync', { token: monitor, json: { epoch: null, cursor: null, ops: [] } })).status).toBe(200);
    const written = await stored();
    expect(written).toEqual([
      { device: 'coordinator-0001', last_contact: '2025-06-01' },
      { device: 'monitor-a-0001', last_contact: '2025-06-03' },
    ]);
    // More requests the same day: the stored date is left as it is, with no write at all.
    const writes = await countWrites(server, () =>
      server.call('/api/v1/sync', { token: monitor, json: { epoch: null, cursor: null, ops: [] } }),
    );
    expect(writes).toBe(0);

    // The next UTC day, a minute later, its pushed op is dated too; what the coordinator reads is dates, never times.
    server.clock.now += 60_000;
    await server.sync(monitor, { ops: [wireOp('monitor-a-0001', 1, 'create', newId())] });
    const text = await (await server.call('/api/v1/devices', { token: coordinator })).text();
    expect(text).not.toMatch(/T\d{2}:\d{2}/);
    expect(await devices()).toEqual({
      'coordinator-0001': { contact: '2025-06-04', op: undefined },
      'monitor-a-0001': { contact: '2025-06-04', op: '2025-06-04' },
    });
  });

  it('a revoked token gets 401 at its next request; revoking again keeps the first time', async () => {
    const server = await start();
    const coordinator = await keyedCoordinator(server);
    const monitor = await server.enrollWith(coordinator, 'monitor-a-0001');
    expect((await server.call('/api/v1/sync', { token: monitor, json: { epoch: null, cursor: null, ops: [] } })).status).toBe(200);

    const revoked = await server.call('/api/v1/devices/monitor-a-0001/revoke', { token: coordinator, method: 'POST' });
    expect(await revoked.json()).toEqual({ device: 'monitor-a-0001', revokedAt: server.clock.now, cutoff: 0 });
    const refused = await server.call('/api/v1/sync', { token: monitor, json: { epoch: null, cursor: null, ops: [] } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
    expect((await refused.json()).error.code).toBe('token_revoked');

    server.clock.now += 5000;
    const again = await server.call('/api/v1/devices/monitor-a-0001/revoke', { token: coordinator, method: 'POST' });
    expect(await again.json()).toEqual({ device: 'monitor-a-0001', revokedAt: server.clock.now - 5000, cutoff: 0 });
  });

  it('a phone reported stolen late is revoked from an earlier cut-off, which can be lowered but never raised', async () => {
    const server = await start();
    const coordinator = await server.firstCoordinator();
    // Its ops travel in clear: a phone of a base from before keys came first.
    const monitor = await server.enrolledBeforeKeys('monitor-b-0002');
    const report = newId();
    const ops = [1, 2, 3, 4].map((seq) => wireOp('monitor-b-0002', seq, seq === 1 ? 'create' : 'edit', report));
    await server.sync(monitor, { ops });
    const revoke = (json?: unknown) =>
      server.call('/api/v1/devices/monitor-b-0002/revoke', { token: coordinator, method: 'POST', ...(json !== undefined && { json }) });

    // Refused whole, changing nothing: a cut-off that is no deviceSeq, or a field the API does not know.
    for (const bad of [{ cutoff: -1 }, { cutoff: 1.5 }, { cutoff: '2' }, { cutoff: 2, since: 0 }, []]) {
      const res = await revoke(bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    const list = async () =>
      devicesResponseSchema.parse(await (await server.call('/api/v1/devices', { token: coordinator })).json()).devices;
    expect((await list()).find((d) => d.device === 'monitor-b-0002')?.revokedAt).toBeNull();

    expect(await (await revoke({ cutoff: 2 })).json()).toEqual({ device: 'monitor-b-0002', revokedAt: server.clock.now, cutoff: 2 });
    // Lowered once more, as more is learned; asking for a higher one keeps the lower.
    expect(await (await revoke({ cutoff: 1 })).json()).toMatchObject({ cutoff: 1 });
    expect(await (await revoke({ cutoff: 3 })).json()).toMatchObject({ cutoff: 1 });
    expect(await (await revoke()).json()).toMatchObject({ cutoff: 1 });
    expect((await list()).find((d) => d.device === 'monitor-b-0002')).toMatchObject({ cutoff: 1, watermark: 4 });
  });

  it('revoking an unknown device is 404, a malformed id 400', async () => {
    const server = await start();
    const coordinator = await server.firstCoordinator();
    const unknown = await server.call('/api/v1/devices/monitor-z-9999/revoke', { token: coordinator, method: 'POST' });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('device_unknown');
    const malformed = await server.call(`/api/v1/devices/${encodeURIComponent('../x')}/revoke`, { token: coordinator, method: 'POST' });
    expect(malformed.status).toBe(400);
  });

  it('a second coordinator enrolled by a code from the first can make codes too', async () => {
    const server = await start();
    const first = await keyedCoordinator(server);
    const second = await server.enrollWith(first, 'coordinator-0002', 'coordinator');
    expect((await server.call('/api/v1/enrollment-codes', { token: second, json: { role: 'monitor' } })).status).toBe(201);
    expect((await server.call('/api/v1/enrollment-codes', { token: second, json: { role: 'admin' } })).status).toBe(400);
  });

  it('no monitor code is made until the deployment has its root and deployment key; a coordinator code is', async () => {
    const server = await start();
    const coordinator = await server.firstCoordinator();
    const make = (role: string) => server.call('/api/v1/enrollment-codes', { token: coordinator, json: { role } });
    const refused = await make('monitor');
    expect(refused.status).toBe(409);
    expect(await refused.json()).toEqual({ error: { code: 'keys_first', message: expect.any(String) } });
    // A second coordinator may enroll before the keys, and the first coordinator's desk makes them.
    expect((await make('coordinator')).status).toBe(201);
    // The deployment key alone, as a deployment made before roots has it, is not enough.
    const deployment = (await generateKeyPair('x25519')).publicKey.text;
    expect((await server.call('/api/v1/deployment-key', { method: 'PUT', token: coordinator, json: { key: deployment } })).status).toBe(
      201,
    );
    expect((await make('monitor')).status).toBe(409);
    const root = (await generateKeyPair('ed25519')).publicKey.text;
    const set = await server.call('/api/v1/deployment-key', { method: 'PUT', token: coordinator, json: { key: deployment, root } });
    expect(set.status).toBe(201);
    expect((await make('monitor')).status).toBe(201);
    // Only the first link's code, the coordinator's and the last monitor's were made.
    expect(await server.store.db.selectFrom('enrollment_codes').select('code_hash').execute()).toHaveLength(3);
  });

  it('a monitor code a base made before keys came first enrolls no monitor until the keys are made, and stays usable', async () => {
    const server = await start();
    const coordinator = await server.firstCoordinator();
    // Left over from before the upgrade: made in the store as that base made it.
    const { code } = await makeEnrollmentCode(server.store.db, 'monitor', { now: () => server.clock.now, random: cryptoRandom });
    const early = await server.call('/api/v1/enroll', { json: { code, device: 'monitor-a-0001', keys: KEYS } });
    expect(early.status).toBe(409);
    expect((await early.json()).error.code).toBe('keys_first');
    expect(await server.store.db.selectFrom('devices').select('device').where('device', '=', deviceId('monitor-a-0001')).execute()).toEqual(
      [],
    );
    await server.makeKeys(coordinator);
    const enrolled = await server.call('/api/v1/enroll', { json: { code, device: 'monitor-a-0001', keys: KEYS } });
    expect(enrolled.status).toBe(201);
    expect(enrollResponseSchema.parse(await enrolled.json()).deploymentKey).toBeDefined();
  });
});
