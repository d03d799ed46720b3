// Must come first: Dexie looks for IndexedDB when it is first imported.
import 'fake-indexeddb/auto';
import { describe, expect, test } from 'vitest';
import { createReport, editReport } from '../../../src/app/store/reports.ts';
import { DataKeyHolder } from '../../../src/app/store/at-rest.ts';
import { writeOp } from '../../../src/app/store/write-op.ts';
import { writeRequestFile } from '../../../src/app/sync/file.ts';
import { signWithRootFile } from '../../../src/app/sync/root-signing.ts';
import {
  confirmRenewal,
  lastOwnRenewal,
  lastSendable,
  ownSpans,
  RenewalError,
  renewKeys,
  waitingRenewals,
} from '../../../src/app/sync/key-renewal.ts';
import { sealOutgoing, outbox } from '../../../src/app/sync/push.ts';
import { keepRoster } from '../../../src/app/sync/service.ts';
import type { KeyStore, StoredDeviceKeys } from '../../../src/app/keys/device-keys.ts';
import { checkOuter } from '../../../src/domain/op/outer-signature.ts';
import { deviceKeysFingerprint } from '../../../src/domain/crypto/fingerprint.ts';
import { generateKeyPair } from '../../../src/domain/crypto/keys.ts';
import type { ReportId } from '../../../src/domain/ids.ts';
import { renewalChanges, RENEWALS_ID } from '../../../src/domain/key-renewal.ts';
import { viewOf } from '../../../src/domain/merge.ts';
import { ORIGIN, rootedDeployment, secondCoordinator, syncDevice, trackDeployments, type Device } from './sync-fixtures.ts';
import { damageReport } from '../store/store-fixtures.ts';

const deployments = trackDeployments();

async function unlocked(): Promise<DataKeyHolder> {
  const keys = new DataKeyHolder();
  await keys.set(crypto.getRandomValues(new Uint8Array(32)));
  return keys;
}

/**
 * Where a test device keeps its wrapped keys. The fixture's devices hold their enrollment pairs in
 * memory only, so the entry starts with stand-ins for them: a renewal adds to it and reads nothing else.
 */
function keptKeys(): KeyStore & { kept: StoredDeviceKeys } {
  const store = {
    kept: { agreement: {}, signing: {} } as unknown as StoredDeviceKeys,
    read: () => Promise.resolve(store.kept),
    write: (keys: StoredDeviceKeys) => {
      store.kept = keys;
      return Promise.resolve();
    },
  };
  return store;
}

async function narrative(d: Device, id: ReportId) {
  const row = await d.db.reports.get(id);
  return row && viewOf(row.state).values.narrative;
}

const endpointOf = (d: Device, fetch: Parameters<typeof keepRoster>[1]['fetch']) => ({ origin: ORIGIN, token: d.token, fetch });

