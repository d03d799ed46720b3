/** Pushing ops: per-op answers, idempotence, and who may write what. Both dialects. */
import { beforeAll, expect, it } from 'vitest';
import { SUITES } from '../../../src/domain/crypto/algorithms.ts';
import { generateKeyPair, type AgreementKeyPair } from '../../../src/domain/crypto/keys.ts';
import { signOuter } from '../../../src/domain/op/outer-signature.ts';
import { PairKeyCache } from '../../../src/domain/crypto/pair-keys.ts';
import { sealForWire, type Sealer } from '../../../src/domain/op/outgoing.ts';
import type { DeviceId } from '../../../src/domain/ids.ts';
import type { Attachment, Op } from '../../../src/domain/op/op.ts';
import { sealedBlobSize } from '../../../src/domain/crypto/blob-seal.ts';
import type { ServedOp, WireOp } from '../../../src/domain/op/wire.ts';
import { setDeploymentKey, setDeploymentRoot } from '../../../src/server/enrollment/deployment-key.ts';
import { signRootStatement } from '../../../src/domain/root-statement.ts';
import { rosterField } from '../../../src/domain/roster.ts';
import { revokeDevice } from '../../../src/server/enrollment/devices.ts';
import { pullOps } from '../../../src/server/store/pull.ts';
import { pushOps } from '../../../src/server/store/push.ts';
import {
  blobsText,
  pushedOfWire,
  REJECT,
  RETRY,
  MAX_STORED_BODY_BYTES,
  type Caller,
  type PushedOp,
} from '../../../src/server/store/rules.ts';
import type { Store } from '../../../src/server/store/open.ts';
import { COORDINATOR, enrolled, forEachDialect, MONITOR_A, MONITOR_B, newId, op } from './dialects.ts';
import { deviceId, opId, reportId, targetId } from '../../ids.ts';

const monitorA: Caller = { device: MONITOR_A, role: 'monitor' };
const monitorB: Caller = { device: MONITOR_B, role: 'monitor' };
const coordinator: Caller = { device: COORDINATOR, role: 'coordinator' };
const NOW = Date.UTC(2025, 5, 1, 12);

const push = (store: Store, caller: Caller, ops: PushedOp[], now = NOW) => pushOps(store.db, { caller, ops, now });

async function rows(store: Store) {
  return store.db.selectFrom('ops').selectAll().orderBy('seq').execute();
}

