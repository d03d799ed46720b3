/**
 * The authorization matrix over HTTP, on both stores: who may pull, write, relay and manage what.
 * Monitor A and monitor B each own a report; a coordinator sees and edits both. Their ops travel in
 * clear, so the monitors are those of a base from before keys came first (decision 055).
 */
import { expect, it } from 'vitest';
import { REJECT } from '../../../src/server/store/index.ts';
import { forEachStore, ids, newId, wireOp, type TestServer } from './harness.ts';
import { deviceId } from '../../ids.ts';

const A = deviceId('monitor-a-0001');
const B = deviceId('monitor-b-0002');
const C = 'coordinator-0001';

async function deployment(server: TestServer) {
  const coordinator = await server.firstCoordinator(C);
  const tokens = { coordinator, a: await server.enrolledBeforeKeys(A), b: await server.enrolledBeforeKeys(B) };
  const reportA = newId();
  const reportB = newId();
  const ops = {
    createA: wireOp(A, 1, 'create', reportA, { narrative: 'A saw it' }),
    createB: wireOp(B, 1, 'create', reportB, { narrative: 'B saw it' }),
    editB: wireOp(B, 2, 'edit', reportB, { narrative: 'B again' }),
    roster: wireOp(C, 1, 'deployment', 'roster'),
    partners: wireOp(C, 2, 'desk', 'partners'),
  };
  await server.sync(tokens.a, { ops: [ops.createA] });
  await server.sync(tokens.b, { ops: [ops.createB, ops.editB] });
  await server.sync(tokens.coordinator, { ops: [ops.roster, ops.partners] });
  return { tokens, ops, reportA, reportB };
}