describe('a monitor renews its keys', () => {
  test('confirmed by a coordinator, the new keys sign its ops from the renewal on, and both sides read each other', async () => {
    const { base, coordinator, monitor } = await rootedDeployment(deployments);
    await syncDevice(monitor);
    const before = await createReport(monitor.writer, { ...damageReport, narrative: 'قبل المفاتيح الجديدة' });
    await syncDevice(monitor);
    await syncDevice(coordinator);
    await editReport(coordinator.writer, before, { verification: 'verified' });
    await syncDevice(coordinator);

    const renewal = await renewKeys(monitor.writer, monitor.keys, await unlocked(), keptKeys());
    const after = await createReport(monitor.writer, { ...damageReport, narrative: 'بعد المفاتيح الجديدة' });
    expect(await lastSendable(monitor.db, monitor.keys)).toBe(renewal.since - 1);
    expect((await monitor.db.ops.where('reportId').equals(after).first())!.deviceSeq).toBeGreaterThanOrEqual(renewal.since);

    // The renewal travels; the report after it waits on the phone.
    expect(await syncDevice(monitor)).toMatchObject({ rejected: [], deferred: 0 });
    await syncDevice(coordinator);
    expect(await coordinator.db.reports.get(after)).toBeUndefined();
    expect(await lastOwnRenewal(monitor.db, monitor.keys)).toMatchObject({ since: renewal.since, confirmed: false });

    // The desk offers it with the fingerprint the phone shows, to read back with the monitor.
    const waiting = await waitingRenewals(coordinator.db, 'monitor', coordinator.device);
    const shown = await lastOwnRenewal(monitor.db, monitor.keys);
    expect(waiting).toEqual([{ renewal, fingerprint: shown!.fingerprint }]);
    expect(shown!.fingerprint).toBe(await deviceKeysFingerprint(renewal.keys));
    await confirmRenewal(coordinator.writer, renewal);
    await syncDevice(coordinator);
    expect(await waitingRenewals(coordinator.db, 'monitor', coordinator.device)).toEqual([]);
    // The base still lists the keys the monitor enrolled with: keeping the roster states nothing again.
    const rosterOps = await coordinator.db.ops.where('reportId').equals('roster').count();
    await keepRoster(coordinator.writer, endpointOf(coordinator, base.fetch), coordinator.device, coordinator.keys);
    expect(await coordinator.db.ops.where('reportId').equals('roster').count()).toBe(rosterOps);

    // The phone learns of the confirmation and sends what waited, signed by the new keys.
    expect(await syncDevice(monitor)).toMatchObject({ rejected: [], deferred: 0, quarantined: 0 });
    expect(await lastOwnRenewal(monitor.db, monitor.keys)).toMatchObject({ confirmed: true });
    expect(await lastSendable(monitor.db, monitor.keys)).toBe(Infinity);
    const sent = (await monitor.db.ops.where('reportId').equals(after).first())!.wire!;
    const [renewed] = monitor.keys.device.renewed!;
    expect(await checkOuter(renewed!.signing.publicKey, sent, sent.body, sent.osig)).toBe(true);
    expect(await checkOuter(monitor.keys.device.signing.publicKey, sent, sent.body, sent.osig)).toBe(false);

    expect(await syncDevice(coordinator)).toMatchObject({ quarantined: 0 });
    expect(await narrative(coordinator, after)).toBe('بعد المفاتيح الجديدة');
    // A correction is sealed to the new agreement key, and the phone still reads what was sealed to the old one.
    await editReport(coordinator.writer, after, { narrative: 'بعد المفاتيح الجديدة، مصححة' });
    await editReport(coordinator.writer, before, { narrative: 'قبل المفاتيح الجديدة، مصححة' });
    await syncDevice(coordinator);
    expect(await syncDevice(monitor)).toMatchObject({ quarantined: 0 });
    expect(await narrative(monitor, after)).toBe('بعد المفاتيح الجديدة، مصححة');
    expect(await narrative(monitor, before)).toBe('قبل المفاتيح الجديدة، مصححة');
  });

  test('until a coordinator confirms, the base takes nothing the new keys signed, and no file carries it', async () => {
    const { base, coordinator, monitor } = await rootedDeployment(deployments);
    await syncDevice(monitor);
    const renewal = await renewKeys(monitor.writer, monitor.keys, await unlocked(), keptKeys());
    await syncDevice(monitor);
    const waited = await createReport(monitor.writer, { ...damageReport, narrative: 'ينتظر التأكيد' });

    // A phone that sent it anyway: the base cannot show the new keys are the device's, and stores nothing.
    const watermark = (await monitor.db.getMeta('watermark')) ?? 0;
    const early = await sealOutgoing(monitor.db, await outbox(monitor.db, monitor.device, watermark), monitor.keys, undefined);
    expect(early.map((o) => o.row.deviceSeq)).toEqual([renewal.since]);
    const res = await base.fetch(`${ORIGIN}/api/v1/sync`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${monitor.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ epoch: null, cursor: null, ops: early.map((o) => o.wire), limit: 1 }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { results: { status: string }[] }).results).toEqual([expect.objectContaining({ status: 'retry' })]);
    await syncDevice(coordinator);
    expect(await coordinator.db.reports.get(waited)).toBeUndefined();

    // A file made meanwhile holds nothing after the renewal.
    const file = await writeRequestFile(monitor.db, monitor.device, monitor.writer.now, monitor.keys);
    expect(file.ops.every((o) => o.deviceSeq < renewal.since)).toBe(true);

    // One renewal at a time: a second would leave the first's ops without keys that sign them.
    await expect(renewKeys(monitor.writer, monitor.keys, await unlocked(), keptKeys())).rejects.toThrow(RenewalError);
    expect((await ownSpans(monitor.db, monitor.keys)).map((s) => s.since)).toEqual([1, renewal.since]);
  });

  test('a desk offers no renewal whose new keys did not sign it, nor one of a device revoked before it', async () => {
    const { base, coordinator, monitors } = await rootedDeployment(deployments, ['first', 'second', 'third']);
    const [first, second, third] = monitors;
    for (const m of monitors) await syncDevice(m);
    // The first names keys another key signed for: whoever holds them did not ask.
    const [theirs, other, agreement] = await Promise.all([
      generateKeyPair('ed25519'),
      generateKeyPair('ed25519'),
      generateKeyPair('x25519'),
    ]);
    const changes = await renewalChanges(first!.device, { agreement: agreement.publicKey.text, signing: theirs.publicKey.text }, other);
    await writeOp(first!.writer, RENEWALS_ID, (_state, hlc) => ({ kind: 'deployment', body: { hlc, changes, supersedes: {} } }));
    await syncDevice(first!);
    // The second renews, and is then revoked at its last op the base took: the renewal itself.
    await renewKeys(second!.writer, second!.keys, await unlocked(), keptKeys());
    await syncDevice(second!);
    const revoked = await base.fetch(`${ORIGIN}/api/v1/devices/${second!.device}/revoke`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${coordinator.token}` },
    });
    expect(revoked.status).toBe(200);
    // The third asks as it should.
    const genuine = await renewKeys(third!.writer, third!.keys, await unlocked(), keptKeys());
    await syncDevice(third!);
    await keepRoster(coordinator.writer, endpointOf(coordinator, base.fetch), coordinator.device, coordinator.keys);
    await syncDevice(coordinator);

    expect(await coordinator.db.ops.where('reportId').equals(RENEWALS_ID).count()).toBe(3);
    expect((await waitingRenewals(coordinator.db, 'monitor', coordinator.device)).map((w) => w.renewal)).toEqual([genuine]);
  });

  test('a coordinator renews its keys: the root file confirms them, not another coordinator', async () => {
    const rooted = await rootedDeployment(deployments);
    const { coordinator, monitor } = rooted;
    const { second, file, pass, ctx } = await secondCoordinator(deployments, rooted);
    await syncDevice(coordinator);
    await syncDevice(second);
    const id = await createReport(monitor.writer, { ...damageReport, narrative: 'قبل' });
    await syncDevice(monitor);
    await syncDevice(second);

    const renewal = await renewKeys(second.writer, second.keys, await unlocked(), keptKeys());
    await editReport(second.writer, id, { verification: 'verified' });
    await syncDevice(second);
    await syncDevice(coordinator);
    // Another coordinator is not offered it, and a roster entry of its own for it counts for nothing.
    expect(await waitingRenewals(coordinator.db, 'monitor', coordinator.device)).toEqual([]);
    await confirmRenewal(coordinator.writer, renewal);
    await syncDevice(coordinator);
    await syncDevice(second);
    expect(await lastOwnRenewal(second.db, second.keys)).toMatchObject({ confirmed: false });
    expect(viewOf((await monitor.db.reports.get(id))!.state).values.verification).toBeUndefined();

    // The root file, opened on the first desk, names the second coordinator with its new keys from the renewal on.
    expect((await waitingRenewals(coordinator.db, 'coordinator')).map((w) => w.renewal)).toEqual([renewal]);
    expect(await signWithRootFile(file, pass, ctx)).toEqual({ ok: true, coordinators: 2 });
    await syncDevice(coordinator);
    expect(await syncDevice(second)).toMatchObject({ rejected: [], deferred: 0 });
    expect(await lastOwnRenewal(second.db, second.keys)).toMatchObject({ confirmed: true });
    expect(await syncDevice(monitor)).toMatchObject({ quarantined: 0 });
    expect(viewOf((await monitor.db.reports.get(id))!.state).values.verification).toBe('verified');
  });
});
