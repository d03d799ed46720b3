/**
 * `POST /api/v1/sync` on both stores: per-op answers, idempotent retry, pages and cursors, reset
 * on a new epoch or a cursor not held, watermarks; then, on SQLite alone (the database plays no
 * part), how bodies are read: gzip both ways, limits, and every kind of bad input. The ops travel
 * in clear (`v: 1`), which a base takes only from monitors that enrolled before keys came first
 * (decision 055): the monitors here are such a base's.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_BATCH, MAX_REQUEST_BYTES, syncResponseSchema } from '../../../src/domain/op/sync.ts';
import { currentEpoch as storeEpoch, REJECT, RETRY } from '../../../src/server/store/index.ts';
import { forEachStore, gzipOfZeros, ids, newId, useSqliteServer, wireOp, type TestServer } from './harness.ts';
import { deviceId } from '../../ids.ts';

const A = deviceId('monitor-a-0001');
const C = 'coordinator-0001';

/**
 * Text of any code points, lone surrogates included: what fast-check's `unit: 'binary'` gives, without
 * the second its tables take to build in each test file.
 */
const anyCodePoints = fc.string({ unit: fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c)) });

const currentEpoch = (server: TestServer) => storeEpoch(server.store.db);

async function monitorAndCoordinator(server: TestServer) {
  const coordinator = await server.firstCoordinator(C);
  return { coordinator, monitor: await server.enrolledBeforeKeys(A) };
}

