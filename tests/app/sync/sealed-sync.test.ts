// Must come first: Dexie looks for IndexedDB when it is first imported.
import 'fake-indexeddb/auto';
import { describe, expect, test } from 'vitest';
import { createReport, editReport } from '../../../src/app/store/reports.ts';
import { answerRequest, readReply, writeRequestFile } from '../../../src/app/sync/file.ts';
import { readerOf } from '../../../src/app/sync/op-keys.ts';
import { sealOutgoing } from '../../../src/app/sync/push.ts';
import { wireOf } from '../../../src/app/sync/wire-of.ts';
import { checkOuter } from '../../../src/domain/op/outer-signature.ts';
import { openPlaintext } from '../../../src/domain/op/sealed.ts';
import { PairKeyCache } from '../../../src/domain/crypto/pair-keys.ts';
import { keepRoster } from '../../../src/app/sync/service.ts';
import { reopenWaiting } from '../../../src/app/sync/take-in.ts';
import { runSync } from '../../../src/app/sync/engine.ts';
import { takeIn } from '../../../src/app/sync/take-in-steps.ts';
import { viewOf } from '../../../src/domain/merge.ts';
import { QUARANTINE_REASONS } from '../../../src/domain/quarantine.ts';
import { damageReport } from '../store/store-fixtures.ts';
import { ORIGIN, sealedDeployment as sealed, syncDevice, trackDeployments, type Base, type Device } from './sync-fixtures.ts';
import type { ReportId } from '../../../src/domain/ids.ts';
import { ROSTER_ID } from '../../../src/domain/roster.ts';
import { MAX_BATCH } from '../../../src/domain/op/sync.ts';

const deployments = trackDeployments();
const sealedDeployment = () => sealed(deployments);

const MARKER = 'marker-7f3a-souq-fire';

async function storedOps(base: Base) {
  return base.store.db.selectFrom('ops').select(['id', 'v', 'kind', 'report_id', 'device', 'body', 'sig']).orderBy('seq').execute();
}

async function narrative(d: Device, id: ReportId) {
  const row = await d.db.reports.get(id);
  return row && viewOf(row.state).values.narrative;
}

/** A second coordinator's desk that knows the deployment's public key but has not imported its key file. */
async function deskAwaitingItsKey() {
  const { base, deployment, coordinator, monitor } = await sealedDeployment();
  const second = await deployments.sealingDevice(base, 'coord-b', 'coordinator', coordinator);
  second.keys.deploymentPublic = deployment.publicKey;
  await keepRoster(coordinator.writer, { origin: ORIGIN, token: coordinator.token, fetch: base.fetch }, coordinator.device);
  await syncDevice(coordinator);
  return { base, deployment, coordinator, monitor, second };
}

/** One sync of `desk` whose key file is imported once its first round has begun, as a desk does while its first pull runs. */
function syncWithKeyFileDuringFirstRound(
  desk: Awaited<ReturnType<typeof deskAwaitingItsKey>>['second'],
  deployment: Awaited<ReturnType<typeof deskAwaitingItsKey>>['deployment'],
) {
  const before = { ...desk.keys };
  const after = { ...desk.keys, deploymentPrivate: deployment };
  let asked = 0;
  return runSync({ ...desk.sync, keys: before, keysNow: () => Promise.resolve(asked++ === 0 ? before : after) });
}

