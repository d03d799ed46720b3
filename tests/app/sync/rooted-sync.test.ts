// Must come first: Dexie looks for IndexedDB when it is first imported.
import 'fake-indexeddb/auto';
import { describe, expect, test } from 'vitest';
import { createReport, editReport } from '../../../src/app/store/reports.ts';
import { generateKeyPair, readPublicKey, type PublicKey } from '../../../src/domain/crypto/keys.ts';
import { readerOf, type OpKeys } from '../../../src/app/sync/op-keys.ts';
import type { Endpoint } from '../../../src/app/sync/transport.ts';
import { PairKeyCache } from '../../../src/domain/crypto/pair-keys.ts';
import type { ReportId } from '../../../src/domain/ids.ts';
import { settingBody, viewOf } from '../../../src/domain/merge.ts';
import type { Op } from '../../../src/domain/op/op.ts';
import { readArrived } from '../../../src/domain/op/read.ts';
import { sealForWire, toWire } from '../../../src/domain/op/outgoing.ts';
import { deploymentKeyResponseSchema } from '../../../src/domain/protocol.ts';
import type { WireOp } from '../../../src/domain/op/wire.ts';
import { QUARANTINE_REASONS } from '../../../src/domain/quarantine.ts';
import { DEPLOYMENT_KEY_FIELD, rosterField, ROSTER_ID } from '../../../src/domain/roster.ts';
import { newId } from '../../server/http/harness.ts';
import { wireOfRow } from '../../../src/server/store/pull.ts';
import { opId, reportId } from '../../ids.ts';
import { damageReport } from '../store/store-fixtures.ts';
import {
  ORIGIN,
  rootedDeployment,
  rootFileOf,
  secondCoordinator,
  sealedDeployment,
  syncDevice,
  T0,
  trackDeployments,
  type Base,
  type Device,
} from './sync-fixtures.ts';
import { makeRoot } from '../../../src/app/keys/deployment-key.ts';
import { ROOT_FILE_ERRORS, rotateDeploymentKey, signWithRootFile } from '../../../src/app/sync/root-signing.ts';
import { DataKeyHolder } from '../../../src/app/store/at-rest.ts';
import { writeOp } from '../../../src/app/store/write-op.ts';
import { endorseRoot } from '../../../src/app/sync/deployment-settings.ts';
import { keepRootStatement } from '../../../src/app/sync/root-statement.ts';
import { rootDeviceOf } from '../../../src/domain/root.ts';
import { answerRequest, readReply, writeRequestFile } from '../../../src/app/sync/file.ts';
import { keepRoster } from '../../../src/app/sync/service.ts';
import { runSync } from '../../../src/app/sync/engine.ts';
import { FILE_ERRORS } from '../../../src/domain/sync-file.ts';
import { cutoffSince, heldForRelay, revokeDevice } from '../../../src/app/sync/devices.ts';
import { pinOnFirstUse } from '../../../src/app/sync/load-keys.ts';
import { countersign, reviewVouching } from '../../../src/app/sync/vouching.ts';
import { VOUCHES_ID } from '../../../src/domain/vouching.ts';

const deployments = trackDeployments();

/** A report the monitor writes, which `coordinator` marks verified, each syncing as it goes. */
async function verifiedBy(coordinator: Device, monitor: Device): Promise<ReportId> {
  await syncDevice(monitor);
  const id = await createReport(monitor.writer, damageReport);
  await syncDevice(monitor);
  await syncDevice(coordinator);
  await editReport(coordinator.writer, id, { verification: 'verified' });
  await syncDevice(coordinator);
  return id;
}

async function view(d: Device, id: ReportId) {
  const row = await d.db.reports.get(id);
  return row && viewOf(row.state).values;
}

/** A hostile base: an op put straight into its log, served to every device that pulls. */
async function plant(base: Base, wire: WireOp): Promise<void> {
  const db = base.store.db;
  const { last_seq } = await db
    .updateTable('counter')
    .set((eb) => ({ last_seq: eb('last_seq', '+', 1) }))
    .where('id', '=', 1)
    .returning('last_seq')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('ops')
    .values({
      seq: Number(last_seq),
      id: wire.id,
      v: wire.v,
      kind: wire.kind,
      report_id: wire.reportId,
      device: wire.device,
      device_seq: wire.deviceSeq,
      body: wire.body,
      sig: wire.sig ?? null,
      osig: wire.osig ?? null,
      status: 'ok',
      reject_reason: null,
      received_at: T0,
    })
    .execute();
}

/**
 * The upgrade of a deployment made before roots, as the Devices screen does it: the first coordinator
 * makes the root for the deployment key it holds, keeps the root's first statement, and says so in
 * its roster.
 */
