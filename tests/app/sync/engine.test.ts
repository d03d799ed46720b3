// Must come first: Dexie looks for IndexedDB when it is first imported.
import 'fake-indexeddb/auto';
import { describe, expect, test } from 'vitest';
import { createReport, editReport, deleteReport } from '../../../src/app/store/reports.ts';
import { writeOp } from '../../../src/app/store/write-op.ts';
import { addToRoster } from '../../../src/app/sync/deployment-settings.ts';
import { runSync } from '../../../src/app/sync/engine.ts';
import { httpTransport, SYNC_ERRORS, type Fetch } from '../../../src/app/sync/transport.ts';
import { MAX_BATCH } from '../../../src/domain/op/sync.ts';
import { canonicalJson } from '../../../src/domain/canonical-json.ts';
import { mergeOps, viewOf } from '../../../src/domain/merge.ts';
import { authorityOf, GAZETTEER_ID, ROSTER_ID, rosterOf } from '../../../src/domain/roster.ts';
import { damageReport, displacementReport } from '../store/store-fixtures.ts';
import { type Device, liveOpIds, ORIGIN, startBase, syncDevice, trackDeployments } from './sync-fixtures.ts';
import type { ReportId } from '../../../src/domain/ids.ts';

const deployments = trackDeployments();

async function deployment() {
  const base = await deployments.base();
  const coordinator = await deployments.device(base, 'coord', 'coordinator');
  const monitor = await deployments.device(base, 'monitor', 'monitor', coordinator);
  await addToRoster(coordinator.writer, [
    { device: coordinator.device, role: 'coordinator' },
    { device: monitor.device, role: 'monitor' },
  ]);
  await syncDevice(coordinator);
  return { base, coordinator, monitor };
}

async function view(d: Device, id: ReportId) {
  const row = await d.db.reports.get(id);
  return row && viewOf(row.state);
}