forEachStore('sync', ({ start }) => {
  it('a push is answered per op, and the pull brings the ops back with sequence number, received time and cursor', async () => {
    const server = await start();
    const { monitor } = await monitorAndCoordinator(server);
    const report = newId();
    const ops = [wireOp(A, 1, 'create', report, { narrative: 'نص' }), wireOp(A, 2, 'edit', report)];
    const answer = syncResponseSchema.parse(await server.sync(monitor, { ops }));
    expect(answer).toEqual({
      epoch: server.store.epoch,
      serverTime: server.clock.now,
      results: ops.map((o) => ({ id: o.id, status: 'ack' })),
      ops: ops.map((op, i) => ({ seq: i + 1, receivedAt: server.clock.now, op })),
      cursor: { seq: 2, opId: ops[1]!.id },
      more: false,
      watermark: 2,
      receipt: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
  });

  it("asked so, the caller's own ops come in brief, where the base put them, and everything else whole", async () => {
    const server = await start();
    const { monitor, coordinator } = await monitorAndCoordinator(server);
    const report = newId();
    const mine = [wireOp(A, 1, 'create', report), wireOp(A, 2, 'edit', report), wireOp(A, 3, 'deployment', 'vouches')];
    await server.sync(monitor, { ops: mine });
    const theirs = wireOp(C, 1, 'edit', report, { structures: 2 });
    await server.sync(coordinator, { ops: [theirs] });

    const brief = syncResponseSchema.parse(await server.sync(monitor, { ownInBrief: true }));
    // A deployment op is read by the trust rule whoever wrote it: it comes whole.
    expect(ids(brief)).toEqual([mine[2]!.id, theirs.id]);
    expect(brief.own).toEqual(mine.slice(0, 2).map((o, i) => ({ seq: i + 1, receivedAt: server.clock.now, id: o.id, deviceSeq: i + 1 })));
    expect(brief.cursor).toEqual({ seq: 4, opId: theirs.id });
    // Not asked: whole, as before; and for another caller, the monitor's ops are not its own.
    expect(ids(await server.sync(monitor, {}))).toEqual([...mine, theirs].map((o) => o.id));
    const desk = await server.sync(coordinator, { ownInBrief: true });
    expect(ids(desk)).toEqual([...mine.map((o) => o.id)]);
    expect(desk.own).toEqual([{ seq: 4, receivedAt: server.clock.now, id: theirs.id, deviceSeq: 1 }]);
  });

  it('a device says which body codecs it opens, and the base answers those every device not revoked opens', async () => {
    const server = await start();
    const { monitor, coordinator } = await monitorAndCoordinator(server);
    // The coordinator said nothing (an earlier app, another client): it opens codecs 0 and 1 only.
    expect((await server.sync(monitor, { codecs: [0, 1, 2] })).codecs).toEqual([0, 1]);
    // Not asked, not answered: the answer is the one an earlier app knows.
    expect(await server.sync(monitor, {})).not.toHaveProperty('codecs');
    expect((await server.sync(coordinator, { codecs: [2, 1, 0] })).codecs).toEqual([0, 1, 2]);

    // A device says so when it enrolls too; one that does not holds the others back until it is revoked.
    const enrolled = async (device: string, said?: number[]) => {
      // Coordinators: this base has no keys yet, which monitors enroll after.
      const made = await server.call('/api/v1/enrollment-codes', { token: coordinator, json: { role: 'coordinator' } });
      const { code } = (await made.json()) as { code: string };
      const res = await server.call('/api/v1/enroll', { json: { code, device, ...(said && { codecs: said }) } });
      expect(res.status).toBe(201);
    };
    await enrolled('coordinator-0002', [0, 1, 2]);
    expect((await server.sync(coordinator, { codecs: [0, 1, 2] })).codecs).toEqual([0, 1, 2]);
    await enrolled('coordinator-0003');
    expect((await server.sync(coordinator, { codecs: [0, 1, 2] })).codecs).toEqual([0, 1]);
    await server.call('/api/v1/devices/coordinator-0003/revoke', { token: coordinator, method: 'POST' });
    expect((await server.sync(coordinator, { codecs: [0, 1, 2] })).codecs).toEqual([0, 1, 2]);
    // Codecs 0 and 1 every reader of format 2 opens, said or not; what a device said last counts.
    expect((await server.sync(monitor, { codecs: [2] })).codecs).toEqual([0, 1, 2]);
    expect((await server.sync(monitor, { codecs: [0, 1] })).codecs).toEqual([0, 1]);
  });

  it('codecs that are not a short list of bytes are refused', async () => {
    const server = await start();
    const { monitor } = await monitorAndCoordinator(server);
    for (const codecs of [[256], [-1], [1.5], 'all', Array.from({ length: 17 }, (_, i) => i)]) {
      const res = await server.call('/api/v1/sync', { token: monitor, json: { epoch: null, cursor: null, ops: [], codecs } });
      expect(res.status, JSON.stringify(codecs)).toBe(400);
    }
    expect((await server.sync(monitor, { codecs: [0, 1, 2] })).codecs).toEqual([0, 1]);
  });

  it('the same batch sent twice gets the same answers and is stored once', async () => {
    const server = await start();
    const { monitor } = await monitorAndCoordinator(server);
    const report = newId();
    const ops = [wireOp(A, 1, 'create', report), wireOp(A, 2, 'edit', report), wireOp(A, 3, 'deployment', 'roster')];
    const first = await server.sync(monitor, { ops });
    server.clock.now += 60_000;
    const second = await server.sync(monitor, { ops });
    expect(second.results).toEqual(first.results);
    expect(first.results.map((r) => r.status)).toEqual(['ack', 'ack', 'rejected']);
    expect(second.watermark).toBe(3);
    const rows = await server.store.db.selectFrom('ops').select(['id', 'received_at']).orderBy('seq').execute();
    expect(rows.map((r) => r.id)).toEqual(ops.map((o) => o.id));
    // The retry did not touch what was stored: the received time is the first one.
    expect(rows.every((r) => Number(r.received_at) === server.clock.now - 60_000)).toBe(true);
  });

  it('the same id with other bytes, or a deviceSeq taken by another op, is rejected', async () => {
    const server = await start();
    const { monitor } = await monitorAndCoordinator(server);
    const create = wireOp(A, 1, 'create', newId());
    await server.sync(monitor, { ops: [create] });
    const altered = { ...create, body: create.body.replace('}', ',"x":1}') };
    const reused = wireOp(A, 1, 'create', newId());
    const answer = await server.sync(monitor, { ops: [altered, reused] });
    expect(answer.results).toEqual([
      { id: create.id, status: 'rejected', reason: REJECT.idReused },
      { id: reused.id, status: 'rejected', reason: REJECT.seqTaken },
    ]);
  });

  it('a version no column holds is answered per op, never with a server error, and the device goes on', async () => {
    const server = await start();
    const { monitor } = await monitorAndCoordinator(server);
    // Below 32 bits or a fraction: no version, rejected and kept to close the gap. Above: a later
    // version, which the device keeps and sends again after the base is upgraded.
    const odd = [-(2 ** 53 - 1), -(2 ** 31) - 1, 1.5, 2 ** 40].map((v, i) => ({ ...wireOp(A, i + 1, 'create', newId()), v }));
    const answer = await server.sync(monitor, { ops: odd });
    expect(answer.results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'retry']);
    const next = wireOp(A, 4, 'create', newId());
    expect((await server.sync(monitor, { ops: [next] })).results).toEqual([{ id: next.id, status: 'ack' }]);
  });

  it('pages follow the cursor up to the limit, and say when more remain', async () => {
    const server = await start();
    const { monitor, coordinator } = await monitorAndCoordinator(server);
    const report = newId();
    const ops = [wireOp(A, 1, 'create', report), ...[2, 3, 4, 5, 6].map((n) => wireOp(A, n, 'edit', report))];
    await server.sync(monitor, { ops });
    for (const token of [monitor, coordinator]) {
      let cursor = null;
      const seen: string[] = [];
      const pages: boolean[] = [];
      for (;;) {
        const page = await server.sync(token, { cursor, limit: 4, epoch: server.store.epoch });
        seen.push(...ids(page));
        pages.push(page.more);
        cursor = page.cursor;
        if (!page.more) break;
      }
      expect(seen).toEqual(ops.map((o) => o.id));
      expect(pages).toEqual([true, false]);
    }
  });

  it('another epoch is answered with reset and no ops, after the pushed ops were decided', async () => {
    const server = await start();
    const { monitor } = await monitorAndCoordinator(server);
    const create = wireOp(A, 1, 'create', newId());
    // A cursor this store does hold: only the epoch tells the device it synced with another store.
    const { cursor } = await server.sync(monitor, { ops: [create] });
    const edit = wireOp(A, 2, 'edit', create.reportId);
    const answer = await server.sync(monitor, { epoch: 'f'.repeat(32), cursor, ops: [edit] });
    expect(answer).toMatchObject({ epoch: server.store.epoch, reset: true, ops: [], cursor: null, more: true, watermark: 2 });
    expect(answer.results).toEqual([{ id: edit.id, status: 'ack' }]);
    // Pulling again from the start, with the new epoch, brings everything.
    expect(ids(await server.sync(monitor, { epoch: answer.epoch, cursor: null }))).toEqual([create.id, edit.id]);
  });

  it('a store that lost ops a device was told were decided takes a new epoch, and every device pulls again from zero', async () => {
    const server = await start();
    const { monitor, coordinator } = await monitorAndCoordinator(server);
    const other = await server.enrolledBeforeKeys('monitor-b-0001');
    const report = newId();
    const ops = [wireOp(A, 1, 'create', report), wireOp(A, 2, 'edit', report), wireOp(A, 3, 'edit', report)];
    const told = await server.sync(monitor, { ops });
    expect(told.watermark).toBe(3);
    const { cursor: otherCursor, epoch } = await server.sync(other, {});

    // What a restore from a backup taken after the second op looks like: the third is gone, and so is
    // the store's word that it was decided.
    await server.store.db.deleteFrom('ops').where('device_seq', '=', 3).execute();
    await server.store.db.updateTable('device_progress').set({ watermark: 2 }).where('device', '=', A).execute();

    // A monitor's claim about another device changes nothing, even with that device's receipt; nor
    // does a claim the store still meets.
    const shown = { device: A, deviceSeq: 3, receipt: told.receipt! };
    expect((await server.sync(other, { epoch, cursor: otherCursor, known: [shown] })).reset).toBeUndefined();
    expect((await server.sync(monitor, { epoch, cursor: told.cursor, known: [{ ...shown, deviceSeq: 2 }] })).epoch).toBe(epoch);

    const found = await server.sync(monitor, { epoch, cursor: told.cursor, known: [shown] });
    expect(found).toMatchObject({ reset: true, ops: [], cursor: null, watermark: 2 });
    expect(found.epoch).not.toBe(epoch);
    // The monitor that lost nothing hears it too, at its next sync, and pulls again from zero.
    expect(await server.sync(other, { epoch, cursor: otherCursor })).toMatchObject({ epoch: found.epoch, reset: true });
    // Finding the same loss again makes no second new epoch.
    expect((await server.sync(coordinator, { epoch: found.epoch, cursor: null, known: [{ device: A, deviceSeq: 2 }] })).epoch).toBe(
      found.epoch,
    );
  });

  it('only a receipt this base gave in this epoch renews it: no claim of more, no forgery, no old receipt, not twice in 10 minutes', async () => {
    const server = await start();
    const { monitor, coordinator } = await monitorAndCoordinator(server);
    const report = newId();
    const told = await server.sync(monitor, { ops: [wireOp(A, 1, 'create', report), wireOp(A, 2, 'edit', report)] });
    const epoch = told.epoch;
    const renews = async (token: string, known: { device: string; deviceSeq: number; receipt?: string }[]) =>
      (await server.sync(token, { epoch: await currentEpoch(server), cursor: null, known })).reset === true;

    // A monitor claiming more than the base holds of itself (by malice, or by sending its own highest
    // deviceSeq by mistake) resets no one: with no receipt, with its receipt for less, with a made-up one.
    expect(await renews(monitor, [{ device: A, deviceSeq: 9 }])).toBe(false);
    expect(await renews(monitor, [{ device: A, deviceSeq: 9, receipt: told.receipt! }])).toBe(false);
    expect(await renews(monitor, [{ device: A, deviceSeq: 9, receipt: 'A'.repeat(43) }])).toBe(false);
    expect(await renews(monitor, [{ device: A, deviceSeq: 9, receipt: '' }])).toBe(false);
    // A coordinator's receipt for one device is no receipt for another.
    const coordinatorMarks = (await server.sync(coordinator, {})).watermarks!;
    const markOfA = coordinatorMarks.find((w) => w.device === A)!;
    expect(markOfA).toEqual({ device: A, deviceSeq: 2, receipt: told.receipt });
    expect(await renews(coordinator, [{ device: 'monitor-b-0001', deviceSeq: 2, receipt: markOfA.receipt! }])).toBe(false);
    expect(await currentEpoch(server)).toBe(epoch);

    // A real loss, shown with the base's own receipt, renews the epoch once.
    await server.store.db.deleteFrom('ops').where('device_seq', '=', 2).execute();
    await server.store.db.updateTable('device_progress').set({ watermark: 1 }).where('device', '=', A).execute();
    expect(await renews(monitor, [{ device: A, deviceSeq: 2, receipt: told.receipt! }])).toBe(true);
    const second = await currentEpoch(server);
    expect(second).not.toBe(epoch);

    // The old epoch's receipt proves nothing in the new one.
    const again = await server.sync(monitor, { epoch: second, cursor: null, known: [{ device: A, deviceSeq: 2, receipt: told.receipt! }] });
    expect(again.epoch).toBe(second);

    // A second loss, shown within 10 minutes of the renewal, waits; after them it renews.
    await server.sync(monitor, { epoch: second, ops: [wireOp(A, 2, 'edit', report), wireOp(A, 3, 'edit', report)] });
    const mark = await server.sync(monitor, { epoch: second, cursor: null });
    expect(mark.watermark).toBe(3);
    await server.store.db.deleteFrom('ops').where('device_seq', '=', 3).execute();
    await server.store.db.updateTable('device_progress').set({ watermark: 2 }).where('device', '=', A).execute();
    const proof = [{ device: A, deviceSeq: 3, receipt: mark.receipt! }];
    server.clock.now += 10 * 60_000 - 1;
    expect((await server.sync(monitor, { epoch: second, cursor: null, known: proof })).epoch).toBe(second);
    server.clock.now += 1;
    expect((await server.sync(monitor, { epoch: second, cursor: null, known: proof })).epoch).not.toBe(second);
  });

  it('a cursor naming an op the store does not hold at that seq is answered with reset', async () => {
    const server = await start();
    const { monitor } = await monitorAndCoordinator(server);
    const create = wireOp(A, 1, 'create', newId());
    const { cursor } = await server.sync(monitor, { ops: [create] });
    const epoch = server.store.epoch;
    expect((await server.sync(monitor, { epoch, cursor })).reset).toBeUndefined();
    for (const stale of [
      { seq: 1, opId: newId() },
      { seq: 2, opId: create.id },
      { seq: 40, opId: newId() },
    ]) {
      const answer = await server.sync(monitor, { epoch, cursor: stale });
      expect(answer).toMatchObject({ reset: true, ops: [], cursor: null });
    }
  });

  it('malformed ops get their own answers and the rest of the batch goes on', async () => {
    const server = await start();
    const { monitor } = await monitorAndCoordinator(server);
    const good = wireOp(A, 1, 'create', newId());
    const badKind = { ...wireOp(A, 2, 'edit', newId()), kind: 'delete' };
    const noSlot = { ...wireOp(A, 3, 'edit', newId()), id: 'not-a-uuid' };
    const future = { ...wireOp(A, 4, 'create', newId()), v: 3, body: 'c2VhbGVk' };
    const bodyless = { ...wireOp(A, 5, 'create', newId()), body: { changes: {} } };
    const unsigned = { ...wireOp(A, 6, 'create', newId()), sig: null };
    // UUIDs, but not v7: docs/protocol.md names op and report ids v7.
    const v4 = '0b8f8a52-3f5c-4d8e-9a51-7c1f2a3b4c5d';
    const v4Op = { ...wireOp(A, 7, 'create', newId()), id: v4 };
    const v4Report = { ...wireOp(A, 8, 'create', newId()), reportId: v4 };
    const answer = await server.sync(monitor, { ops: [good, badKind, noSlot, 42, future, bodyless, unsigned, v4Op, v4Report, null] });
    expect(answer.results).toEqual([
      { id: good.id, status: 'ack' },
      { id: badKind.id, status: 'rejected', reason: REJECT.badHeader },
      { id: 'not-a-uuid', status: 'rejected', reason: REJECT.badHeader },
      { id: '', status: 'rejected', reason: REJECT.badHeader },
      { id: future.id, status: 'retry', reason: RETRY.unknownVersion },
      { id: bodyless.id, status: 'rejected', reason: REJECT.badHeader },
      { id: unsigned.id, status: 'ack' },
      { id: v4, status: 'rejected', reason: REJECT.badHeader },
      { id: v4Report.id, status: 'rejected', reason: REJECT.badHeader },
      { id: '', status: 'rejected', reason: REJECT.badHeader },
    ]);
    // Rejections with a usable slot close their gaps; the one without a slot (3) and the retry (4) do not.
    expect(answer.watermark).toBe(2);
    expect(ids(answer)).toEqual([good.id, unsigned.id]);
    expect(answer.ops[1]!.op).not.toHaveProperty('sig');
  });

  it("an op's signature travels and comes back as sent", async () => {
    const server = await start();
    const { monitor, coordinator } = await monitorAndCoordinator(server);
    const signed = { ...wireOp(A, 1, 'create', newId()), sig: 'c2lnbmF0dXJl' };
    await server.sync(monitor, { ops: [signed] });
    expect((await server.sync(coordinator, {})).ops[0]!.op).toEqual(signed);
  });

  it('a page of large ops ends early, by bytes, with more to come', async () => {
    const pullBytes = 64 * 1024;
    const server = await start({ pullBytes });
    const { coordinator } = await monitorAndCoordinator(server);
    const big = 'x'.repeat(16 * 1024);
    const count = Math.ceil(pullBytes / big.length) + 2;
    const ops = Array.from({ length: count }, (_, i) => ({ ...wireOp(C, i + 1, 'deployment', `setting${i}`), body: big }));
    for (let i = 0; i < ops.length; i += 8) await server.sync(coordinator, { ops: ops.slice(i, i + 8) });
    const first = await server.sync(coordinator, {});
    expect(first.more).toBe(true);
    expect(first.ops.length).toBeLessThan(count);
    expect(first.cursor).toEqual({ seq: first.ops.at(-1)!.seq, opId: first.ops.at(-1)!.op.id });
    const rest = await server.sync(coordinator, { epoch: first.epoch, cursor: first.cursor });
    expect([...ids(first), ...ids(rest)]).toEqual(ops.map((o) => o.id));
    expect(rest.more).toBe(false);
  });

  it('any JSON a client may send gets a 2xx or 4xx answer, never a 5xx', async () => {
    const server = await start();
    const { monitor, coordinator } = await monitorAndCoordinator(server);
    const header = fc.record(
      {
        v: fc.oneof(fc.constant(1), fc.anything()),
        id: fc.oneof(fc.constant(newId()), fc.uuid(), fc.string()),
        kind: fc.oneof(fc.constantFrom('create', 'edit', 'deployment', 'desk'), fc.anything()),
        reportId: fc.oneof(fc.constant(newId()), fc.string(), fc.anything()),
        device: fc.oneof(fc.constant(A), fc.constant('monitor-b-0002'), fc.string()),
        deviceSeq: fc.oneof(fc.integer({ min: -2, max: 40 }), fc.double(), fc.anything()),
        body: fc.oneof(
          fc.string(),
          anyCodePoints,
          fc.string({ unit: fc.integer({ min: 0xd7f0, max: 0xdfff }).map((c) => String.fromCharCode(c)) }),
          fc.anything(),
        ),
        sig: fc.oneof(fc.string(), fc.anything()),
      },
      { requiredKeys: [] },
    );
    const request = fc.oneof(
      fc.record({
        epoch: fc.oneof(fc.constant(null), fc.string()),
        cursor: fc.oneof(fc.constant(null), fc.record({ seq: fc.nat(), opId: fc.string() })),
        ops: fc.array(fc.oneof(header, fc.anything()), { maxLength: 6 }),
      }),
      fc.anything(),
    );
    await fc.assert(
      fc.asyncProperty(request, fc.boolean(), async (body, asCoordinator) => {
        const res = await server.call('/api/v1/sync', { token: asCoordinator ? coordinator : monitor, json: body });
        expect(res.status).toBeLessThan(500);
        if (res.status === 200) syncResponseSchema.parse(await res.json());
      }),
      // Each run is a real request through the store (an fsync'ed transaction on PostgreSQL): 50 keep
      // the test within the default time on a busy two-core machine.
      { numRuns: 50 },
    );
  });

  it('any JSON sent to enroll gets a 4xx answer, never a 5xx', async () => {
    const server = await start();
    await server.firstCoordinator(C);
    const request = fc.oneof(
      fc.record(
        {
          code: fc.oneof(fc.string(), anyCodePoints, fc.anything()),
          device: fc.oneof(fc.string(), fc.constant(A), fc.anything()),
          keys: fc.anything(),
        },
        { requiredKeys: [] },
      ),
      fc.anything(),
    );
    await fc.assert(
      fc.asyncProperty(request, async (body) => {
        const res = await server.call('/api/v1/enroll', { json: body });
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 100 },
    );
  });
});

describe('reading sync requests', () => {
  const start = useSqliteServer();
  const EMPTY = { epoch: null, cursor: null, ops: [] };

  async function expectError(res: Response, status: number, code: string) {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ error: { code, message: expect.any(String) } });
  }

  it('a gzip-compressed request is read like a plain one', async () => {
    const server = await start();
    const { monitor } = await monitorAndCoordinator(server);
    const create = wireOp(A, 1, 'create', newId());
    const res = await server.call('/api/v1/sync', {
      token: monitor,
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      body: gzipSync(JSON.stringify({ ...EMPTY, ops: [create] })),
    });
    expect(res.status).toBe(200);
    expect((await res.json()).results).toEqual([{ id: create.id, status: 'ack' }]);
  });

  it('a large answer is gzipped for a client that accepts it; a small one is not', async () => {
    const server = await start();
    const { monitor } = await monitorAndCoordinator(server);
    const report = newId();
    await server.sync(monitor, {
      ops: [wireOp(A, 1, 'create', report), ...Array.from({ length: 30 }, (_, i) => wireOp(A, i + 2, 'edit', report))],
    });
    const headers = { 'Accept-Encoding': 'gzip' };
    const large = await server.call('/api/v1/sync', { token: monitor, json: EMPTY, headers });
    expect(large.headers.get('content-encoding')).toBe('gzip');
    expect(large.headers.get('cache-control')).toBe('no-store');
    const inflated = JSON.parse(gunzipSync(Buffer.from(await large.arrayBuffer())).toString('utf8'));
    expect(syncResponseSchema.parse(inflated).ops).toHaveLength(31);

    const small = await server.call('/api/v1/sync', {
      token: monitor,
      json: { ...EMPTY, cursor: inflated.cursor, epoch: inflated.epoch },
      headers,
    });
    expect(small.headers.get('content-encoding')).toBeNull();
    const plain = await server.call('/api/v1/sync', { token: monitor, json: EMPTY });
    expect(plain.headers.get('content-encoding')).toBeNull();
  });

  it('a body of exactly the limit is read, plain or inflated; one byte more is 413', async () => {
    const server = await start();
    const { monitor } = await monitorAndCoordinator(server);
    const json = JSON.stringify(EMPTY);
    const exact = json + ' '.repeat(MAX_REQUEST_BYTES - json.length);
    const over = `${exact} `;
    const post = (body: Buffer | string, gzip: boolean) =>
      server.call('/api/v1/sync', {
        token: monitor,
        headers: { 'Content-Type': 'application/json', ...(gzip ? { 'Content-Encoding': 'gzip' } : {}) },
        body: gzip ? gzipSync(body) : body,
      });
    expect((await post(exact, false)).status).toBe(200);
    await expectError(await post(over, false), 413, 'too_large');
    expect((await post(exact, true)).status).toBe(200);
    await expectError(await post(over, true), 413, 'too_large');
  });

  it('a body over the limit without a Content-Length is cut off at the limit and answered 413', async () => {
    const server = await start();
    const { monitor } = await monitorAndCoordinator(server);
    let sent = 0;
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    // An endless body: the server must stop reading it, or this test never ends.
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const res = await server.app.request('/api/v1/sync', {
      method: 'POST',
      headers: { Authorization: `Bearer ${monitor}`, 'Content-Type': 'application/json' },
      body: endless,
      duplex: 'half',
    } as RequestInit);
    await expectError(res, 413, 'too_large');
    expect(sent).toBeLessThan(MAX_REQUEST_BYTES + 4 * chunk.length);
  });

  it('1 GB of zeros compressed (a gzip bomb) is answered 413 without inflating it', async () => {
    const server = await start();
    const { monitor } = await monitorAndCoordinator(server);
    const bomb = await gzipOfZeros(1024 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(MAX_REQUEST_BYTES);
    const before = process.memoryUsage();
    const res = await server.call('/api/v1/sync', {
      token: monitor,
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      body: bomb,
    });
    await expectError(res, 413, 'too_large');
    // Inflating all of it would take a gigabyte; stopping at the limit takes about the limit.
    expect(process.memoryUsage().arrayBuffers - before.arrayBuffers).toBeLessThan(256 * 1024 * 1024);
  });

  it('a Content-Length over the limit is answered 413 before the body is read', async () => {
    const server = await start();
    const { monitor } = await monitorAndCoordinator(server);
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    const res = await server.app.request('/api/v1/sync', {
      method: 'POST',
      headers: { Authorization: `Bearer ${monitor}`, 'Content-Type': 'application/json', 'Content-Length': String(MAX_REQUEST_BYTES + 1) },
      body,
      duplex: 'half',
    } as RequestInit);
    await expectError(res, 413, 'too_large');
    expect(pulled).toBeLessThanOrEqual(1);
  });

  const JSON_TYPE = { 'Content-Type': 'application/json' };
  const GZIP_JSON = { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' };
  const deep = `{"epoch":null,"cursor":null,"ops":[${'['.repeat(100_000)}${']'.repeat(100_000)}]}`;
  it.each([
    { what: 'malformed JSON', headers: JSON_TYPE, body: '{"epoch": null,', status: 400, code: 'bad_json' },
    { what: 'JSON that is not UTF-8', headers: JSON_TYPE, body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), status: 400, code: 'bad_json' },
    { what: 'an empty body', headers: JSON_TYPE, body: '', status: 400, code: 'bad_json' },
    {
      what: 'a negative cursor',
      headers: JSON_TYPE,
      body: '{"epoch":null,"cursor":{"seq":-1,"opId":"x"},"ops":[]}',
      status: 400,
      code: 'bad_request',
    },
    {
      what: 'a limit over the batch size',
      headers: JSON_TYPE,
      body: JSON.stringify({ ...EMPTY, limit: MAX_BATCH + 1 }),
      status: 400,
      code: 'bad_request',
    },
    {
      what: 'more ops than a batch',
      headers: JSON_TYPE,
      body: JSON.stringify({ ...EMPTY, ops: Array(MAX_BATCH + 1).fill(0) }),
      status: 400,
      code: 'bad_request',
    },
    { what: 'an array', headers: JSON_TYPE, body: '[]', status: 400, code: 'bad_request' },
    { what: 'gzip that is not gzip', headers: GZIP_JSON, body: '{"epoch":null}', status: 400, code: 'bad_gzip' },
    { what: 'truncated gzip', headers: GZIP_JSON, body: gzipSync(JSON.stringify(EMPTY)).subarray(0, 12), status: 400, code: 'bad_gzip' },
    { what: 'no content type', headers: {}, body: JSON.stringify(EMPTY), status: 415, code: 'unsupported_media_type' },
    {
      what: 'a form',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'epoch=',
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      what: 'brotli',
      headers: { ...JSON_TYPE, 'Content-Encoding': 'br' },
      body: JSON.stringify(EMPTY),
      status: 415,
      code: 'unsupported_encoding',
    },
    {
      what: 'gzip twice',
      headers: { ...JSON_TYPE, 'Content-Encoding': 'gzip, gzip' },
      body: JSON.stringify(EMPTY),
      status: 415,
      code: 'unsupported_encoding',
    },
  ])('$what is answered $status $code', async ({ headers, body, status, code }) => {
    const server = await start();
    const { monitor } = await monitorAndCoordinator(server);
    await expectError(await server.call('/api/v1/sync', { token: monitor, headers, body }), status, code);
  });

  it('an op nested 100,000 arrays deep is one malformed op, answered as such', async () => {
    const server = await start();
    const { monitor } = await monitorAndCoordinator(server);
    const res = await server.call('/api/v1/sync', { token: monitor, headers: JSON_TYPE, body: deep });
    expect(res.status).toBe(200);
    expect((await res.json()).results).toEqual([{ id: '', status: 'rejected', reason: REJECT.badHeader }]);
  });

  it('a charset in the content type is fine', async () => {
    const server = await start();
    const { monitor } = await monitorAndCoordinator(server);
    const res = await server.call('/api/v1/sync', {
      token: monitor,
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify(EMPTY),
    });
    expect(res.status).toBe(200);
  });

  it('unknown routes and methods under /api are JSON 404s', async () => {
    const server = await start();
    const { monitor } = await monitorAndCoordinator(server);
    for (const [method, path] of [
      ['GET', '/api/v1/sync'],
      ['POST', '/api/v1/syncs'],
      ['GET', '/api/v1/enroll'],
      ['DELETE', '/api/v1/devices'],
    ]) {
      await expectError(await server.call(path!, { method, token: monitor }), 404, 'not_found');
    }
  });
});