async function makeRootAsUpgrade(coordinator: Device & { keys: OpKeys }, endpoint: Endpoint, deployment: PublicKey<'x25519'>) {
  const maker = { role: 'coordinator' as const, device: coordinator.device, keys: coordinator.keys.device };
  const pin = { key: deployment.text, fingerprint: deployment.fingerprint };
  const typed = { rootPassphrase: 'a well dug below the old mill', rootConfirm: 'a well dug below the old mill' };
  const made = await makeRoot(endpoint, maker, pin, typed, { now: coordinator.writer.now, random: coordinator.writer.random });
  if (!made.ok) throw new Error(made.reason);
  const root = await readPublicKey(made.root.pin.key, 'signing');
  if (!root.ok) throw new Error(root.reason);
  coordinator.keys.root = { device: rootDeviceOf(root.key.kid), signing: root.key.text };
  await keepRootStatement(coordinator.db, coordinator.keys, made.root.statement, coordinator.writer.now);
  await endorseRoot(coordinator.writer, made.root.pin.key);
}

describe('a deployment with its root, through the real base', () => {
  test("the root names the coordinator, the coordinator the monitor: each reads the other's ops", async () => {
    const { coordinator, monitor } = await rootedDeployment(deployments);
    await syncDevice(monitor);
    const id = await createReport(monitor.writer, { ...damageReport, narrative: 'احترق السوق القديم' });
    expect(await syncDevice(monitor)).toMatchObject({ rejected: [], quarantined: 0 });
    await syncDevice(coordinator);
    expect((await view(coordinator, id))?.narrative).toBe('احترق السوق القديم');

    // The coordinator's verification counts: the root named it coordinator.
    await editReport(coordinator.writer, id, { verification: 'verified' });
    await syncDevice(coordinator);
    await syncDevice(monitor);
    expect(await view(monitor, id)).toMatchObject({ verification: 'verified', narrative: 'احترق السوق القديم' });
    expect(await monitor.db.quarantine.count()).toBe(0);
    expect(await coordinator.db.quarantine.count()).toBe(0);
  });

  test("a hostile base cannot downgrade: its unsigned roster op, its forged ones and its reports in a monitor's name are quarantined", async () => {
    const { base, coordinator, monitor, deployment } = await rootedDeployment(deployments);
    await syncDevice(monitor);
    const id = await createReport(monitor.writer, { ...damageReport, narrative: 'نزوح أربعين أسرة' });
    await syncDevice(monitor);
    await syncDevice(coordinator);

    // The base's own keys, which it would put under the monitor's name.
    const attacker = {
      agreement: await generateKeyPair('x25519'),
      signing: await generateKeyPair('ed25519'),
      pairs: new PairKeyCache(),
    };
    const theirs = { agreement: attacker.agreement.publicKey.text, signing: attacker.signing.publicKey.text };
    const swap = { [rosterField(monitor.device)]: { device: monitor.device, role: 'monitor', keys: theirs } };
    const hlc = `2025-03-08T10:00:00.000Z-0000-${coordinator.device.replace(/[^0-9a-z]/g, '')}`;
    const rosterOp = (deviceSeq: number): Op => ({
      v: 1,
      id: opId(newId()),
      kind: 'deployment',
      reportId: ROSTER_ID,
      device: coordinator.device,
      deviceSeq,
      body: { hlc, changes: swap, supersedes: {} },
    });
    // 1. In clear, in the coordinator's name: the downgrade as it was found.
    const clearRoster = toWire(rosterOp(900));
    // 2. Signed, in the coordinator's name, with the base's key.
    const forgedRoster = (await sealForWire(rosterOp(901), attacker, [])) as { ok: true; wire: WireOp };
    // 3. A roster op as if from a monitor the base invented, signing its own.
    const report = reportId(newId());
    const monitorHlc = `2025-03-08T10:00:00.000Z-0000-${monitor.device.replace(/[^0-9a-z]/g, '')}`;
    const inMonitorsName: Op = {
      v: 1,
      id: opId(newId()),
      kind: 'create',
      reportId: report,
      device: monitor.device,
      deviceSeq: 50,
      body: { hlc: monitorHlc, changes: { type: 'damage', narrative: 'تقرير مزوّر' }, supersedes: {} },
    };
    // 4. A sealed report in the monitor's name, signed with the base's key; 5. the same in clear.
    const forgedReport = (await sealForWire(inMonitorsName, attacker, [deployment.publicKey])) as { ok: true; wire: WireOp };
    const clearReport = toWire({ ...inMonitorsName, id: opId(newId()), reportId: reportId(newId()), deviceSeq: 51 });
    for (const wire of [clearRoster, forgedRoster.wire, forgedReport.wire, clearReport]) await plant(base, wire);

    for (const d of [coordinator, monitor]) await syncDevice(d);
    const reasons = new Map((await coordinator.db.quarantine.toArray()).map((q) => [q.id, q.reason]));
    expect(reasons.get(clearRoster.id)).toBe(QUARANTINE_REASONS.unproven);
    expect(reasons.get(forgedRoster.wire.id)).toBe(QUARANTINE_REASONS.badSignature);
    // Sealed by the base's own key, which no trusted device holds: it does not even open.
    expect(reasons.get(forgedReport.wire.id)).toBe(QUARANTINE_REASONS.unknownSender);
    expect(reasons.get(clearReport.id)).toBe(QUARANTINE_REASONS.unproven);
    for (const d of [coordinator, monitor]) {
      expect(await d.db.reports.get(report)).toBeUndefined();
      expect(await d.db.ops.get(forgedRoster.wire.id)).toBeUndefined();
    }

    // The monitor's keys stand: its next report opens on the desk, and a correction is sealed to its own key.
    const next = await createReport(monitor.writer, { ...damageReport, narrative: 'بعد الهجوم' });
    await syncDevice(monitor);
    await syncDevice(coordinator);
    expect((await view(coordinator, next))?.narrative).toBe('بعد الهجوم');
    await editReport(coordinator.writer, id, { narrative: 'تصحيح المنسق' });
    await syncDevice(coordinator);
    await syncDevice(monitor);
    expect((await view(monitor, id))?.narrative).toBe('تصحيح المنسق');
    const correction = (await coordinator.db.ops.where('reportId').equals(id).toArray()).find((o) => o.device === coordinator.device);
    expect(correction?.wire?.body).toContain(monitor.keys.device.agreement.publicKey.kid);
    expect(correction?.wire?.body).not.toContain(attacker.agreement.publicKey.kid);
  });

  test("roles are judged as of each op: a revoked coordinator's verification stands, its ops after the cut-off are quarantined", async () => {
    const { base, coordinator, monitor, state, deployment } = await rootedDeployment(deployments);
    const second = await deployments.sealingDevice(base, 'coord-b', 'coordinator', coordinator, deployment);
    second.keys.root = coordinator.keys.root;
    const keysOf = (d: typeof second) => ({
      agreement: d.keys.device.agreement.publicKey.text,
      signing: d.keys.device.signing.publicKey.text,
    });
    // The root names the second coordinator; only then does its word count.
    await state([{ device: second.device, role: 'coordinator', keys: keysOf(second) }]);
    await syncDevice(coordinator);
    const id = await verifiedBy(second, monitor);
    const verifiedAt = (await second.db.ops.where('device').equals(second.device).last())!.deviceSeq;
    await syncDevice(coordinator);
    expect(await view(coordinator, id)).toMatchObject({ verification: 'verified' });

    // Revoked by the root at that op: what it wrote up to there stands, and nothing after.
    await state([{ device: second.device, role: 'coordinator', cutoff: verifiedAt }]);
    await editReport(second.writer, id, { verification: 'disputed' });
    await syncDevice(second);
    const late = (await second.db.ops.where('device').equals(second.device).last())!;
    for (const d of [coordinator, monitor]) {
      await syncDevice(d);
      await syncDevice(d);
      expect(await view(d, id), d.name).toMatchObject({ verification: 'verified' });
      expect((await d.db.quarantine.get(late.id))?.reason, d.name).toBe(QUARANTINE_REASONS.afterCutoff);
    }
  });

  test('a monitor revoked at the base is revoked everywhere: what it wrote before stands, what it wrote after is refused', async () => {
    const { base, coordinator, monitor } = await rootedDeployment(deployments);
    await syncDevice(monitor);
    const before = await createReport(monitor.writer, { ...damageReport, narrative: 'قبل السرقة' });
    await syncDevice(monitor);
    // Written on the phone after the base last heard from it: the phone is stolen.
    const after = await createReport(monitor.writer, { ...damageReport, narrative: 'بعد السرقة' });

    const revoked = await base.fetch(`${ORIGIN}/api/v1/devices/${monitor.device}/revoke`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${coordinator.token}` },
    });
    expect(revoked.status).toBe(200);
    // The coordinator's roster carries the revocation, with the base's cut-off, to every device.
    await keepRoster(coordinator.writer, { origin: ORIGIN, token: coordinator.token, fetch: base.fetch }, coordinator.device);
    await syncDevice(coordinator);
    const named = (await coordinator.db.getMeta('trust'))?.devices.find((d) => d.device === monitor.device);
    expect(named?.cutoff).toBe(1);

    // The stolen phone's file reaches the desk: refused whole, and the report before stands.
    const file = await writeRequestFile(monitor.db, monitor.device, monitor.writer.now, monitor.keys);
    await expect(answerRequest(coordinator.sync, JSON.stringify(file))).rejects.toMatchObject({ key: FILE_ERRORS.revoked });
    expect((await view(coordinator, before))?.narrative).toBe('قبل السرقة');
    expect(await coordinator.db.reports.get(after)).toBeUndefined();
  });

  test('a root statement altered on the way is refused, though its id and signature were checked before in this app', async () => {
    const { coordinator, monitor, deployment } = await rootedDeployment(deployments);
    // The desk checked the genuine statement; a hostile base serves the phone a copy naming its own key.
    const theirs = await generateKeyPair('x25519');
    const honest = monitor.sync.transport;
    monitor.sync.transport = async (req) => {
      const res = await honest(req);
      const ops = res.ops.map((s) =>
        s.op.device.startsWith('root-')
          ? { ...s, op: { ...s.op, body: s.op.body.replace(deployment.publicKey.text, theirs.publicKey.text) } }
          : s,
      );
      return { ...res, ops };
    };
    await syncDevice(monitor);
    const trust = await monitor.db.getMeta('trust');
    expect(trust?.deploymentKeys ?? []).not.toContain(theirs.publicKey.text);
    expect(trust?.devices.find((d) => d.device === coordinator.device)).toBeUndefined();
    expect((await monitor.db.quarantine.toArray()).map((q) => q.reason)).toContain(QUARANTINE_REASONS.badSignature);

    // Served as it was signed, it counts.
    monitor.sync.transport = honest;
    await monitor.db.setMeta('cursor', null);
    await syncDevice(monitor);
    expect((await monitor.db.getMeta('trust'))?.deploymentKeys).toEqual([deployment.publicKey.text]);
  });

  test.each([
    [
      'sealed',
      async () => {
        const d = await sealedDeployment(deployments);
        return { ...d, joining: () => deployments.sealingDevice(d.base, 'coord-b', 'coordinator', d.coordinator, d.deployment) };
      },
    ],
    [
      'rooted',
      async () => {
        const d = await rootedDeployment(deployments);
        return { ...d, joining: async () => (await secondCoordinator(deployments, d)).second };
      },
    ],
  ] as const)(
    'a new desk pulling one op a page (%s): each page is read while the one before is taken in, yet a monitor a roster op names opens in the next page',
    async (_kind, made) => {
      const d = await made();
      const { base, coordinator, deployment } = d;
      await syncDevice(d.monitor);
      const first = await createReport(d.monitor.writer, { ...damageReport, narrative: 'قبل الهاتف الجديد' });
      await syncDevice(d.monitor);
      const late = await deployments.sealingDevice(base, 'late', 'monitor', coordinator, deployment);
      if (coordinator.keys.root) late.keys.root = coordinator.keys.root;
      await keepRoster(coordinator.writer, { origin: ORIGIN, token: coordinator.token, fetch: base.fetch }, coordinator.device);
      await syncDevice(coordinator);
      await syncDevice(late);
      const later = [];
      for (let i = 0; i < 3; i++) later.push(await createReport(late.writer, { ...damageReport, structures: i + 1 }));
      await syncDevice(late);

      const desk = await d.joining();
      await keepRoster(coordinator.writer, { origin: ORIGIN, token: coordinator.token, fetch: base.fetch }, coordinator.device);
      await syncDevice(coordinator);
      // What waits in the quarantine as each page is asked for: what the pages before left there.
      const waited = new Set<string>();
      let pages = 0;
      await runSync({
        ...desk.sync,
        transport: async (request) => {
          pages += 1;
          for (const row of await desk.db.quarantine.toArray()) waited.add(row.id);
          return desk.sync.transport({ ...request, limit: 1 });
        },
      });
      expect(pages).toBeGreaterThan(later.length + 3);
      // The late monitor's ops each came in the page after the roster op naming it, or later: none
      // waited for a roster entry. (On the rooted desk the first coordinator's own roster op, served
      // before the root statement naming it, waits for it and opens at the end of the pull.)
      const lateOps = await late.db.ops.where('device').equals(late.device).primaryKeys();
      expect(lateOps).toHaveLength(later.length);
      expect(lateOps.filter((id) => waited.has(id))).toEqual([]);
      expect(await desk.db.quarantine.count()).toBe(0);
      expect((await view(desk, first))?.narrative).toBe('قبل الهاتف الجديد');
      for (const [i, id] of later.entries()) expect((await view(desk, id))?.structures).toBe(i + 1);
    },
  );

  test('a file from a phone enrolled since the desk last synced waits for the roster: refused, then answered after a sync', async () => {
    const { base, coordinator, deployment, root } = await rootedDeployment(deployments, []);
    const late = await deployments.sealingDevice(base, 'late', 'monitor', coordinator, deployment);
    late.keys.root = { device: rootDeviceOf(root.publicKey.kid), signing: root.publicKey.text };
    await syncDevice(late);
    const id = await createReport(late.writer, { ...damageReport, narrative: 'من هاتف جديد' });
    const file = JSON.stringify(await writeRequestFile(late.db, late.device, late.writer.now, late.keys));

    const before = await coordinator.db.ops.count();
    await expect(answerRequest(coordinator.sync, file)).rejects.toMatchObject({ key: FILE_ERRORS.unknownDevice });
    expect(await coordinator.db.ops.count()).toBe(before);

    await keepRoster(coordinator.writer, { origin: ORIGIN, token: coordinator.token, fetch: base.fetch }, coordinator.device);
    await syncDevice(coordinator);
    expect((await answerRequest(coordinator.sync, file)).acked).toBe(1);
    expect((await view(coordinator, id))?.narrative).toBe('من هاتف جديد');
  });

  test('ops a desk holds for relay are counted before a revocation, and counted no more once the base took them', async () => {
    const { base, coordinator, monitor } = await rootedDeployment(deployments);
    await syncDevice(monitor);
    await createReport(monitor.writer, { ...damageReport, narrative: 'في ملف' });
    await createReport(monitor.writer, { ...damageReport, narrative: 'في الملف نفسه' });
    const file = JSON.stringify(await writeRequestFile(monitor.db, monitor.device, monitor.writer.now, monitor.keys));
    // The desk takes the file in while the base is out of reach: the ops wait on the desk.
    const online = coordinator.sync.transport;
    coordinator.sync.transport = () => Promise.reject(new TypeError('offline'));
    await expect(answerRequest(coordinator.sync, file)).rejects.toThrow();
    expect(await heldForRelay(coordinator.db, monitor.device)).toBe(2);
    coordinator.sync.transport = online;
    await syncDevice(coordinator);
    expect(await heldForRelay(coordinator.db, monitor.device)).toBe(0);
    expect((await base.store.db.selectFrom('ops').select('id').where('device', '=', monitor.device).execute()).length).toBe(2);
  });

  test('a phone reported stolen late: revoked from when it was lost, its later ops stop counting on every device, and stay shown', async () => {
    const { base, coordinator, monitor, monitors } = await rootedDeployment(deployments, ['monitor', 'other']);
    const other = monitors[1]!;
    await syncDevice(monitor);
    const before = await createReport(monitor.writer, { ...damageReport, narrative: 'قبل السرقة' });
    await syncDevice(monitor);
    await syncDevice(coordinator);
    const lostAt = monitor.writer.now() + 1;
    monitor.writer.clock.ms += 60_000;
    base.clock.ms += 60_000;
    // The thief writes and syncs for days before anyone knows: the base takes these, the desk merges them.
    const forged = await createReport(monitor.writer, { ...damageReport, narrative: 'كتبه السارق' });
    await editReport(monitor.writer, before, { structures: 0 });
    await syncDevice(monitor);
    await syncDevice(coordinator);
    expect(await view(coordinator, forged)).toBeDefined();
    expect((await view(coordinator, before))?.structures).toBe(0);

    // The desk works out the cut-off from when the phone was lost, and the base takes it.
    const { cutoff, after } = await cutoffSince(coordinator.db, monitor.device, lostAt);
    expect({ cutoff, after }).toEqual({ cutoff: 1, after: 2 });
    await revokeDevice({ origin: ORIGIN, token: coordinator.token, fetch: base.fetch }, monitor.device, cutoff);
    await keepRoster(coordinator.writer, { origin: ORIGIN, token: coordinator.token, fetch: base.fetch }, coordinator.device);
    await syncDevice(coordinator);
    await syncDevice(coordinator);

    // The desk merges again without them: the report from before is as the monitor wrote it, the thief's is gone.
    expect((await coordinator.db.getMeta('trust'))?.devices.find((d) => d.device === monitor.device)?.cutoff).toBe(1);
    expect((await view(coordinator, before))?.structures).toBe(damageReport.structures);
    expect(await coordinator.db.reports.get(forged)).toBeUndefined();
    const cutOff = async (d: Device) => (await d.db.quarantine.toArray()).filter((q) => q.reason === QUARANTINE_REASONS.afterCutoff).length;
    expect(await cutOff(coordinator)).toBe(2);
    // Nor are they relayed again, nor taken back on a pull from zero.
    await coordinator.db.setMeta('cursor', null);
    await syncDevice(coordinator);
    expect(await coordinator.db.reports.get(forged)).toBeUndefined();
    expect(await cutOff(coordinator)).toBe(2);

    // Another monitor's phone reads the roster the same way.
    await syncDevice(other);
    expect((await other.db.getMeta('trust'))?.devices.find((d) => d.device === monitor.device)?.cutoff).toBe(1);
  });

  test("a deployment made before roots is upgraded: a phone enrolled before takes the root on its coordinator's word, loses nothing, and is then safe from a downgrade", async () => {
    const { base, coordinator, monitor, deployment } = await sealedDeployment(deployments);
    await syncDevice(monitor);
    const waiting = await createReport(monitor.writer, { ...damageReport, narrative: 'كُتب قبل الجذر' });

    // The first coordinator makes the root for the deployment key it has, and says so in its roster.
    await makeRootAsUpgrade(coordinator, { origin: ORIGIN, token: coordinator.token, fetch: base.fetch }, deployment.publicKey);
    await syncDevice(coordinator);

    // The phone, enrolled before, pins the root at its next sync; its report written before arrives whole.
    await syncDevice(monitor);
    expect(monitor.keys.root).toEqual(coordinator.keys.root);
    await syncDevice(coordinator);
    expect((await view(coordinator, waiting))?.narrative).toBe('كُتب قبل الجذر');

    // From now on the base's unsigned roster op in the coordinator's name is refused on the phone.
    const hlc = `2025-03-08T10:00:00.000Z-0000-${coordinator.device.replace(/[^0-9a-z]/g, '')}`;
    const planted = toWire({
      v: 1,
      id: opId(newId()),
      kind: 'deployment',
      reportId: ROSTER_ID,
      device: coordinator.device,
      deviceSeq: 900,
      body: { hlc, changes: { [rosterField(monitor.device)]: { device: monitor.device, role: 'coordinator' } }, supersedes: {} },
    });
    await plant(base, planted);
    await syncDevice(monitor);
    expect((await monitor.db.quarantine.get(planted.id))?.reason).toBe(QUARANTINE_REASONS.unproven);
    expect((await monitor.db.getMeta('trust'))?.devices.find((d) => d.device === monitor.device)?.role).toBe('monitor');
  });

  test('ops from before the root count on a device that pulls them afresh only once their author vouched for them and a coordinator countersigned', async () => {
    // A deployment that began in clear: the monitor's report and the coordinator's verification of it travel as `v: 1`.
    const base = await deployments.base();
    const coordinator = await deployments.sealingDevice(base, 'coord', 'coordinator');
    const monitor = await deployments.sealingDevice(base, 'monitor', 'monitor', coordinator);
    const endpoint = { origin: ORIGIN, token: coordinator.token, fetch: base.fetch };
    await keepRoster(coordinator.writer, endpoint, coordinator.device);
    await syncDevice(coordinator);
    await syncDevice(monitor);
    const before = await createReport(monitor.writer, { ...damageReport, narrative: 'كُتب بلا ختم' });
    const id = await verifiedBy(coordinator, monitor);
    await syncDevice(monitor);
    await syncDevice(coordinator);
    await editReport(coordinator.writer, before, { verification: 'verified' });
    await syncDevice(coordinator);

    // The first coordinator makes the deployment key and the root, and says so; the phone takes both.
    const deployment = await generateKeyPair('x25519');
    coordinator.keys.deploymentPublic = deployment.publicKey;
    coordinator.keys.deploymentPrivate = deployment;
    await makeRootAsUpgrade(coordinator, endpoint, deployment.publicKey);
    // Its roster was written in clear: it states the monitor again, signed, as the rule reads it.
    expect(await keepRoster(coordinator.writer, endpoint, coordinator.device, coordinator.keys)).toBe(1);
    await syncDevice(coordinator);
    await pinOnFirstUse(monitor.keys, { origin: ORIGIN, token: monitor.token, fetch: base.fetch });
    await syncDevice(monitor);
    await syncDevice(monitor);
    expect(monitor.keys.root).toEqual(coordinator.keys.root);
    const vouchings = await monitor.db.ops.where('reportId').equals(VOUCHES_ID).toArray();
    expect(vouchings.map((v) => v.device).sort()).toEqual([coordinator.device, monitor.device].sort());

    // A hostile base adds an op in clear in the monitor's name, which no vouching lists.
    const forged = toWire({
      v: 1,
      id: opId(newId()),
      kind: 'create',
      reportId: reportId(newId()),
      device: monitor.device,
      deviceSeq: 90,
      body: {
        hlc: `2025-03-08T10:00:00.000Z-0000-${monitor.device.replace(/[^0-9a-z]/g, '')}`,
        changes: { type: 'damage' },
        supersedes: {},
      },
    });
    await plant(base, forged);

    // A coordinator's desk enrolled after the upgrade pulls everything afresh: the coordinator's own
    // vouching counts at once, the monitor's waits for a countersignature.
    const newcomer = await deployments.sealingDevice(base, 'coord-b', 'coordinator', coordinator, deployment);
    newcomer.keys.root = coordinator.keys.root;
    await syncDevice(newcomer);
    expect((await newcomer.db.quarantine.get(forged.id))?.reason).toBe(QUARANTINE_REASONS.unproven);
    expect((await view(newcomer, before))?.narrative).toBeUndefined();
    expect(await newcomer.db.quarantine.filter((q) => q.reason === QUARANTINE_REASONS.unproven).count()).toBeGreaterThan(2);

    // The first coordinator sees, per device, what is vouched for and what no device vouches for.
    await syncDevice(coordinator);
    // Its desk marked the ops that need vouching as it took them in: the monitor's two reports from
    // before the root (the base's op waits in the quarantine).
    expect(await coordinator.db.getMeta('vouchingMarked')).toBe(true);
    const marked = await coordinator.db.ops.where('needsVouching').equals(1).primaryKeys();
    expect((await coordinator.db.ops.bulkGet(marked)).map((r) => r?.device)).toEqual([monitor.device, monitor.device]);
    const review = await reviewVouching(coordinator.db, coordinator.device);
    // Read a few ops at a time, the review is the same.
    expect(await reviewVouching(coordinator.db, coordinator.device, { page: 3 })).toEqual(review);
    // The Devices screen that asked has gone: no more pages are read, and nothing is answered.
    const gone = new AbortController();
    gone.abort();
    await expect(reviewVouching(coordinator.db, coordinator.device, { page: 3, gone: gone.signal })).rejects.toThrow();
    const ofMonitor = review.find((r) => r.device === monitor.device);
    // Its two reports, vouched for; the base's op, vouched for by no one.
    expect(ofMonitor).toMatchObject({ vouched: 2, countersigned: 0, unvouched: 1 });
    expect(ofMonitor!.awaiting).toHaveLength(1);
    expect(await countersign(coordinator.writer, ofMonitor!.awaiting)).toBe(1);
    await syncDevice(coordinator);
    expect((await reviewVouching(coordinator.db, coordinator.device)).find((r) => r.device === monitor.device)).toMatchObject({
      countersigned: ofMonitor!.vouched,
      awaiting: [],
      unvouched: 1,
    });
    const afterCountersigning = await reviewVouching(coordinator.db, coordinator.device);

    // A desk that took its ops in before they were marked as needing vouching (an earlier version):
    // its first review reads every op and marks those; the next reads the marked alone, and says the same.
    await coordinator.db.transaction('rw', coordinator.db.ops, coordinator.db.meta, async () => {
      await coordinator.db.meta.delete('vouchingMarked');
      await coordinator.db.ops
        .where('needsVouching')
        .equals(1)
        .modify((row) => void delete row.needsVouching);
    });
    expect(await coordinator.db.ops.where('needsVouching').equals(1).count()).toBe(0);
    expect(await reviewVouching(coordinator.db, coordinator.device, { page: 3 })).toEqual(afterCountersigning);
    expect((await coordinator.db.ops.where('needsVouching').equals(1).primaryKeys()).sort()).toEqual([...marked].sort());
    expect(await reviewVouching(coordinator.db, coordinator.device, { page: 3 })).toEqual(afterCountersigning);

    // Countersigned: the newcomer takes the monitor's reports in, with the coordinator's verification; the forged op stays out.
    await syncDevice(newcomer);
    expect(await view(newcomer, before)).toMatchObject({ narrative: 'كُتب بلا ختم', verification: 'verified' });
    expect(await view(newcomer, id)).toMatchObject({ verification: 'verified' });
    expect((await newcomer.db.quarantine.get(forged.id))?.reason).toBe(QUARANTINE_REASONS.unproven);
    expect(await newcomer.db.quarantine.filter((q) => q.reason === QUARANTINE_REASONS.unproven).count()).toBe(1);
  });

  test('the root rotates the deployment key after a coordinator leaves: every device seals to the new one, the revoked coordinator cannot open it, older reports still open', async () => {
    const rooted = await rootedDeployment(deployments, ['monitor', 'far']);
    const { base, coordinator, monitor, monitors, deployment } = rooted;
    const far = monitors[1]!;
    const { second, file, pass, ctx, endpoint } = await secondCoordinator(deployments, rooted);
    await syncDevice(coordinator);
    await syncDevice(second);
    await syncDevice(monitor);
    const before = await createReport(monitor.writer, { ...damageReport, narrative: 'قبل تبديل المفتاح' });
    await syncDevice(monitor);

    // A coordinator is no root: its roster op naming a deployment key of its own changes nothing.
    const own = await generateKeyPair('x25519');
    await writeOp(second.writer, ROSTER_ID, (state, hlc) => ({
      kind: 'deployment',
      body: settingBody(state, { [DEPLOYMENT_KEY_FIELD]: own.publicKey.text }, hlc),
    }));
    await syncDevice(second);
    await syncDevice(monitor);
    expect(monitor.keys.deploymentPublic?.text).toBe(deployment.publicKey.text);

    // The second coordinator leaves; the first rotates the key with the root file.
    await revokeDevice(endpoint, second.device);
    const dataKey = new DataKeyHolder();
    await dataKey.set(crypto.getRandomValues(new Uint8Array(32)));
    const typed = { rootPassphrase: pass, passphrase: 'nine almond trees past the well', confirm: 'nine almond trees past the well' };
    expect(await rotateDeploymentKey(file, { ...typed, rootPassphrase: 'not the passphrase' }, { ...ctx, dataKey })).toEqual({
      ok: false,
      reason: ROOT_FILE_ERRORS.wrongPassphrase,
    });
    expect(await rotateDeploymentKey(file, { ...typed, confirm: 'nine almond trees' }, { ...ctx, dataKey })).toEqual({
      ok: false,
      reason: 'lock.err.mismatch',
    });
    const rotated = await rotateDeploymentKey(file, typed, { ...ctx, dataKey });
    if (!rotated.ok) throw new Error(rotated.reason);
    const next = coordinator.keys.deploymentPublic!;
    expect(next.fingerprint).toBe(rotated.file.fingerprint);
    expect(next.text).not.toBe(deployment.publicKey.text);
    await syncDevice(coordinator);

    // The base now hands out the new key, on the root's word; the phone seals to it from its next sync.
    const served = deploymentKeyResponseSchema.parse(await (await base.fetch(`${ORIGIN}/api/v1/deployment-key`, { method: 'GET' })).json());
    expect(served).toMatchObject({ key: next.text, statement: { device: coordinator.keys.root!.device } });
    // The earlier key, by its key id, on the root's word; a key id the root never named, or no key id, is refused.
    const byKid = (kid: string) => base.fetch(`${ORIGIN}/api/v1/deployment-key?kid=${kid}`, { method: 'GET' });
    const past = deploymentKeyResponseSchema.parse(await (await byKid(deployment.publicKey.kid)).json());
    expect(past).toMatchObject({ key: deployment.publicKey.text, statement: { device: coordinator.keys.root!.device } });
    expect((await byKid(own.publicKey.kid)).status).toBe(404);
    expect((await byKid('not%20a%20kid')).status).toBe(400);
    await syncDevice(monitor);
    expect(monitor.keys.deploymentPublic?.text).toBe(next.text);
    // A phone that syncs only by file follows it from the reply file the coordinator answers.
    const request = JSON.stringify(await writeRequestFile(far.db, far.device, far.writer.now, far.keys));
    const answered = await answerRequest(coordinator.sync, request);
    await readReply(far.db, far.device, JSON.stringify(answered.reply), far.writer.now, far.keys);
    expect(far.keys.deploymentPublic?.text).toBe(next.text);
    const after = await createReport(monitor.writer, { ...damageReport, narrative: 'بعد تبديل المفتاح' });
    await syncDevice(monitor);

    // The first coordinator reads both; the revoked one, holding the old key and the base's copy, opens only the older.
    await syncDevice(coordinator);
    expect((await view(coordinator, before))?.narrative).toBe('قبل تبديل المفتاح');
    expect((await view(coordinator, after))?.narrative).toBe('بعد تبديل المفتاح');
    const stored = await base.store.db
      .selectFrom('ops')
      .selectAll()
      .where('report_id', 'in', [before, after])
      .where('kind', '=', 'create')
      .execute();
    const reader = await readerOf(second.db, second.keys);
    const opened = await Promise.all(
      stored.map(async (r) => {
        return [r.report_id, (await readArrived(wireOfRow(r), reader)).ok] as const;
      }),
    );
    expect(new Map(opened)).toEqual(
      new Map([
        [before, true],
        [after, false],
      ]),
    );
  });

  test('the root file, opened on a desk, names a coordinator who joined: its verification then counts on every device', async () => {
    const { base, coordinator, monitor, deployment, root } = await rootedDeployment(deployments);
    const second = await deployments.sealingDevice(base, 'coord-b', 'coordinator', coordinator, deployment);
    second.keys.root = coordinator.keys.root;
    const pass = 'a well dug below the old mill';
    const ctx = {
      db: coordinator.db,
      keys: coordinator.keys,
      endpoint: { origin: ORIGIN, token: coordinator.token, fetch: base.fetch },
      now: coordinator.writer.now,
      random: coordinator.writer.random,
    };
    const file = await rootFileOf(root, pass);
    expect(await signWithRootFile(file, 'not the passphrase', ctx)).toEqual({ ok: false, reason: ROOT_FILE_ERRORS.wrongPassphrase });
    const otherRoot = await generateKeyPair('ed25519');
    expect(await signWithRootFile(await rootFileOf(otherRoot, pass), pass, ctx)).toEqual({ ok: false, reason: ROOT_FILE_ERRORS.otherRoot });
    expect(await signWithRootFile('{"kind":"rasid-deployment-key"}', pass, ctx)).toEqual({
      ok: false,
      reason: ROOT_FILE_ERRORS.notRootFile,
    });

    // Before the root names it, the second coordinator's verification counts nowhere but on its own desk.
    const id = await verifiedBy(second, monitor);
    await syncDevice(monitor);
    expect((await view(monitor, id))?.verification).toBeUndefined();

    expect(await signWithRootFile(file, pass, ctx)).toEqual({ ok: true, coordinators: 2 });
    await syncDevice(coordinator);
    await syncDevice(monitor);
    await syncDevice(monitor);
    expect((await view(monitor, id))?.verification).toBe('verified');
  });
});