describe('pushing and pulling through the real base', () => {
  test("a monitor's report reaches the coordinator, and the monitor's outbox empties without rewriting its ops", async () => {
    const { monitor, coordinator } = await deployment();
    const id = await createReport(monitor.writer, damageReport);
    await editReport(monitor.writer, id, { structures: 9 });
    const before = await monitor.db.ops.toArray();

    const out = await syncDevice(monitor);
    expect(out).toMatchObject({ sent: 2, rejected: [], deferred: 0 });
    expect(await monitor.db.getMeta('watermark')).toBe(2);
    // The roster came whole; the monitor's own ops came in brief, and took their seq and time at the base.
    expect(out.received).toBe(1);
    const placed = (await monitor.db.ops.toArray()).filter((o) => o.device === monitor.device);
    expect(placed.map((o) => typeof o.seq === 'number' && typeof o.receivedAt === 'number')).toEqual([true, true]);

    await syncDevice(coordinator);
    expect((await view(coordinator, id))?.values.structures).toBe(9);
    expect(await liveOpIds(coordinator)).toEqual(expect.arrayContaining(before.map((o) => o.id)));

    // Nothing left to send: the next sync pushes nothing.
    const again = await syncDevice(monitor);
    expect(again).toMatchObject({ sent: 0, received: 0 });
    const after = (await monitor.db.ops.toArray()).filter((o) => o.device === monitor.device);
    expect(after.map(({ seq: _s, receivedAt: _r, ...op }) => op)).toEqual(before);
  });

  test("a device's own ops come back in brief, and one it no longer holds comes again whole", async () => {
    const { monitor, coordinator } = await deployment();
    const first = await createReport(monitor.writer, damageReport);
    await createReport(monitor.writer, displacementReport);
    const seen: { ownInBrief: boolean | undefined; whole: string[]; brief: string[] }[] = [];
    const watched = {
      ...monitor.sync,
      transport: async (request: Parameters<typeof monitor.sync.transport>[0]) => {
        const response = await monitor.sync.transport(request);
        seen.push({
          ownInBrief: request.ownInBrief,
          whole: response.ops.filter((s) => s.op.device === monitor.device).map((s) => s.op.kind),
          brief: (response.own ?? []).map((o) => o.id),
        });
        return response;
      },
    };
    await runSync(watched);
    const own = (await monitor.db.ops.toArray()).filter((o) => o.device === monitor.device);
    // The pull carried none of the monitor's reports back: only where the base put them.
    expect(seen.flatMap((s) => s.whole)).toEqual([]);
    expect(seen.flatMap((s) => s.brief).sort()).toEqual(own.map((o) => o.id).sort());
    expect(own.every((o) => typeof o.seq === 'number')).toBe(true);

    // A coordinator's edit of the monitor's report still comes whole.
    await syncDevice(coordinator);
    await editReport(coordinator.writer, first, { structures: 4 });
    await syncDevice(coordinator);
    // The monitor's store loses one of its own ops and pulls from the start.
    const lost = own.find((o) => o.reportId === first)!;
    await monitor.db.ops.delete(lost.id);
    await monitor.db.setMeta('cursor', null);
    seen.length = 0;
    await runSync(watched);
    expect(seen.map((s) => s.ownInBrief)).toContain(false);
    expect(seen.flatMap((s) => s.whole)).toContain('create');
    const back = await monitor.db.ops.get(lost.id);
    expect(back).toMatchObject({ id: lost.id, seq: lost.seq, deviceSeq: lost.deviceSeq });
    expect((await view(monitor, first))?.values.structures).toBe(4);
  });

  test('an entry in brief that does not match what this device wrote there moves nothing', async () => {
    const { monitor, coordinator } = await deployment();
    await createReport(monitor.writer, damageReport);
    await syncDevice(monitor);
    const [mine] = (await monitor.db.ops.toArray()).filter((o) => o.device === monitor.device);
    await createReport(coordinator.writer, displacementReport);
    await syncDevice(coordinator);
    const [theirs] = (await coordinator.db.ops.toArray()).filter((o) => o.device === coordinator.device && o.kind === 'create');
    await monitor.db.ops.put({ ...theirs! });
    // A base that names the monitor's op at another deviceSeq, and another device's op as the monitor's own.
    await runSync({
      ...monitor.sync,
      transport: async (request) => ({
        ...(await monitor.sync.transport(request)),
        own: [
          { seq: 90, receivedAt: 1, id: mine!.id, deviceSeq: mine!.deviceSeq + 1 },
          { seq: 91, receivedAt: 1, id: theirs!.id, deviceSeq: theirs!.deviceSeq },
        ],
      }),
    });
    expect(await monitor.db.ops.get(mine!.id)).toMatchObject({ seq: mine!.seq, receivedAt: mine!.receivedAt });
    expect(await monitor.db.ops.get(theirs!.id)).toMatchObject({ seq: theirs!.seq, receivedAt: theirs!.receivedAt });
  });

  test('a pull of several pages asks for each next page while the last is taken in, and ends holding every report', async () => {
    const { monitor, coordinator } = await deployment();
    const reports = 2 * MAX_BATCH + 10;
    for (let i = 0; i < reports; i++) await createReport(monitor.writer, { ...damageReport, structures: i });
    await syncDevice(monitor);
    const asked: { held: number; pulledBefore: number }[] = [];
    let pulled = 0;
    const out = await runSync({
      ...coordinator.sync,
      transport: async (request) => {
        asked.push({ held: await coordinator.db.reports.count(), pulledBefore: pulled });
        const response = await coordinator.sync.transport(request);
        pulled += response.ops.filter((s) => s.op.kind === 'create').length;
        return response;
      },
    });
    expect(out.received).toBeGreaterThanOrEqual(reports);
    expect(await coordinator.db.reports.count()).toBe(reports);
    // Some page was asked for before the one answered before it was held.
    expect(asked.some((a) => a.held < a.pulledBefore)).toBe(true);
  }, 120_000);

  test('the request is gzip-compressed and carries the token only in the Authorization header', async () => {
    const { base, monitor } = await deployment();
    const seen: { url: string; headers: Record<string, string> }[] = [];
    const spy: Fetch = (url, init) => {
      seen.push({ url, headers: init.headers as Record<string, string> });
      return base.fetch(url, init);
    };
    await createReport(monitor.writer, damageReport);
    await runSync({ ...monitor.sync, transport: httpTransport({ origin: ORIGIN, token: monitor.token, fetch: spy }) });
    expect(seen[0]!.headers).toMatchObject({ 'Content-Encoding': 'gzip', Authorization: `Bearer ${monitor.token}` });
    expect(seen.every((s) => !s.url.includes(monitor.token))).toBe(true);
  });

  test('edits of different fields merge; edits of the same field become a conflict the coordinator resolves', async () => {
    const { monitor, coordinator } = await deployment();
    const id = await createReport(monitor.writer, damageReport);
    await syncDevice(monitor);
    await syncDevice(coordinator);

    await editReport(monitor.writer, id, { structures: 8, narrative: 'رواية المراقب' });
    await editReport(coordinator.writer, id, { damageLevel: 'severe', narrative: 'رواية المنسق' });
    await syncDevice(monitor);
    await syncDevice(coordinator);
    await syncDevice(monitor);

    for (const d of [monitor, coordinator]) {
      const v = (await view(d, id))!;
      expect(v.values.structures).toBe(8);
      expect(v.values.damageLevel).toBe('severe');
      expect(v.conflicts).toEqual(['narrative']);
      expect((await d.db.reports.get(id))!.hasConflict).toBe(1);
    }
    expect(await coordinator.db.reports.where('hasConflict').equals(1).primaryKeys()).toEqual([id]);

    // The coordinator's choice supersedes both heads.
    await editReport(coordinator.writer, id, { narrative: 'رواية المراقب' });
    await syncDevice(coordinator);
    await syncDevice(monitor);
    for (const d of [monitor, coordinator]) {
      const row = (await d.db.reports.get(id))!;
      expect(viewOf(row.state).conflicts).toEqual([]);
      expect(viewOf(row.state).values.narrative).toBe('رواية المراقب');
      expect(row.hasConflict).toBeUndefined();
    }
  });

  test('a delete that crossed an edit is a conflict on both devices', async () => {
    const { monitor, coordinator } = await deployment();
    const id = await createReport(monitor.writer, damageReport);
    await syncDevice(monitor);
    await syncDevice(coordinator);
    await deleteReport(monitor.writer, id);
    await editReport(coordinator.writer, id, { structures: 3 });
    await syncDevice(monitor);
    await syncDevice(coordinator);
    await syncDevice(monitor);
    for (const d of [monitor, coordinator]) expect((await view(d, id))!.conflicts).toContain('deleted');
  });
});