forEachDialect('pushing ops', ({ open }) => {
  it('a new op is acknowledged and stored with a sequence number and its received time', async () => {
    const store = await open();
    const create = op(MONITOR_A, 1, 'create', newId(), { sig: 'c2ln' });
    expect(await push(store, monitorA, [create])).toEqual([{ id: create.header.id, status: 'ack' }]);
    const [row] = await rows(store);
    expect(row).toMatchObject({
      seq: 1,
      id: create.header.id,
      v: 1,
      kind: 'create',
      report_id: create.header.reportId,
      device: MONITOR_A,
      device_seq: 1,
      body: create.body,
      sig: 'c2ln',
      status: 'ok',
      reject_reason: null,
      received_at: NOW,
    });
    expect(typeof row!.seq).toBe('number');
  });

  it('sequence numbers follow one another across batches', async () => {
    const store = await open();
    const report = newId();
    await push(store, monitorA, [op(MONITOR_A, 1, 'create', report), op(MONITOR_A, 2, 'edit', report)]);
    await push(store, monitorA, [op(MONITOR_A, 3, 'edit', report)]);
    expect((await rows(store)).map((r) => [r.seq, r.device_seq])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
  });

  it('a retried op with the same bytes is acknowledged again and stored once', async () => {
    const store = await open();
    const create = op(MONITOR_A, 1, 'create', newId(), { sig: 'sig' });
    await push(store, monitorA, [create]);
    const again = { header: { ...create.header }, body: create.body, sig: create.sig };
    expect(await push(store, monitorA, [again], NOW + 5000)).toEqual([{ id: create.header.id, status: 'ack' }]);
    const all = await rows(store);
    expect(all).toHaveLength(1);
    expect(all[0]!.received_at).toBe(NOW);
  });

  it('an op repeated within one batch is acknowledged twice and stored once', async () => {
    const store = await open();
    const create = op(MONITOR_A, 1, 'create', newId());
    expect(await push(store, monitorA, [create, create])).toEqual([
      { id: create.header.id, status: 'ack' },
      { id: create.header.id, status: 'ack' },
    ]);
    expect(await rows(store)).toHaveLength(1);
  });

  it('an op id already held with another body is rejected and the held op is unchanged', async () => {
    const store = await open();
    const create = op(MONITOR_A, 1, 'create', newId(), { body: '{"a":1}' });
    await push(store, monitorA, [create]);
    const forged = { ...create, body: '{"a":2}' };
    expect(await push(store, monitorA, [forged])).toEqual([{ id: create.header.id, status: 'rejected', reason: REJECT.idReused }]);
    const all = await rows(store);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ body: '{"a":1}', status: 'ok' });
  });

  it('an op id already held with another signature or header field is rejected', async () => {
    const store = await open();
    const report = newId();
    const create = op(MONITOR_A, 1, 'create', report, { sig: 'one' });
    await push(store, monitorA, [create]);
    const answers = await push(store, monitorA, [
      { ...create, sig: 'two' },
      { ...create, sig: undefined },
      { header: { ...create.header, kind: 'edit' }, body: create.body, sig: 'one' },
    ]);
    expect(answers.map((a) => a.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await rows(store)).toHaveLength(1);
  });

  it('an op id reused at a free (device, deviceSeq) is stored as rejected, so that gap closes', async () => {
    const store = await open();
    const report = newId();
    const create = op(MONITOR_A, 1, 'create', report);
    await push(store, monitorA, [create]);
    const reuse = op(MONITOR_A, 2, 'edit', report, { id: create.header.id });
    expect(await push(store, monitorA, [reuse])).toEqual([{ id: create.header.id, status: 'rejected', reason: REJECT.idReused }]);
    expect((await rows(store)).map((r) => [r.device_seq, r.status, r.reject_reason])).toEqual([
      [1, 'ok', null],
      [2, 'rejected', REJECT.idReused],
    ]);
    const pulled = await pullOps(store.db, { caller: coordinator, after: null, limit: 10 });
    expect(pulled.reset).toBeUndefined();
    if (!pulled.reset) expect(pulled.ops.map((o) => o.op.deviceSeq)).toEqual([1]);
  });

  it('a second op at a (device, deviceSeq) already held is rejected and overwrites nothing', async () => {
    const store = await open();
    const report = newId();
    const create = op(MONITOR_A, 1, 'create', report);
    await push(store, monitorA, [create]);
    const other = op(MONITOR_A, 1, 'edit', report);
    expect(await push(store, monitorA, [other])).toEqual([{ id: other.header.id, status: 'rejected', reason: REJECT.seqTaken }]);
    const all = await rows(store);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ id: create.header.id, kind: 'create', status: 'ok' });
  });

  it('a retried rejected op is rejected again with its first reason', async () => {
    const store = await open();
    const desk = op(MONITOR_A, 1, 'desk', 'partners');
    expect(await push(store, monitorA, [desk])).toEqual([{ id: desk.header.id, status: 'rejected', reason: REJECT.coordinatorOnly }]);
    expect(await push(store, monitorA, [desk])).toEqual([{ id: desk.header.id, status: 'rejected', reason: REJECT.coordinatorOnly }]);
    expect(await rows(store)).toHaveLength(1);
  });

  it('an op in a format version the server does not know is refused for retry and stored nowhere', async () => {
    const store = await open();
    const future = op(MONITOR_A, 1, 'create', newId());
    (future.header as { v: number }).v = 3;
    expect(await push(store, monitorA, [future])).toEqual([{ id: future.header.id, status: 'retry', reason: RETRY.unknownVersion }]);
    expect(await rows(store)).toHaveLength(0);
  });

  it('one bad op does not stop the rest of the batch', async () => {
    const store = await open();
    const report = newId();
    const future = op(MONITOR_A, 2, 'edit', report);
    (future.header as { v: number }).v = 9;
    const batch = [op(MONITOR_A, 1, 'create', report), future, op(MONITOR_A, 3, 'desk', 'exports'), op(MONITOR_A, 4, 'edit', report)];
    const answers = await push(store, monitorA, batch);
    expect(answers.map((a) => a.status)).toEqual(['ack', 'retry', 'rejected', 'ack']);
    expect((await rows(store)).map((r) => [r.device_seq, r.status])).toEqual([
      [1, 'ok'],
      [3, 'rejected'],
      [4, 'ok'],
    ]);
  });

  it('answers come back in the order the ops were sent, even when decided in device order', async () => {
    const store = await open();
    const report = newId();
    const create = op(MONITOR_A, 1, 'create', report);
    const edit = op(MONITOR_A, 2, 'edit', report);
    expect(await push(store, monitorA, [edit, create])).toEqual([
      { id: edit.header.id, status: 'ack' },
      { id: create.header.id, status: 'ack' },
    ]);
  });

  it('a header that names no slot is rejected and stored nowhere; a malformed one with a slot closes its gap', async () => {
    const store = await open();
    const noSlot = op(MONITOR_A, 1, 'create', newId());
    (noSlot.header as { deviceSeq: number }).deviceSeq = 0;
    const badKind = op(MONITOR_A, 1, 'create', newId());
    (badKind.header as { kind: string }).kind = 'photo';
    const answers = await push(store, monitorA, [noSlot, badKind]);
    expect(answers).toEqual([
      { id: noSlot.header.id, status: 'rejected', reason: REJECT.badHeader },
      { id: badKind.header.id, status: 'rejected', reason: REJECT.badHeader },
    ]);
    expect((await rows(store)).map((r) => [r.device_seq, r.kind, r.status])).toEqual([[1, 'photo', 'rejected']]);
  });

  it('a header field with a NUL or a non-object op is rejected without failing the batch', async () => {
    const store = await open();
    const nulKind = op(MONITOR_A, 1, 'create', newId());
    (nulKind.header as { kind: string }).kind = 'cre\u0000ate';
    const good = op(MONITOR_A, 2, 'create', newId());
    const answers = await push(store, monitorA, [nulKind, null as unknown as PushedOp, good]);
    expect(answers).toEqual([
      { id: nulKind.header.id, status: 'rejected', reason: REJECT.badHeader },
      { id: '', status: 'rejected', reason: REJECT.badHeader },
      { id: good.header.id, status: 'ack' },
    ]);
    expect((await rows(store)).map((r) => [r.device_seq, r.kind, r.status])).toEqual([
      [1, 'cre?ate', 'rejected'],
      [2, 'create', 'ok'],
    ]);
  });

  it('a body over the size limit or with a NUL is rejected, and its body is not kept', async () => {
    const store = await open();
    const big = op(MONITOR_A, 1, 'create', newId(), { body: 'x'.repeat(MAX_STORED_BODY_BYTES + 1) });
    const nul = op(MONITOR_A, 2, 'create', newId(), { body: 'a\u0000b' });
    const lone = op(MONITOR_A, 3, 'create', newId(), { body: 'a\uD800b' });
    const fits = op(MONITOR_A, 4, 'create', newId(), { body: 'x'.repeat(MAX_STORED_BODY_BYTES) });
    const answers = await push(store, monitorA, [big, nul, lone, fits]);
    expect(answers.map((a) => (a.status === 'ack' ? 'ack' : a.reason))).toEqual([REJECT.tooLarge, REJECT.badText, REJECT.badText, 'ack']);
    expect((await rows(store)).map((r) => r.body.length)).toEqual([0, 0, 0, MAX_STORED_BODY_BYTES]);
  });

  it('a body is stored byte for byte, Arabic and emoji included', async () => {
    const store = await open();
    const body = '{"narrative":"نزوح ٣٠ أسرة 🏠","x":"\\u0000 escaped"}';
    const create = op(MONITOR_A, 1, 'create', newId(), { body });
    await push(store, monitorA, [create]);
    expect((await rows(store))[0]!.body).toBe(body);
    expect(await push(store, monitorA, [create])).toEqual([{ id: create.header.id, status: 'ack' }]);
  });
});