forEachStore('authorization', ({ start }) => {
  it("monitor A never pulls B's ops, nor desk ops; it pulls its own and deployment ops", async () => {
    const server = await start();
    const { tokens, ops } = await deployment(server);
    const pulledA = await server.sync(tokens.a, {});
    expect(ids(pulledA)).toEqual([ops.createA.id, ops.roster.id]);
    const pulledB = await server.sync(tokens.b, {});
    expect(ids(pulledB)).toEqual([ops.createB.id, ops.editB.id, ops.roster.id]);
  });

  it("monitor A's edit of B's report is rejected and never served, to anyone", async () => {
    const server = await start();
    const { tokens, reportB } = await deployment(server);
    const intrusion = wireOp(A, 2, 'edit', reportB, { narrative: 'not mine' });
    const answer = await server.sync(tokens.a, { ops: [intrusion] });
    expect(answer.results).toEqual([{ id: intrusion.id, status: 'rejected', reason: REJECT.notReportOwner }]);
    // The rejection closes A's gap: its watermark moves past the rejected op.
    expect(answer.watermark).toBe(2);
    for (const token of [tokens.a, tokens.b, tokens.coordinator]) expect(ids(await server.sync(token, {}))).not.toContain(intrusion.id);
  });

  it("monitor A cannot write ops as B, nor take B's report by a create of its own", async () => {
    const server = await start();
    const { tokens, reportB } = await deployment(server);
    const forged = wireOp(B, 3, 'edit', reportB, { narrative: 'forged' });
    const stolen = wireOp(A, 2, 'create', reportB);
    const answer = await server.sync(tokens.a, { ops: [forged, stolen] });
    expect(answer.results).toEqual([
      { id: forged.id, status: 'rejected', reason: REJECT.notOwnDevice },
      { id: stolen.id, status: 'rejected', reason: REJECT.reportOwned },
    ]);
    // B's sequence is untouched: its real op 3 is still welcome.
    const real = wireOp(B, 3, 'edit', reportB);
    expect((await server.sync(tokens.b, { ops: [real] })).results).toEqual([{ id: real.id, status: 'ack' }]);
  });

  it("a monitor's deployment and desk ops are rejected", async () => {
    const server = await start();
    const { tokens } = await deployment(server);
    const gazetteer = wireOp(A, 2, 'deployment', 'gazetteer');
    const partners = wireOp(A, 3, 'desk', 'partners');
    const answer = await server.sync(tokens.a, { ops: [gazetteer, partners] });
    expect(answer.results).toEqual([
      { id: gazetteer.id, status: 'rejected', reason: REJECT.coordinatorOnly },
      { id: partners.id, status: 'rejected', reason: REJECT.coordinatorOnly },
    ]);
    expect(ids(await server.sync(tokens.b, {}))).not.toContain(gazetteer.id);
  });

  it("a coordinator pulls everything, edits any report, and gets every device's watermark", async () => {
    const server = await start();
    const { tokens, ops, reportA } = await deployment(server);
    const verify = wireOp(C, 3, 'edit', reportA, { verification: 'verified' });
    const answer = await server.sync(tokens.coordinator, { ops: [verify] });
    expect(answer.results).toEqual([{ id: verify.id, status: 'ack' }]);
    expect(ids(answer)).toEqual([ops.createA, ops.createB, ops.editB, ops.roster, ops.partners, verify].map((o) => o.id));
    expect(answer.watermark).toBe(3);
    expect(answer.watermarks?.map(({ device, deviceSeq }) => ({ device, deviceSeq }))).toEqual([
      { device: C, deviceSeq: 3 },
      { device: A, deviceSeq: 1 },
      { device: B, deviceSeq: 2 },
    ]);
    // The coordinator's edit reaches the report's owner, and only it.
    expect(ids(await server.sync(tokens.a, {}))).toContain(verify.id);
    expect(ids(await server.sync(tokens.b, {}))).not.toContain(verify.id);
    // Monitors never see other devices' watermarks.
    expect((await server.sync(tokens.a, {})).watermarks).toBeUndefined();
  });

  it("a coordinator relays another device's ops; the author stays the author and monitor rules still apply", async () => {
    const server = await start();
    const { tokens, ops, reportB } = await deployment(server);
    // A's phone exported these to a file; the coordinator pushes them on its behalf.
    const reportA2 = newId();
    const createA2 = wireOp(A, 2, 'create', reportA2, { narrative: 'from a file' });
    const editA2 = wireOp(A, 3, 'edit', reportA2);
    const intrusion = wireOp(A, 4, 'edit', reportB);
    const deploymentAsA = wireOp(A, 5, 'deployment', 'gazetteer');
    const relayed = await server.sync(tokens.coordinator, { ops: [createA2, editA2, intrusion, deploymentAsA] });
    expect(relayed.results).toEqual([
      { id: createA2.id, status: 'ack' },
      { id: editA2.id, status: 'ack' },
      { id: intrusion.id, status: 'rejected', reason: REJECT.notReportOwner },
      { id: deploymentAsA.id, status: 'rejected', reason: REJECT.coordinatorOnly },
    ]);
    expect(relayed.watermarks).toContainEqual({ device: A, deviceSeq: 5, receipt: expect.any(String) });

    // A owns the relayed report: it pulls it, its watermark covers it, and the ops still name A.
    const pulledA = await server.sync(tokens.a, {});
    expect(ids(pulledA)).toEqual([ops.createA.id, ops.roster.id, createA2.id, editA2.id]);
    expect(pulledA.watermark).toBe(5);
    expect(pulledA.ops.find((o) => o.op.id === createA2.id)?.op).toEqual(createA2);
    // A sends them itself later (it never heard of the relay): acknowledged again, stored once.
    expect((await server.sync(tokens.a, { ops: [createA2, editA2] })).results.map((r) => r.status)).toEqual(['ack', 'ack']);
    expect(await server.store.db.selectFrom('ops').select('id').where('id', '=', createA2.id).execute()).toHaveLength(1);
  });

  it('missing, malformed, unknown and revoked tokens get 401 on every authenticated endpoint', async () => {
    const server = await start();
    const { tokens } = await deployment(server);
    await server.call(`/api/v1/devices/${B}/revoke`, { token: tokens.coordinator, method: 'POST' });
    const codes = await server.store.db.selectFrom('enrollment_codes').select('code_hash').execute();
    const endpoints = [
      { path: '/api/v1/sync', json: { epoch: null, cursor: null, ops: [] } },
      { path: '/api/v1/enrollment-codes', json: { role: 'monitor' } },
      { path: '/api/v1/devices' },
      { path: `/api/v1/devices/${A}/revoke`, method: 'POST' },
    ];
    const credentials: [string, Record<string, string>][] = [
      ['token_missing', {}],
      ['token_unknown', { Authorization: 'Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
      ['token_unknown', { Authorization: 'Bearer not a token' }],
      ['token_unknown', { Authorization: `Basic ${tokens.a}` }],
      ['token_unknown', { Authorization: `Bearer ${tokens.a}x` }],
      ['token_revoked', { Authorization: `Bearer ${tokens.b}` }],
    ];
    for (const endpoint of endpoints) {
      for (const [code, headers] of credentials) {
        const res = await server.call(endpoint.path, { ...endpoint, headers });
        expect({ path: endpoint.path, status: res.status, code: (await res.json()).error.code }).toEqual({
          path: endpoint.path,
          status: 401,
          code,
        });
      }
    }
    // Nothing was done on the revoked device's behalf.
    expect(await server.store.db.selectFrom('enrollment_codes').select('code_hash').execute()).toEqual(codes);
  });

  it('a monitor token gets 403 on every coordinator endpoint', async () => {
    const server = await start();
    const { tokens } = await deployment(server);
    for (const init of [
      { path: '/api/v1/enrollment-codes', json: { role: 'monitor' } },
      { path: '/api/v1/enrollment-codes', json: { role: 'coordinator' } },
      { path: '/api/v1/devices' },
      { path: `/api/v1/devices/${B}/revoke`, method: 'POST' },
    ]) {
      const res = await server.call(init.path, { ...init, token: tokens.a });
      expect(res.status).toBe(403);
      expect((await res.json()).error.code).toBe('coordinator_only');
    }
    const devices = await server.store.db.selectFrom('devices').select(['device', 'revoked_at']).where('device', '=', B).executeTakeFirst();
    expect(devices?.revoked_at).toBeNull();
  });
});