describe('what the base refuses, and what cannot be read', () => {
  test("an op the base rejected is marked with its reason and leaves the author's merged state", async () => {
    const { monitor } = await deployment();
    const id = await createReport(monitor.writer, damageReport);
    // A monitor may not write deployment settings: the base rejects it for good.
    await writeOp(monitor.writer, GAZETTEER_ID, (_s, hlc) => ({
      kind: 'deployment',
      body: { hlc, changes: { gazetteer: { name: 'x', units: [] } }, supersedes: {} },
    }));
    const out = await syncDevice(monitor);
    expect(out.rejected).toEqual([{ id: expect.any(String), reason: 'err.op.coordinatorOnly' }]);
    const rejected = (await monitor.db.ops.toArray()).filter((o) => o.rejected);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ reportId: 'gazetteer', rejected: 'err.op.coordinatorOnly' });
    expect(await monitor.db.settings.get(GAZETTEER_ID)).toBeUndefined();
    expect(await monitor.db.reports.get(id)).toBeDefined();
    // Decided: not pushed again.
    expect((await syncDevice(monitor)).sent).toBe(0);
  });

  test('an op that cannot be read goes to quarantine and the ops behind it still arrive', async () => {
    const { base, monitor, coordinator } = await deployment();
    const push = (ops: unknown[]) =>
      httpTransport({ origin: ORIGIN, token: coordinator.token, fetch: base.fetch })({ epoch: null, cursor: null, ops, limit: 1 });
    const seq = (await coordinator.db.ops
      .where('[device+deviceSeq]')
      .between([coordinator.device, 0], [coordinator.device, Infinity])
      .last())!.deviceSeq;
    const header = (n: number, id: string) => ({
      v: 1,
      id,
      kind: 'deployment',
      reportId: 'notes',
      device: coordinator.device,
      deviceSeq: seq + n,
    });
    const answer = await push([
      { ...header(1, '0193a1b2-c3d4-7e5f-8a9b-000000000001'), body: 'not json' },
      { ...header(2, '0193a1b2-c3d4-7e5f-8a9b-000000000002'), body: canonicalJson({ hlc: 'yesterday', changes: {}, supersedes: {} }) },
    ]);
    expect(answer.results.map((r) => r.status)).toEqual(['ack', 'ack']);
    const id = await createReport(monitor.writer, displacementReport);

    await syncDevice(monitor);
    const quarantined = await monitor.db.quarantine.toArray();
    expect(quarantined.map((q) => [q.id.slice(-1), q.reason])).toEqual([
      ['1', 'quarantine.badJson'],
      ['2', 'quarantine.badBody'],
    ]);
    expect(quarantined[0]!.seq).toBeGreaterThan(0);
    expect(await monitor.db.reports.get(id)).toBeDefined();
    expect(await monitor.db.getMeta('cursor')).toMatchObject({ opId: expect.any(String) });
  });

  test('a revoked device hears it as unauthorized and keeps its ops', async () => {
    const { base, monitor, coordinator } = await deployment();
    await createReport(monitor.writer, damageReport);
    const res = await base.fetch(`${ORIGIN}/api/v1/devices/${monitor.device}/revoke`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${coordinator.token}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(200);
    await expect(syncDevice(monitor)).rejects.toMatchObject({ code: SYNC_ERRORS.unauthorized, transient: false });
    expect(await monitor.db.ops.count()).toBe(1);
  });
});

