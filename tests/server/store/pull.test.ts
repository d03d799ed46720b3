/**
 * Pulling ops: sequence order, pages, who sees what, reset on a cursor the store does not hold
 * (both dialects); and, on PostgreSQL, a cursor that never skips an op under concurrent writers,
 * tested deterministically with a writer held open on one connection.
 */
import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../src/server/store/open.ts';
import { pullOps, type PullResult } from '../../../src/server/store/pull.ts';
import { pushOps, type PushAnswer } from '../../../src/server/store/push.ts';
import type { Caller, PushedOp } from '../../../src/server/store/rules.ts';
import type { Database } from '../../../src/server/store/schema.ts';
import type { ServedOp } from '../../../src/domain/op/wire.ts';
import { COORDINATOR, forEachDialect, MONITOR_A, MONITOR_B, newId, op, postgresCluster } from './dialects.ts';
import { deviceId } from '../../ids.ts';

const monitorA: Caller = { device: MONITOR_A, role: 'monitor' };
const monitorB: Caller = { device: MONITOR_B, role: 'monitor' };
const coordinator: Caller = { device: COORDINATOR, role: 'coordinator' };
const NOW = Date.UTC(2025, 5, 1, 12);

const push = (store: Store, caller: Caller, ops: PushedOp[], now = NOW) => pushOps(store.db, { caller, ops, now });

/** A served op pushed again as a relay sends it: its header apart, as the base takes it. */
function relayed({ op }: ServedOp): PushedOp {
  const { body, sig, osig, ...header } = op;
  return { header, body, ...(sig !== undefined && { sig }), ...(osig !== undefined && { osig }) };
}

function served(result: PullResult) {
  if (result.reset) throw new Error('unexpected reset');
  return result;
}

/** Two monitors' reports, a coordinator's edit on one, deployment and desk ops, and a rejected op. */
async function seedDeployment(store: Store) {
  const reportA = newId();
  const reportB = newId();
  const ops = {
    createA: op(MONITOR_A, 1, 'create', reportA),
    createB: op(MONITOR_B, 1, 'create', reportB),
    roster: op(COORDINATOR, 1, 'deployment', 'roster'),
    partners: op(COORDINATOR, 2, 'desk', 'partners'),
    verifyA: op(COORDINATOR, 3, 'edit', reportA),
    editB: op(MONITOR_B, 2, 'edit', reportB),
    rejected: op(MONITOR_A, 2, 'deployment', 'gazetteer'),
  };
  await push(store, monitorA, [ops.createA]);
  await push(store, monitorB, [ops.createB]);
  await push(store, coordinator, [ops.roster, ops.partners, ops.verifyA]);
  await push(store, monitorB, [ops.editB]);
  expect(await push(store, monitorA, [ops.rejected])).toMatchObject([{ status: 'rejected' }]);
  return ops;
}

const ids = (result: PullResult) => served(result).ops.map((o) => o.op.id);