forEachDialect('who may write what', ({ open }) => {
  it('a monitor cannot write an op of another device, and that device keeps its slot', async () => {
    const store = await open();
    const forged = op(MONITOR_B, 1, 'create', newId());
    expect(await push(store, monitorA, [forged])).toEqual([{ id: forged.header.id, status: 'rejected', reason: REJECT.notOwnDevice }]);
    expect(await rows(store)).toHaveLength(0);
    const real = op(MONITOR_B, 1, 'create', newId());
    expect(await push(store, monitorB, [real])).toEqual([{ id: real.header.id, status: 'ack' }]);
  });

  it("a monitor's deployment and desk ops are rejected and close its gap", async () => {
    const store = await open();
    const answers = await push(store, monitorA, [op(MONITOR_A, 1, 'deployment', 'roster'), op(MONITOR_A, 2, 'desk', 'partners')]);
    expect(answers.map((a) => a.status === 'rejected' && a.reason)).toEqual([REJECT.coordinatorOnly, REJECT.coordinatorOnly]);
    expect((await rows(store)).map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('a coordinator writes deployment and desk ops', async () => {
    const store = await open();
    const answers = await push(store, coordinator, [
      op(COORDINATOR, 1, 'deployment', 'gazetteer'),
      op(COORDINATOR, 2, 'desk', 'export-log'),
    ]);
    expect(answers.map((a) => a.status)).toEqual(['ack', 'ack']);
  });

  it("a monitor's edit on another monitor's report is rejected", async () => {
    const store = await open();
    const report = newId();
    await push(store, monitorA, [op(MONITOR_A, 1, 'create', report)]);
    const edit = op(MONITOR_B, 1, 'edit', report);
    expect(await push(store, monitorB, [edit])).toEqual([{ id: edit.header.id, status: 'rejected', reason: REJECT.notReportOwner }]);
  });

  it('a monitor edits the reports it created', async () => {
    const store = await open();
    const report = newId();
    const answers = await push(store, monitorA, [op(MONITOR_A, 1, 'create', report), op(MONITOR_A, 2, 'edit', report)]);
    expect(answers.map((a) => a.status)).toEqual(['ack', 'ack']);
    expect(await push(store, monitorA, [op(MONITOR_A, 3, 'edit', report)])).toMatchObject([{ status: 'ack' }]);
  });

  it('a create for a report another device created is rejected, and so is a second create by its owner', async () => {
    const store = await open();
    const report = newId();
    await push(store, monitorA, [op(MONITOR_A, 1, 'create', report)]);
    expect(await push(store, monitorB, [op(MONITOR_B, 1, 'create', report)])).toMatchObject([
      { status: 'rejected', reason: REJECT.reportOwned },
    ]);
    expect(await push(store, monitorA, [op(MONITOR_A, 2, 'create', report)])).toMatchObject([
      { status: 'rejected', reason: REJECT.reportExists },
    ]);
    const owners = await store.db.selectFrom('report_owners').selectAll().execute();
    expect(owners).toEqual([{ report_id: report, device: MONITOR_A }]);
  });

  it('an edit that arrives before its create is refused for retry, then acknowledged once the create is in', async () => {
    const store = await open();
    const report = newId();
    const create = op(MONITOR_A, 1, 'create', report);
    const edit = op(MONITOR_A, 2, 'edit', report);
    expect(await push(store, monitorA, [edit])).toEqual([{ id: edit.header.id, status: 'retry', reason: RETRY.createPending }]);
    expect(await rows(store)).toHaveLength(0);
    expect((await push(store, monitorA, [create, edit])).map((a) => a.status)).toEqual(['ack', 'ack']);
  });

  it('an edit whose create never came is rejected once every op before it is decided', async () => {
    const store = await open();
    const report = newId();
    await push(store, monitorA, [op(MONITOR_A, 1, 'create', newId())]);
    const edit = op(MONITOR_A, 2, 'edit', report);
    expect(await push(store, monitorA, [edit])).toEqual([{ id: edit.header.id, status: 'rejected', reason: REJECT.notReportOwner }]);
  });

  it("a coordinator relaying a monitor's ops keeps the monitor as author, under the monitor's rules", async () => {
    const store = await open();
    await enrolled(store, MONITOR_A, 'monitor');
    const own = newId();
    const others = newId();
    await push(store, monitorB, [op(MONITOR_B, 1, 'create', others)]);
    const relayed = [
      op(MONITOR_A, 1, 'create', own),
      op(MONITOR_A, 2, 'edit', own),
      op(MONITOR_A, 3, 'edit', others),
      op(MONITOR_A, 4, 'deployment', 'roster'),
    ];
    const answers = await push(store, coordinator, relayed);
    expect(answers.map((a) => (a.status === 'ack' ? 'ack' : a.reason))).toEqual([
      'ack',
      'ack',
      REJECT.notReportOwner,
      REJECT.coordinatorOnly,
    ]);
    const stored = await store.db
      .selectFrom('ops')
      .select(['device', 'device_seq'])
      .where('device', '=', MONITOR_A)
      .orderBy('device_seq')
      .execute();
    expect(stored).toEqual([1, 2, 3, 4].map((s) => ({ device: MONITOR_A, device_seq: s })));
    const owners = await store.db.selectFrom('report_owners').select('device').where('report_id', '=', reportId(own)).execute();
    expect(owners).toEqual([{ device: MONITOR_A }]);
  });

  it("a coordinator relaying another coordinator's deployment op is acknowledged when the roster says coordinator", async () => {
    const store = await open();
    const other = deviceId('coordinator-02');
    await store.db
      .insertInto('devices')
      .values({ device: other, role: 'coordinator', token_hash: 'h2', revoked_at: null, created_at: NOW })
      .execute();
    await enrolled(store, MONITOR_A, 'monitor');
    const answers = await push(store, coordinator, [op(other, 1, 'deployment', 'roster'), op(MONITOR_A, 1, 'deployment', 'roster')]);
    expect(answers.map((a) => (a.status === 'ack' ? 'ack' : a.reason))).toEqual(['ack', REJECT.coordinatorOnly]);
  });

  it('an op relayed for a device this base never enrolled is held back for retry and takes no slot', async () => {
    const store = await open();
    const stranger = op('never-enrolled-9', 1, 'create', newId());
    const roster = op('never-enrolled-9', 2, 'deployment', 'roster');
    expect(await push(store, coordinator, [stranger, roster])).toEqual([
      { id: stranger.header.id, status: 'retry', reason: RETRY.unknownAuthor },
      { id: roster.header.id, status: 'retry', reason: RETRY.unknownAuthor },
    ]);
    expect(await rows(store)).toHaveLength(0);
  });

  it("a revoked device's ops relayed above its cut-off take no slot; those below it still count", async () => {
    const store = await open();
    await enrolled(store, MONITOR_A, 'monitor');
    const report = newId();
    const [first, second] = [op(MONITOR_A, 1, 'create', report), op(MONITOR_A, 2, 'edit', report)];
    await push(store, monitorA, [first, second]);
    await revokeDevice(store.db, MONITOR_A, NOW);
    // Written on the stolen phone after the base last heard of it, carried by a coordinator that synced with it.
    const late = op(MONITOR_A, 3, 'edit', report);
    expect(await push(store, coordinator, [first, second, late])).toEqual([
      { id: first.header.id, status: 'ack' },
      { id: second.header.id, status: 'ack' },
      { id: late.header.id, status: 'retry', reason: RETRY.afterCutoff },
    ]);
    expect((await rows(store)).filter((r) => r.device === MONITOR_A)).toHaveLength(2);
  });

  it('a coordinator edits any report', async () => {
    const store = await open();
    const report = newId();
    await push(store, monitorA, [op(MONITOR_A, 1, 'create', report)]);
    expect(await push(store, coordinator, [op(COORDINATOR, 1, 'edit', report)])).toMatchObject([{ status: 'ack' }]);
  });

  it('reports are named by UUID and settings never are', async () => {
    const store = await open();
    const answers = await push(store, coordinator, [op(COORDINATOR, 1, 'create', 'roster'), op(COORDINATOR, 2, 'deployment', newId())]);
    expect(answers.map((a) => a.status === 'rejected' && a.reason)).toEqual([REJECT.reportIdKind, REJECT.reportIdKind]);
  });
});

const SUITE = SUITES['x25519-ed25519'];
let deployment: AgreementKeyPair;
let monitorKeys: Sealer;
let coordinatorKeys: Sealer;

beforeAll(async () => {
  deployment = await generateKeyPair(SUITE.agreement);
  const sealer = async (): Promise<Sealer> => ({
    agreement: await generateKeyPair(SUITE.agreement),
    signing: await generateKeyPair(SUITE.signing),
    pairs: new PairKeyCache(),
  });
  monitorKeys = await sealer();
  coordinatorKeys = await sealer();
});

const hlc = (device: string, seq: number) => `2025-06-01T12:00:00.000Z-${seq.toString(16).padStart(4, '0')}-${device.replace(/-/g, '')}`;

/** A real version-2 op: sealed to the deployment key and the author, or for a deployment op signed. */
async function sealed(
  device: DeviceId,
  deviceSeq: number,
  kind: Op['kind'],
  reportId: string,
  keys: Sealer,
  attachments?: Attachment[],
): Promise<{ wire: WireOp; pushed: PushedOp }> {
  const clear: Op = {
    v: 1,
    id: opId(newId()),
    kind,
    reportId: targetId(reportId),
    device,
    deviceSeq,
    body: { hlc: hlc(device, deviceSeq), changes: { narrative: 'نزوح ٣٠ أسرة' }, supersedes: {}, ...(attachments && { attachments }) },
  };
  const made = await sealForWire(clear, keys, [deployment.publicKey, keys.agreement.publicKey]);
  if (!made.ok) throw new Error(made.reason);
  return { wire: made.wire, pushed: pushedOfWire(made.wire) };
}

/** An invented photo of `bytes`, its original and sealed blob named by hashes made from `n`. */
const photo = (n: number, bytes = 2_400_000): Attachment => ({
  sha256: String(n).padStart(64, 'e'),
  bytes,
  mime: 'image/jpeg',
  blob: { sha256: String(n).padStart(64, 'f'), bytes: sealedBlobSize(bytes) },
  key: 'P'.repeat(43),
});

const served = (o: ServedOp) => o.op;

forEachDialect('a base with a deployment key', ({ open }) => {
  const withKey = async () => {
    const store = await open();
    expect(await setDeploymentKey(store.db, deployment.publicKey.text)).toMatchObject({ ok: true, created: true });
    await enrolled(store, MONITOR_A, 'monitor', monitorKeys);
    await enrolled(store, COORDINATOR, 'coordinator', coordinatorKeys);
    return store;
  };

  it('an op in clear is refused for retry and stored nowhere', async () => {
    const store = await withKey();
    const clear = op(MONITOR_A, 1, 'create', newId());
    expect(await push(store, monitorA, [clear])).toEqual([{ id: clear.header.id, status: 'retry', reason: RETRY.unsealed }]);
    expect(await rows(store)).toHaveLength(0);
  });

  it('a sealed op is acknowledged, pulled back byte for byte, and acknowledged again when resent', async () => {
    const store = await withKey();
    const { wire, pushed } = await sealed(MONITOR_A, 1, 'create', newId(), monitorKeys);
    expect(await push(store, monitorA, [pushed])).toEqual([{ id: wire.id, status: 'ack' }]);
    const pulled = await pullOps(store.db, { caller: monitorA, after: null, limit: 10 });
    if (pulled.reset) throw new Error('unexpected reset');
    expect(pulled.ops.map(served)).toEqual([wire]);
    expect(await push(store, monitorA, [{ ...pushed, header: { ...pushed.header } }], NOW + 1000)).toEqual([
      { id: wire.id, status: 'ack' },
    ]);
    expect(await rows(store)).toHaveLength(1);
  });

  it("a coordinator's signed deployment op is stored with its signature and served to monitors as sent", async () => {
    const store = await withKey();
    const { wire, pushed } = await sealed(COORDINATOR, 1, 'deployment', 'roster', coordinatorKeys);
    expect(wire.sig).toHaveLength(86);
    expect(await push(store, coordinator, [pushed])).toEqual([{ id: wire.id, status: 'ack' }]);
    const pulled = await pullOps(store.db, { caller: monitorB, after: null, limit: 10 });
    if (pulled.reset) throw new Error('unexpected reset');
    expect(pulled.ops.map(served)).toEqual([wire]);
  });

  it('a version-2 op with its body in clear is rejected for good, and the clear body is not kept', async () => {
    const store = await withKey();
    const { pushed } = await sealed(MONITOR_A, 1, 'create', newId(), monitorKeys);
    const clearBody = JSON.stringify({ hlc: hlc(MONITOR_A, 1), changes: { narrative: 'in clear' }, supersedes: {} });
    // Signed as sent: a device bug, not a forgery.
    const mislabelled = { ...pushed, body: clearBody, osig: await signOuter(monitorKeys.signing, pushed.header, clearBody) };
    expect(await push(store, monitorA, [mislabelled])).toEqual([{ id: pushed.header.id, status: 'rejected', reason: REJECT.notSealed }]);
    expect((await rows(store)).map((r) => [r.v, r.status, r.body, r.sig])).toEqual([[2, 'rejected', '', null]]);
  });
});

forEachDialect('outer signatures at the base', ({ open }) => {
  const withKeys = async () => {
    const store = await open();
    await setDeploymentKey(store.db, deployment.publicKey.text);
    await enrolled(store, MONITOR_A, 'monitor', monitorKeys);
    await enrolled(store, COORDINATOR, 'coordinator', coordinatorKeys);
    return store;
  };

  it('a sealed op without its outer signature, or with one that does not verify, is held back and takes no slot', async () => {
    const store = await withKeys();
    const { pushed } = await sealed(MONITOR_A, 1, 'create', newId(), monitorKeys);
    const { osig: _osig, ...unsigned } = pushed;
    const otherKey = { ...pushed, osig: await signOuter(coordinatorKeys.signing, pushed.header, pushed.body) };
    const otherBody = { ...pushed, osig: await signOuter(monitorKeys.signing, pushed.header, `${pushed.body} `) };
    const flipped = { ...pushed, osig: `${pushed.osig!.slice(0, 10)}${pushed.osig![10] === 'A' ? 'B' : 'A'}${pushed.osig!.slice(11)}` };
    for (const [what, sent, reason] of [
      ['no outer signature', unsigned, RETRY.unsigned],
      ['signed by another device', otherKey, RETRY.forged],
      ['signed over another body', otherBody, RETRY.forged],
      ['one character changed', flipped, RETRY.forged],
      ['not text', { ...pushed, osig: 42 as unknown as string }, RETRY.forged],
    ] as const) {
      expect(await push(store, monitorA, [sent]), what).toEqual([{ id: pushed.header.id, status: 'retry', reason }]);
      expect(await push(store, coordinator, [sent]), `${what}, relayed`).toEqual([{ id: pushed.header.id, status: 'retry', reason }]);
    }
    expect(await rows(store)).toHaveLength(0);
    expect(await push(store, monitorA, [pushed])).toEqual([{ id: pushed.header.id, status: 'ack' }]);
  });

  it('an op adding photos is taken with the blobs it lists and served with them; a list changed on the way is forged', async () => {
    const store = await withKeys();
    const report = newId();
    const { wire, pushed } = await sealed(MONITOR_A, 1, 'create', report, monitorKeys, [photo(1), photo(2, 70_000)]);
    const blobs = pushed.blobs!;
    expect(blobs).toEqual([photo(1).blob, photo(2, 70_000).blob]);
    for (const [what, sent] of [
      ['no list', { ...pushed, blobs: undefined }],
      ['another size', { ...pushed, blobs: [blobs[0]!, { ...blobs[1]!, bytes: blobs[1]!.bytes + 16 }] }],
      ['one dropped', { ...pushed, blobs: [blobs[0]!] }],
      ['in another order', { ...pushed, blobs: [blobs[1]!, blobs[0]!] }],
    ] as const) {
      expect(await push(store, monitorA, [sent]), what).toEqual([{ id: wire.id, status: 'retry', reason: RETRY.forged }]);
    }
    expect(await rows(store)).toHaveLength(0);
    expect(await push(store, monitorA, [pushed])).toEqual([{ id: wire.id, status: 'ack' }]);
    const pulled = await pullOps(store.db, { caller: coordinator, after: null, limit: 10 });
    if (pulled.reset) throw new Error('unexpected reset');
    expect(pulled.ops.map(served)).toEqual([wire]);
    // Resent as it was, it is the same op; the same id naming other blobs is another.
    expect(await push(store, monitorA, [pushed], NOW + 1000)).toEqual([{ id: wire.id, status: 'ack' }]);
    const other = { ...pushed, blobs: [blobs[0]!] };
    const resigned = { ...other, osig: await signOuter(monitorKeys.signing, other.header, other.body, other.blobs) };
    expect(await push(store, monitorA, [resigned], NOW + 2000)).toEqual([{ id: wire.id, status: 'rejected', reason: REJECT.idReused }]);
    expect((await rows(store)).map((r) => r.blobs)).toEqual([blobsText(blobs)]);
  });

  it("a coordinator relaying a forged op in a monitor's name takes none of its slots: the monitor's real op is acknowledged", async () => {
    const store = await withKeys();
    const { pushed: forged } = await sealed(MONITOR_A, 1, 'create', newId(), coordinatorKeys);
    expect(await push(store, coordinator, [forged])).toEqual([{ id: forged.header.id, status: 'retry', reason: RETRY.forged }]);
    const { pushed: real } = await sealed(MONITOR_A, 1, 'create', newId(), monitorKeys);
    expect(await push(store, monitorA, [real])).toEqual([{ id: real.header.id, status: 'ack' }]);
    // Relayed with its own outer signature, the monitor's op is acknowledged as the same op.
    expect(await push(store, coordinator, [real])).toEqual([{ id: real.header.id, status: 'ack' }]);
  });

  it('a batch large enough for the worker pool is checked op by op: forged ones held back, the rest taken', async () => {
    const store = await withKeys();
    const ops = await Promise.all(Array.from({ length: 40 }, (_, i) => sealed(MONITOR_A, i + 1, 'create', newId(), monitorKeys)));
    // Ops 11 and 31 signed by another key: only they are held back.
    const forged = new Set([10, 30]);
    const sent = await Promise.all(
      ops.map(async ({ pushed }, i) =>
        forged.has(i) ? { ...pushed, osig: await signOuter(coordinatorKeys.signing, pushed.header, pushed.body) } : pushed,
      ),
    );
    const answers = await push(store, coordinator, sent);
    expect(answers.map((a, i) => [i, a.status])).toEqual(sent.map((_, i) => [i, forged.has(i) ? 'retry' : 'ack']));
    expect((await rows(store)).map((r) => r.device_seq)).toEqual([...Array(40).keys()].filter((i) => !forged.has(i)).map((i) => i + 1));
  });

  it("a device of the P-256 suite is checked as well: its signature counts, another key's does not", async () => {
    const store = await open();
    const p256 = SUITES.p256;
    const p256Deployment = await generateKeyPair(p256.agreement);
    await setDeploymentKey(store.db, p256Deployment.publicKey.text);
    const keys: Sealer = {
      agreement: await generateKeyPair(p256.agreement),
      signing: await generateKeyPair(p256.signing),
      pairs: new PairKeyCache(),
    };
    await enrolled(store, MONITOR_B, 'monitor', keys);
    const clear: Op = {
      v: 1,
      id: opId(newId()),
      kind: 'create',
      reportId: targetId(newId()),
      device: MONITOR_B,
      deviceSeq: 1,
      body: { hlc: hlc(MONITOR_B, 1), changes: { narrative: 'قطع المياه عن الحي' }, supersedes: {} },
    };
    const made = await sealForWire(clear, keys, [p256Deployment.publicKey, keys.agreement.publicKey]);
    if (!made.ok) throw new Error(made.reason);
    const { body, osig, ...header } = made.wire;
    const other = await generateKeyPair(p256.signing);
    const forged = { header, body, osig: await signOuter(other, header, body) };
    expect(await push(store, monitorB, [forged])).toEqual([{ id: header.id, status: 'retry', reason: RETRY.forged }]);
    expect(await push(store, monitorB, [{ header, body, osig: osig! }])).toEqual([{ id: header.id, status: 'ack' }]);
  });

  it('an op the base already holds, sent again without the outer signature, is the same op', async () => {
    const store = await withKeys();
    const { pushed } = await sealed(MONITOR_A, 1, 'create', newId(), monitorKeys);
    expect(await push(store, monitorA, [pushed])).toEqual([{ id: pushed.header.id, status: 'ack' }]);
    const { osig: _osig, ...unsigned } = pushed;
    expect(await push(store, coordinator, [unsigned])).toEqual([{ id: pushed.header.id, status: 'ack' }]);
    expect((await rows(store)).map((r) => r.osig)).toEqual([pushed.osig]);
  });
});

forEachDialect('a base without a deployment key', ({ open }) => {
  it('takes ops in clear and sealed ones side by side', async () => {
    const store = await open();
    await enrolled(store, MONITOR_A, 'monitor', monitorKeys);
    const report = newId();
    const { pushed } = await sealed(MONITOR_A, 2, 'edit', report, monitorKeys);
    const answers = await push(store, monitorA, [op(MONITOR_A, 1, 'create', report), pushed]);
    expect(answers.map((a) => a.status)).toEqual(['ack', 'ack']);
    expect((await rows(store)).map((r) => r.v)).toEqual([1, 2]);
  });
});

forEachDialect('a base with its root', ({ open }) => {
  const texts = (keys: Sealer) => ({ agreement: keys.agreement.publicKey.text, signing: keys.signing.publicKey.text });
  /** A base with its deployment key and root, where only the coordinator enrolled: a base rebuilt from relays. */
  const rebuilt = async () => {
    const store = await open();
    const root = await generateKeyPair(SUITE.signing);
    expect(await setDeploymentKey(store.db, deployment.publicKey.text)).toMatchObject({ ok: true });
    expect(await setDeploymentRoot(store.db, root.publicKey.text)).toMatchObject({ ok: true });
    await enrolled(store, COORDINATOR, 'coordinator', coordinatorKeys);
    const statement = await signRootStatement(root, {
      id: opId(newId()),
      deviceSeq: 1,
      at: NOW,
      entries: [{ device: COORDINATOR, role: 'coordinator', keys: texts(coordinatorKeys) }],
      deploymentKey: deployment.publicKey.text,
    });
    return { store, statement: asPushed(statement) };
  };
  const asPushed = (wire: WireOp): PushedOp => {
    const { body, sig, osig, ...header } = wire;
    return { header, body, ...(sig !== undefined && { sig }), ...(osig !== undefined && { osig }) };
  };
  /** A roster op in the coordinator's name naming `device` (a monitor) with `keys`, signed by `signer` (the coordinator). */
  const naming = async (device: DeviceId, keys: Sealer, { role = 'monitor', signer = coordinatorKeys } = {}) => {
    const clear: Op = {
      v: 1,
      id: opId(newId()),
      kind: 'deployment',
      reportId: targetId('roster'),
      device: COORDINATOR,
      deviceSeq: 1,
      body: { hlc: hlc(COORDINATOR, 1), changes: { [rosterField(device)]: { device, role, keys: texts(keys) } }, supersedes: {} },
    };
    const made = await sealForWire(clear, signer, []);
    if (!made.ok) throw new Error(made.reason);
    return asPushed(made.wire);
  };

  it('ops of a device the trusted roster names are verified with its keys there, though it never enrolled here', async () => {
    const { store, statement } = await rebuilt();
    const roster = await naming(MONITOR_B, monitorKeys);
    const report = newId();
    const { pushed } = await sealed(MONITOR_B, 1, 'create', report, monitorKeys);
    const { pushed: forged } = await sealed(MONITOR_B, 2, 'edit', report, coordinatorKeys);
    // The coordinator pushes the root's statement and its roster first, then what it relays.
    expect(await push(store, coordinator, [statement, roster, pushed, forged])).toEqual([
      { id: statement.header.id, status: 'ack' },
      { id: roster.header.id, status: 'ack' },
      { id: pushed.header.id, status: 'ack' },
      { id: forged.header.id, status: 'retry', reason: RETRY.forged },
    ]);
    // In a later push too, once the roster is stored.
    const { pushed: next } = await sealed(MONITOR_B, 2, 'edit', report, monitorKeys);
    expect(await push(store, coordinator, [next])).toEqual([{ id: next.header.id, status: 'ack' }]);
  });

  it('a roster op that no trusted coordinator signed names no one', async () => {
    const { store, statement } = await rebuilt();
    await push(store, coordinator, [statement]);
    // Signed by the monitor's own key in the coordinator's name: the trust rule ignores it.
    const forgedRoster = await naming(MONITOR_B, monitorKeys, { role: 'coordinator', signer: monitorKeys });
    const { pushed } = await sealed(MONITOR_B, 1, 'create', newId(), monitorKeys);
    const answers = await push(store, coordinator, [forgedRoster, pushed]);
    expect(answers[1]).toEqual({ id: pushed.header.id, status: 'retry', reason: RETRY.unknownAuthor });
  });

  it("the trusted roster's key for a device counts over the one it enrolled with", async () => {
    const { store, statement } = await rebuilt();
    await enrolled(store, MONITOR_A, 'monitor', coordinatorKeys);
    const roster = await naming(MONITOR_A, monitorKeys);
    await push(store, coordinator, [statement, roster]);
    const report = newId();
    const { pushed: byRoster } = await sealed(MONITOR_A, 1, 'create', report, monitorKeys);
    const { pushed: byEnrolled } = await sealed(MONITOR_A, 2, 'edit', report, coordinatorKeys);
    expect(await push(store, monitorA, [byRoster, byEnrolled])).toEqual([
      { id: byRoster.header.id, status: 'ack' },
      { id: byEnrolled.header.id, status: 'retry', reason: RETRY.forged },
    ]);
  });
});