describe('the roster decides who may set coordinator-only fields', () => {
  test("a monitor's verification is ignored everywhere; a coordinator's counts once the roster names it", async () => {
    const { monitor, coordinator } = await deployment();
    const id = await createReport(monitor.writer, damageReport);
    await editReport(monitor.writer, id, { verification: 'verified' });
    await syncDevice(monitor);
    await syncDevice(coordinator);
    for (const d of [monitor, coordinator]) {
      const row = (await d.db.reports.get(id))!;
      expect(viewOf(row.state).values.verification).toBeUndefined();
      expect(row.state.ignored).toHaveLength(1);
    }
    await editReport(coordinator.writer, id, { verification: 'disputed' });
    await syncDevice(coordinator);
    await syncDevice(monitor);
    for (const d of [monitor, coordinator]) expect((await view(d, id))!.values.verification).toBe('disputed');
  });

  test('when the roster names a coordinator later, the reports it touched are merged again', async () => {
    const base = await deployments.base();
    const first = await deployments.device(base, 'coord', 'coordinator');
    const second = await deployments.device(base, 'coord2', 'coordinator', first);
    await addToRoster(first.writer, [{ device: first.device, role: 'coordinator' }]);
    const id = await createReport(second.writer, damageReport);
    await editReport(second.writer, id, { verification: 'verified' });
    await syncDevice(second);
    await syncDevice(first);
    expect((await view(first, id))!.values.verification).toBeUndefined();

    // Merged again at once where the roster was written, and at the next sync elsewhere.
    await addToRoster(first.writer, [{ device: second.device, role: 'coordinator' }]);
    expect((await view(first, id))!.values.verification).toBe('verified');
    expect((await view(second, id))!.values.verification).toBeUndefined();
    await syncDevice(first);
    await syncDevice(second);
    for (const d of [first, second]) expect((await view(d, id))!.values.verification).toBe('verified');
    expect(rosterOf((await second.db.settings.get(ROSTER_ID))!.state).get(second.device)).toBe('coordinator');
  });
});