describe('ops sealed end to end through the real base', () => {
  test("a monitor's report reaches the coordinator's desk, while the base holds only its header and ciphertext", async () => {
    const { base, coordinator, monitor } = await sealedDeployment();
    const id = await createReport(monitor.writer, { ...damageReport, narrative: `${MARKER} احترق السوق` });
    const out = await syncDevice(monitor);
    expect(out).toMatchObject({ rejected: [], deferred: 0, quarantined: 0 });

    const stored = await storedOps(base);
    const report = stored.filter((o) => o.report_id === id);
    expect(report).toHaveLength(1);
    expect(report[0]).toMatchObject({ v: 2, kind: 'create', device: monitor.device, sig: null });
    expect(JSON.parse(report[0]!.body)).toMatchObject({ v: 2, to: expect.any(Array), ct: expect.any(String) });
    for (const op of stored) expect(op.body).not.toContain(MARKER);
    // The roster travels in clear for every device to read, signed by the coordinator who wrote it.
    expect(stored.find((o) => o.report_id === 'roster')).toMatchObject({
      v: 2,
      kind: 'deployment',
      sig: expect.stringMatching(/^[A-Za-z0-9_-]{86}$/),
    });

    await syncDevice(coordinator);
    expect(await narrative(coordinator, id)).toContain(MARKER);
    // The monitor read back what it wrote, from its own copy of the seal.
    expect(await monitor.db.quarantine.count()).toBe(0);
  });

  test("a coordinator's correction of a monitor's report is sealed to that monitor too, and the monitor reads it", async () => {
    const { coordinator, monitor } = await sealedDeployment();
    const id = await createReport(monitor.writer, damageReport);
    await syncDevice(monitor);
    await syncDevice(coordinator);
    await editReport(coordinator.writer, id, { narrative: `${MARKER} corrected at base` });
    await syncDevice(coordinator);
    const sealed = (await coordinator.db.ops.toArray()).find((o) => o.device === coordinator.device && o.reportId === id);
    expect(JSON.parse(sealed!.wire!.body).to).toHaveLength(3);

    const out = await syncDevice(monitor);
    expect(out.quarantined).toBe(0);
    expect(await narrative(monitor, id)).toContain(MARKER);
  });

  test('a coordinator without the deployment key keeps what it cannot open waiting, and opens it once the key comes', async () => {
    const { deployment, monitor, second } = await deskAwaitingItsKey();
    const id = await createReport(monitor.writer, { ...damageReport, narrative: MARKER });
    await syncDevice(monitor);

    await syncDevice(second);
    expect(await second.db.reports.get(id)).toBeUndefined();
    const waiting = await second.db.quarantine.toArray();
    expect(waiting.map((q) => q.reason)).toEqual([QUARANTINE_REASONS.notForThisDevice]);

    second.keys.deploymentPrivate = deployment;
    expect(await reopenWaiting(second.db, await readerOf(second.db, second.keys), { device: second.device, now: second.writer.now })).toBe(
      1,
    );
    expect(await narrative(second, id)).toBe(MARKER);
    expect(await second.db.quarantine.count()).toBe(0);
  });

  test('a key imported during a long pull opens the pages after it as they come, and those before it at the end', async () => {
    const { deployment, monitor, second } = await deskAwaitingItsKey();
    const reports = MAX_BATCH + 20;
    for (let i = 0; i < reports; i++) await createReport(monitor.writer, { ...damageReport, narrative: `${MARKER} ${i}` });
    await syncDevice(monitor);

    const out = await syncWithKeyFileDuringFirstRound(second, deployment);
    // Only the first page waited for the sync's end to open; the second opened as it came.
    expect(out.reopened).toBeGreaterThan(0);
    expect(out.reopened).toBeLessThan(reports);
    expect(await second.db.reports.count()).toBe(reports);
    expect(await second.db.quarantine.count()).toBe(0);
  }, 120_000);

  test('a key imported during the last page of a pull opens that page when the sync ends', async () => {
    const { deployment, monitor, second } = await deskAwaitingItsKey();
    for (let i = 0; i < 3; i++) await createReport(monitor.writer, { ...damageReport, narrative: `${MARKER} ${i}` });
    await syncDevice(monitor);

    const out = await syncWithKeyFileDuringFirstRound(second, deployment);
    expect(out.reopened).toBe(3);
    expect(await second.db.reports.count()).toBe(3);
  });

  test('an op parked after the key came, by a sync that began before it, opens at the next try with the same key', async () => {
    const { deployment, monitor, second } = await deskAwaitingItsKey();
    await createReport(monitor.writer, { ...damageReport, narrative: 'before the key' });
    await syncDevice(monitor);
    await syncDevice(second);
    second.keys.deploymentPrivate = deployment;
    const reader = () => readerOf(second.db, second.keys);
    const deps = { device: second.device, now: second.writer.now };
    expect(await reopenWaiting(second.db, await reader(), deps)).toBe(1);

    // The sync that began before the key goes on, and parks the next op it pulls as it would have.
    const late = await createReport(monitor.writer, { ...damageReport, narrative: `${MARKER} after the key` });
    await syncDevice(monitor);
    const row = (await monitor.db.ops.toArray()).find((o) => o.reportId === late)!;
    await takeIn(
      second.db,
      {
        ops: [],
        toQuarantine: [{ id: row.id, reason: QUARANTINE_REASONS.notForThisDevice, raw: wireOf(row), seq: 99 }],
        rejected: [],
        covering: {},
      },
      deps,
    );
    expect(await reopenWaiting(second.db, await reader(), deps)).toBe(1);
    expect(await narrative(second, late)).toBe(`${MARKER} after the key`);
    // Nothing new waits: the next try does not read the quarantine again.
    expect(await reopenWaiting(second.db, await reader(), deps)).toBe(0);
  });

  test('a desk holding more than a pull of ops waiting for its key opens them a pull at a time, its list filling as they open', async () => {
    const { deployment, monitor, second } = await deskAwaitingItsKey();
    const reports = MAX_BATCH + 20;
    for (let i = 0; i < reports; i++) await createReport(monitor.writer, { ...damageReport, narrative: `${MARKER} ${i}` });
    await syncDevice(monitor);
    await syncDevice(second);
    expect(await second.db.reports.count()).toBe(0);

    second.keys.deploymentPrivate = deployment;
    const listedMeanwhile: number[] = [];
    const reader = () => readerOf(second.db, second.keys);
    const opened = await reopenWaiting(second.db, await reader(), { device: second.device, now: second.writer.now }, async () => {
      listedMeanwhile.push(await second.db.reports.count());
      return reader();
    });
    expect(opened).toBe(reports);
    // What the first part opened was listed while the rest still waited.
    expect(listedMeanwhile[0]).toBeGreaterThan(0);
    expect(listedMeanwhile[0]).toBeLessThan(reports);
    expect(await second.db.reports.count()).toBe(reports);
    expect(await second.db.quarantine.count()).toBe(0);
  }, 120_000);

  test('a body is sealed with the dictionary codec only once every device has said it opens it', async () => {
    const { base, deployment, coordinator, monitor } = await sealedDeployment();
    /** The codec of the body of `id`'s create op, in the form the monitor sent, opened with the deployment key. */
    const codecOf = async (id: ReportId) => {
      const row = (await monitor.db.ops.toArray()).find((o) => o.reportId === id && o.kind === 'create')!;
      const opened = await openPlaintext(row.wire, {
        mine: [deployment],
        agreementKey: () => monitor.keys.device.agreement.publicKey,
        signingKey: () => undefined,
        pairs: new PairKeyCache(),
      });
      return opened.ok ? opened.plaintext[0] : opened.reason;
    };
    // A device enrolled by an app that says nothing of codecs, as one of an earlier release.
    const made = await base.fetch(`${ORIGIN}/api/v1/enrollment-codes`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${coordinator.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ role: 'coordinator' }),
    });
    const { code } = (await made.json()) as { code: string };
    const silent = 'coord-earlier-0001';
    await base.fetch(`${ORIGIN}/api/v1/enroll`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code, device: silent }),
    });

    const first = await createReport(monitor.writer, damageReport);
    await syncDevice(monitor);
    expect(await codecOf(first)).toBe(1);
    expect(await monitor.db.getMeta('codecs')).toEqual([0, 1]);

    await base.fetch(`${ORIGIN}/api/v1/devices/${silent}/revoke`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${coordinator.token}` },
    });
    await syncDevice(monitor);
    expect(await monitor.db.getMeta('codecs')).toEqual([0, 1, 2]);
    const second = await createReport(monitor.writer, damageReport);
    await syncDevice(monitor);
    expect(await codecOf(second)).toBe(2);
    await syncDevice(coordinator);
    expect(await narrative(coordinator, second)).toBe(damageReport.narrative);
  });

  test('a device that does not know the codecs yet seals its first batch with codec 1, and the next with codec 2', async () => {
    const { monitor } = await sealedDeployment();
    const keys = {
      mine: [monitor.keys.device.agreement],
      agreementKey: () => monitor.keys.device.agreement.publicKey,
      signingKey: () => undefined,
      pairs: new PairKeyCache(),
    };
    const codecsOf = async () => {
      const rows = (await monitor.db.ops.toArray()).filter((o) => o.device === monitor.device && o.kind === 'create');
      return Promise.all(
        rows.map(async (row) => {
          const opened = await openPlaintext(row.wire, keys);
          return opened.ok ? opened.plaintext[0] : opened.reason;
        }),
      );
    };
    for (let i = 0; i < 2; i++) await createReport(monitor.writer, damageReport);
    expect(await monitor.db.getMeta('codecs')).toBeUndefined();
    const said: unknown[] = [];
    const watched = {
      ...monitor.sync,
      transport: (request: Parameters<typeof monitor.sync.transport>[0]) => {
        said.push(request.codecs);
        return monitor.sync.transport(request);
      },
    };
    await runSync(watched);
    expect(said.every((c) => JSON.stringify(c) === '[0,1,2]')).toBe(true);
    expect(await codecsOf()).toEqual([1, 1]);
    expect(await monitor.db.getMeta('codecs')).toEqual([0, 1, 2]);
    await createReport(monitor.writer, damageReport);
    await runSync(watched);
    expect((await codecsOf()).sort()).toEqual([1, 1, 2]);
  });

  test('a push of several batches seals each next one while the last is on the wire, again when the base named other codecs, and sends each op in one form', async () => {
    const { coordinator, monitor } = await sealedDeployment();
    const keys = {
      mine: [monitor.keys.device.agreement],
      agreementKey: () => monitor.keys.device.agreement.publicKey,
      signingKey: () => undefined,
      pairs: new PairKeyCache(),
    };
    // A phone that pulled its deployment's roster under an earlier release, which kept no codecs:
    // the base's first answer brings no deployment op, only its codecs.
    await syncDevice(monitor);
    await monitor.db.meta.delete('codecs');
    const reports = 2 * MAX_BATCH + 20;
    for (let i = 0; i < reports; i++) await createReport(monitor.writer, { ...damageReport, narrative: `${MARKER} ${i}` });
    const out = await runSync(monitor.sync);
    expect(out.sent).toBe(reports);

    // The first batch went before the base said its codecs; the second, sealed while the first was
    // on the wire, was sealed again with the dictionary the base then named, and so was the third.
    const own = (
      await monitor.db.ops.where('[device+deviceSeq]').between([monitor.device, 0], [monitor.device, Infinity]).toArray()
    ).filter((o) => o.kind === 'create');
    const codecs = await Promise.all(
      own.map(async (row) => {
        const opened = await openPlaintext(row.wire, keys);
        return opened.ok ? opened.plaintext[0] : opened.reason;
      }),
    );
    expect(codecs.slice(0, MAX_BATCH).every((c) => c === 1)).toBe(true);
    expect(codecs.slice(MAX_BATCH).every((c) => c === 2)).toBe(true);

    // The desk holds every op in the very form the phone kept: none was sealed twice.
    await syncDevice(coordinator);
    expect(await coordinator.db.reports.count()).toBe(reports);
    const held = new Map((await coordinator.db.ops.bulkGet(own.map((o) => o.id))).map((r) => [r!.id, r!.wire]));
    expect(own.every((o) => JSON.stringify(held.get(o.id)) === JSON.stringify(o.wire))).toBe(true);
  }, 120_000);

  test('changing one character of a sealed body, of a header, or of a signature on the base sends the op to quarantine', async () => {
    const { base, deployment, coordinator, monitor } = await sealedDeployment();
    const first = await createReport(monitor.writer, { ...damageReport, narrative: 'first' });
    const second = await createReport(monitor.writer, { ...damageReport, narrative: 'second' });
    await syncDevice(monitor);
    const db = base.store.db;
    const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);

    const body = (await db.selectFrom('ops').select('body').where('report_id', '=', first).executeTakeFirstOrThrow()).body;
    const sealed = JSON.parse(body) as { ct: string };
    await db
      .updateTable('ops')
      .set({ body: body.replace(sealed.ct, flip(sealed.ct, 10)) })
      .where('report_id', '=', first)
      .execute();
    await db.updateTable('ops').set({ device_seq: 99 }).where('report_id', '=', second).execute();
    const ids = await db.selectFrom('ops').select(['id', 'report_id']).execute();
    const idOf = (r: string) => ids.find((o) => o.report_id === r)!.id;

    // A desk that starts afresh reads everything from the base.
    const fresh = await deployments.sealingDevice(base, 'coord-c', 'coordinator', coordinator, deployment);
    await syncDevice(fresh);
    let reasons = Object.fromEntries((await fresh.db.quarantine.toArray()).map((q) => [q.id, q.reason]));
    expect(reasons).toEqual({ [idOf(first)]: QUARANTINE_REASONS.openFailed, [idOf(second)]: QUARANTINE_REASONS.openFailed });
    expect(await fresh.db.reports.get(first)).toBeUndefined();
    expect(await fresh.db.reports.get(second)).toBeUndefined();

    // A roster whose signature was changed is refused, and with it the keys it would name:
    // the monitor's ops then wait, unopened, rather than being read on the base's word.
    const roster = await db.selectFrom('ops').select(['id', 'sig']).where('report_id', '=', 'roster').executeTakeFirstOrThrow();
    await db
      .updateTable('ops')
      .set({ sig: flip(roster.sig!, 5) })
      .where('id', '=', roster.id)
      .execute();
    const later = await deployments.sealingDevice(base, 'coord-d', 'coordinator', coordinator, deployment);
    await syncDevice(later);
    reasons = Object.fromEntries((await later.db.quarantine.toArray()).map((q) => [q.id, q.reason]));
    expect(reasons[roster.id]).toBe(QUARANTINE_REASONS.badSignature);
    expect(reasons[idOf(first)]).toBe(QUARANTINE_REASONS.unknownSender);
    expect(await later.db.settings.get(ROSTER_ID)).toBeUndefined();
  });

  test('every op leaves with its outer signature, one sealed before ops had it included, and the base checks it', async () => {
    const { base, monitor, coordinator } = await sealedDeployment();
    const id = await createReport(monitor.writer, damageReport);
    // Sealed as an app from before outer signatures left it: its sealed form kept, unsent.
    const unsent = (await monitor.db.ops.toArray()).find((o) => o.reportId === id)!;
    const [row] = await sealOutgoing(monitor.db, [{ row: unsent, wire: wireOf(unsent) }], monitor.keys, undefined);
    const { osig: _osig, ...older } = row!.wire;
    await monitor.db.ops.update(row!.row.id, { wire: older });

    expect(await syncDevice(monitor)).toMatchObject({ sent: 1, rejected: [], deferred: 0 });
    const [stored] = await base.store.db.selectFrom('ops').select(['id', 'body', 'osig']).where('id', '=', row!.row.id).execute();
    // The same op, byte for byte, now with an outer signature that verifies under the monitor's key.
    expect(stored!.body).toBe(older.body);
    expect(await checkOuter(monitor.keys.device.signing.publicKey, older, stored!.body, stored!.osig)).toBe(true);
    expect((await monitor.db.ops.get(row!.row.id))?.wire?.osig).toBe(stored!.osig);
    await syncDevice(coordinator);
    expect((await coordinator.db.ops.get(row!.row.id))?.wire?.osig).toBe(stored!.osig);
  });

  test('sync by file carries sealed ops: the request file holds no report text, and the reply opens on the phone', async () => {
    const { coordinator, monitor } = await sealedDeployment();
    await syncDevice(monitor);
    const id = await createReport(monitor.writer, { ...damageReport, narrative: MARKER });
    const request = await writeRequestFile(monitor.db, monitor.device, monitor.writer.now, monitor.keys);
    const text = JSON.stringify(request);
    expect(text).not.toContain(MARKER);
    expect(request.ops.every((o) => o.v === 2)).toBe(true);

    const answered = await answerRequest(coordinator.sync, text);
    expect(answered).toMatchObject({ ops: 1, acked: 1, rejected: 0 });
    expect(await narrative(coordinator, id)).toBe(MARKER);
    // What the phone pushes later is what the file carried: the base already holds the same bytes.
    const taken = await readReply(monitor.db, monitor.device, JSON.stringify(answered.reply), monitor.writer.now, monitor.keys);
    expect(taken.quarantined).toBe(0);
    const out = await syncDevice(monitor);
    expect(out).toMatchObject({ sent: 0, rejected: [] });
  });
});