forEachDialect('pulling ops', ({ open }) => {
  it('a coordinator pulls every op but rejected ones, in sequence order, with seq and received time', async () => {
    const store = await open();
    const s = await seedDeployment(store);
    const result = served(await pullOps(store.db, { caller: coordinator, after: null, limit: 100 }));
    expect(result.ops.map((o) => o.op.id)).toEqual(
      [s.createA, s.createB, s.roster, s.partners, s.verifyA, s.editB].map((o) => o.header.id),
    );
    expect(result.ops.map((o) => o.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(result.ops.every((o) => o.receivedAt === NOW)).toBe(true);
    expect(result.more).toBe(false);
    expect(result.cursor).toEqual({ seq: 6, opId: s.editB.header.id });
  });

  it("a monitor pulls the ops on reports it created, coordinators' edits on them, and every deployment op; never desk ops nor others' reports", async () => {
    const store = await open();
    const s = await seedDeployment(store);
    expect(ids(await pullOps(store.db, { caller: monitorA, after: null, limit: 100 }))).toEqual(
      [s.createA, s.roster, s.verifyA].map((o) => o.header.id),
    );
    expect(ids(await pullOps(store.db, { caller: monitorB, after: null, limit: 100 }))).toEqual(
      [s.createB, s.roster, s.editB].map((o) => o.header.id),
    );
  });

  it('a monitor that has written nothing sees only deployment ops', async () => {
    const store = await open();
    const s = await seedDeployment(store);
    const fresh: Caller = { device: deviceId('monitor-c-0003'), role: 'monitor' };
    expect(ids(await pullOps(store.db, { caller: fresh, after: null, limit: 100 }))).toEqual([s.roster.header.id]);
  });

  it('a pulled op comes back exactly as pushed, so it can be relayed unchanged', async () => {
    const store = await open();
    const report = newId();
    const create = op(MONITOR_A, 1, 'create', report, { body: '{"changes":{"narrative":"نص"}}', sig: 'c2lnbmF0dXJl' });
    const bare = op(MONITOR_A, 2, 'edit', report);
    await push(store, monitorA, [create, bare]);
    const [first, second] = served(await pullOps(store.db, { caller: coordinator, after: null, limit: 10 })).ops;
    expect(first).toEqual({ seq: 1, receivedAt: NOW, op: { ...create.header, body: create.body, sig: create.sig } });
    expect(second).toEqual({ seq: 2, receivedAt: NOW, op: { ...bare.header, body: bare.body } });
    expect('sig' in second!.op).toBe(false);
    const again = await push(store, coordinator, [first!, second!].map(relayed));
    expect(again.map((a) => a.status)).toEqual(['ack', 'ack']);
  });

  it('pages follow the cursor and say whether more ops wait', async () => {
    const store = await open();
    const report = newId();
    const ops = [op(MONITOR_A, 1, 'create', report), ...[2, 3, 4, 5].map((n) => op(MONITOR_A, n, 'edit', report))];
    await push(store, monitorA, ops);
    for (const caller of [coordinator, monitorA]) {
      const page1 = served(await pullOps(store.db, { caller, after: null, limit: 2 }));
      expect(page1.ops.map((o) => o.seq)).toEqual([1, 2]);
      expect(page1.more).toBe(true);
      const page2 = served(await pullOps(store.db, { caller, after: page1.cursor, limit: 2 }));
      expect(page2.ops.map((o) => o.seq)).toEqual([3, 4]);
      expect(page2.more).toBe(true);
      const page3 = served(await pullOps(store.db, { caller, after: page2.cursor, limit: 2 }));
      expect(page3.ops.map((o) => o.seq)).toEqual([5]);
      expect(page3.more).toBe(false);
      const empty = served(await pullOps(store.db, { caller, after: page3.cursor, limit: 2 }));
      expect(empty).toEqual({ ops: [], cursor: page3.cursor, more: false });
    }
  });

  it('an empty store answers an empty page with no cursor', async () => {
    const store = await open();
    expect(await pullOps(store.db, { caller: coordinator, after: null, limit: 10 })).toEqual({ ops: [], cursor: null, more: false });
  });

  it('a cursor whose op id is not held at that seq is answered with reset', async () => {
    const store = await open();
    const s = await seedDeployment(store);
    const good = { seq: 1, opId: s.createA.header.id };
    expect(served(await pullOps(store.db, { caller: coordinator, after: good, limit: 10 })).ops).toHaveLength(5);
    expect(await pullOps(store.db, { caller: coordinator, after: { seq: 1, opId: s.createB.header.id }, limit: 10 })).toEqual({
      reset: true,
    });
    expect(await pullOps(store.db, { caller: monitorA, after: { seq: 2, opId: newId() }, limit: 10 })).toEqual({ reset: true });
  });

  it('a cursor beyond the last op held (a restore from an older backup) is answered with reset', async () => {
    const store = await open();
    await seedDeployment(store);
    expect(await pullOps(store.db, { caller: coordinator, after: { seq: 99, opId: newId() }, limit: 10 })).toEqual({ reset: true });
  });

  it('a cursor naming a rejected op is answered with reset, since rejected ops are never served', async () => {
    const store = await open();
    const s = await seedDeployment(store);
    expect(await pullOps(store.db, { caller: coordinator, after: { seq: 7, opId: s.rejected.header.id }, limit: 10 })).toEqual({
      reset: true,
    });
  });
});

/** Sessions of this database waiting for a lock held by another transaction. */
async function sessionsWaitingOnLocks(db: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`
    select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(db);
  return Number(rows[0]!.n);
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('a pull cursor under concurrent writers (postgres)', () => {
  const opened: Store[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  it('a pull never passes an op whose transaction is still open, and the next pull after its commit includes it', async () => {
    const url = await (await postgresCluster()).createDatabase();
    // Three server processes on one database: two writers and a reader.
    const [writer1, writer2, reader] = await Promise.all([1, 2, 3].map(() => openStore({ databaseUrl: url })));
    opened.push(writer1!, writer2!, reader!);

    const first = op(MONITOR_A, 1, 'create', newId());
    await pushOps(reader!.db, { caller: monitorA, ops: [first], now: NOW });
    const start = served(await pullOps(reader!.db, { caller: coordinator, after: null, limit: 100 }));
    expect(start.cursor).toEqual({ seq: 1, opId: first.header.id });

    // Transaction 1 inserts and stays open.
    const opA = op(MONITOR_A, 2, 'create', newId());
    const trx1 = await writer1!.db.startTransaction().execute();
    try {
      expect(await pushOps(trx1, { caller: monitorA, ops: [opA], now: NOW })).toEqual([{ id: opA.header.id, status: 'ack' }]);

      // Transaction 2 starts on another connection; it must not commit ahead of transaction 1.
      const opB = op(MONITOR_B, 1, 'create', newId());
      let push2Settled = false;
      const push2: Promise<PushAnswer[]> = pushOps(writer2!.db, { caller: monitorB, ops: [opB], now: NOW }).finally(() => {
        push2Settled = true;
      });
      await until(async () => push2Settled || (await sessionsWaitingOnLocks(reader!.db)) > 0, 'transaction 2 waits or finishes');
      expect(push2Settled).toBe(false);

      const during = served(await pullOps(reader!.db, { caller: coordinator, after: start.cursor, limit: 100 }));
      expect(during.ops).toEqual([]);
      expect(during.cursor).toEqual(start.cursor);

      await trx1.commit().execute();
      expect(await push2).toEqual([{ id: opB.header.id, status: 'ack' }]);

      const next = served(await pullOps(reader!.db, { caller: coordinator, after: during.cursor, limit: 100 }));
      expect(next.ops.map((o) => [o.seq, o.op.id])).toEqual([
        [2, opA.header.id],
        [3, opB.header.id],
      ]);
    } finally {
      if (!trx1.isCommitted && !trx1.isRolledBack) await trx1.rollback().execute();
    }
  });

  it('many concurrent pushes from several processes get distinct, gap-free sequence numbers', async () => {
    const url = await (await postgresCluster()).createDatabase();
    const stores = await Promise.all([1, 2, 3].map(() => openStore({ databaseUrl: url, maxConnections: 4 })));
    opened.push(...stores);
    const devices = Array.from({ length: 12 }, (_, i) => deviceId(`concurrent-${String(i).padStart(2, '0')}`));
    const answers = await Promise.all(
      devices.map((device, i) =>
        pushOps(stores[i % stores.length]!.db, {
          caller: { device, role: 'monitor' },
          ops: Array.from({ length: 20 }, (_, n) => op(device, n + 1, 'create', newId())),
          now: NOW,
        }),
      ),
    );
    expect(answers.flat().every((a) => a.status === 'ack')).toBe(true);
    const seqs = (await stores[0]!.db.selectFrom('ops').select('seq').orderBy('seq').execute()).map((r) => r.seq);
    expect(seqs).toEqual(Array.from({ length: 240 }, (_, i) => i + 1));
    // Each batch got one run of consecutive numbers: writers did not interleave.
    const rows = await stores[0]!.db.selectFrom('ops').select(['seq', 'device']).orderBy('seq').execute();
    for (let i = 0; i < rows.length; i += 20) expect(new Set(rows.slice(i, i + 20).map((r) => r.device)).size).toBe(1);
  });
});