describe('a base that lost ops', () => {
  test('restored from an older copy, the base is answered reset and rebuilt by the devices, even from a phone that is gone', async () => {
    const { readFile, writeFile } = await import('node:fs/promises');
    const { tempDataDir, enrollDevice: enroll } = await import('./sync-fixtures.ts');
    const dir = tempDataDir('restore');
    let base = await startBase({ dataDir: dir });
    const fetch: Fetch = (url, init) => base.fetch(url, init);
    const coordinator = await enroll(base, 'coord', 'coordinator', undefined, fetch);
    const monitor = await enroll(base, 'monitor', 'monitor', coordinator, fetch);
    const gone = await enroll(base, 'gone', 'monitor', coordinator, fetch);
    await addToRoster(coordinator.writer, [{ device: coordinator.device, role: 'coordinator' }]);
    await syncDevice(coordinator);
    // The backup: a copy of the file while the server is stopped.
    await base.close();
    const file = `${dir}/rasid.sqlite`;
    const backup = await readFile(file);
    base = await startBase({ dataDir: dir });

    const a = await createReport(monitor.writer, damageReport);
    const b = await createReport(gone.writer, displacementReport);
    await editReport(gone.writer, b, { households: 43 });
    await syncDevice(monitor);
    await syncDevice(gone);
    await syncDevice(coordinator);
    expect(await monitor.db.getMeta('watermark')).toBe(1);

    // Restore the old copy; the phone `gone` is never seen again.
    await base.close();
    await writeFile(file, backup);
    base = await startBase({ dataDir: dir });
    const out = await syncDevice(monitor);
    expect(out.reset).toBe(true);
    expect(await monitor.db.getMeta('watermark')).toBe(1);
    await syncDevice(coordinator);
    await syncDevice(monitor);

    const held = new Set(
      (await base.store.db.selectFrom('ops').select(['id', 'status']).execute()).filter((r) => r.status === 'ok').map((r) => r.id),
    );
    for (const id of await liveOpIds(gone)) expect(held.has(id)).toBe(true);
    for (const id of await liveOpIds(monitor)) expect(held.has(id)).toBe(true);
    expect((await view(coordinator, b))!.values.households).toBe(43);
    expect((await view(monitor, a))!.type).toBe('damage');
    await base.close();
    for (const d of [coordinator, monitor, gone]) await d.db.delete();
  });
});

describe('a base that lost ops, seen by one device alone', () => {
  test("a device's receipt renews the epoch, so a phone whose cursor still looks valid pulls again and misses nothing", async () => {
    const { readFile, writeFile } = await import('node:fs/promises');
    const { tempDataDir, enrollDevice: enroll } = await import('./sync-fixtures.ts');
    const dir = tempDataDir('receipt');
    let base = await startBase({ dataDir: dir });
    const fetch: Fetch = (url, init) => base.fetch(url, init);
    const desk = await enroll(base, 'desk', 'coordinator', undefined, fetch);
    const second = await enroll(base, 'second', 'coordinator', desk, fetch);
    const phone = await enroll(base, 'phone', 'monitor', desk, fetch);
    const gone = await enroll(base, 'gone', 'monitor', desk, fetch);
    await addToRoster(desk.writer, [
      { device: desk.device, role: 'coordinator' },
      { device: second.device, role: 'coordinator' },
    ]);
    for (const d of [desk, second, phone]) await syncDevice(d);
    await base.close();
    const file = `${dir}/rasid.sqlite`;
    const backup = await readFile(file);
    base = await startBase({ dataDir: dir });

    const gazetteer = (d: Device, name: string) =>
      writeOp(d.writer, GAZETTEER_ID, (_s, hlc) => ({
        kind: 'deployment',
        body: { hlc, changes: { gazetteer: { name, units: [] } }, supersedes: {} },
      }));
    // After the backup: a report of a phone never seen again, then a gazetteer the phone pulls.
    await createReport(gone.writer, displacementReport);
    await syncDevice(gone);
    await gazetteer(desk, 'first');
    for (const d of [desk, phone, second]) await syncDevice(d);

    // The old copy comes back. The second desk's new gazetteer takes the first freed place in the log,
    // and the desk's first gazetteer lands again just where the phone's cursor says it was: the
    // phone's cursor still looks valid. Only the desks can tell the base it lost ops (the report of
    // the phone that is gone), and only with the base's receipts.
    await base.close();
    await writeFile(file, backup);
    base = await startBase({ dataDir: dir });
    const { op: missed } = await gazetteer(second, 'second');
    await syncDevice(second);
    await syncDevice(desk);

    const out = await syncDevice(phone);
    expect(out.reset).toBe(true);
    expect((await phone.db.ops.get(missed.id))?.seq).toBeDefined();
    await base.close();
    for (const d of [desk, second, phone, gone]) await d.db.delete();
  });
});

describe('the clock', () => {
  test('a device clock more than five minutes off is reported at each sync; op times are kept as written', async () => {
    const { monitor } = await deployment();
    monitor.writer.clock.ms += 20 * 60 * 1000;
    await createReport(monitor.writer, damageReport);
    const hlcBefore = (await monitor.db.ops.toArray()).map((o) => o.body.hlc);
    const out = await syncDevice(monitor);
    expect(out.clockOff).toBe(true);
    expect(Math.round(out.skewMs / 60_000)).toBe(20);
    expect((await syncDevice(monitor)).clockOff).toBe(true);
    expect((await monitor.db.ops.toArray()).filter((o) => o.kind !== 'deployment').map((o) => o.body.hlc)).toEqual(hlcBefore.slice(0, 1));
  });

  test("a far-future op moves the receiving device's clock at most five minutes past the server's", async () => {
    const { monitor, coordinator } = await deployment();
    const id = await createReport(monitor.writer, damageReport);
    await syncDevice(monitor);
    await syncDevice(coordinator);
    coordinator.writer.clock.ms += 365 * 24 * 3600 * 1000;
    await editReport(coordinator.writer, id, { structures: 1 });
    coordinator.writer.clock.ms -= 365 * 24 * 3600 * 1000;
    await syncDevice(coordinator);
    const out = await syncDevice(monitor);
    expect(out.clockOff).toBe(true);
    const writer = (await monitor.db.getMeta('writer'))!;
    expect(writer.clock.wall).toBeLessThanOrEqual(monitor.writer.clock.ms + 5 * 60 * 1000);
  });
});

describe('every replica shows the merge of the ops it holds', () => {
  test('after syncing, each device holds the ops the base serves it and its reports equal their merge', async () => {
    const { monitor, coordinator } = await deployment();
    const id = await createReport(monitor.writer, damageReport);
    await editReport(monitor.writer, id, { verification: 'verified' });
    await syncDevice(monitor);
    await syncDevice(coordinator);
    await editReport(coordinator.writer, id, { verification: 'disputed', structures: 2 });
    await syncDevice(coordinator);
    await syncDevice(monitor);
    for (const d of [monitor, coordinator]) {
      const ops = (await d.db.ops.where('reportId').equals(id).toArray()).filter((o) => !o.rejected);
      const roster = rosterOf((await d.db.settings.get(ROSTER_ID))?.state);
      expect((await d.db.reports.get(id))!.state).toEqual(mergeOps(id, ops, authorityOf(roster)));
    }
  });
});
