// Must come first: Dexie looks for IndexedDB when it is first imported.
import 'fake-indexeddb/auto';
import { describe, expect, test } from 'vitest';
import { createReport, editReport } from '../../../src/app/store/reports.ts';
import { publishGazetteer } from '../../../src/app/sync/deployment-settings.ts';
import { answerRequest, readReply, writeRequestFile } from '../../../src/app/sync/file.ts';
import { viewOf } from '../../../src/domain/merge.ts';
import { damageReport, displacementReport } from '../store/store-fixtures.ts';
import { type Device, liveOpIds, sealedDeployment, syncDevice, trackDeployments } from './sync-fixtures.ts';
import { signReply } from '../../../src/domain/crypto/reply-signature.ts';
import { generateKeyPair, type SigningKeyPair } from '../../../src/domain/crypto/keys.ts';
import { writeOp } from '../../../src/app/store/write-op.ts';
import { sealerOf, type OpKeys } from '../../../src/app/sync/op-keys.ts';
import { sealForWire, toWire } from '../../../src/domain/op/outgoing.ts';
import type { Op } from '../../../src/domain/op/op.ts';
import { GAZETTEER_ID, rosterField, ROSTER_ID } from '../../../src/domain/roster.ts';
import { FILE_ERRORS, type SyncReplyFile, type SyncRequestFile } from '../../../src/domain/sync-file.ts';
import { newId } from '../../server/http/harness.ts';
import { opId, settingId } from '../../ids.ts';

const deployments = trackDeployments();

async function deployment() {
  const { base, coordinator, monitors, deployment } = await sealedDeployment(deployments, ['phone', 'other']);
  const [phone, other] = monitors as [KeyedDevice, KeyedDevice];
  await publishGazetteer(coordinator.writer, { name: 'sample', units: [{ pcode: 'SY05', level: 1, en: 'Tartus', ar: 'طرطوس' }] } as never);
  await syncDevice(coordinator);
  return { base, coordinator, phone, other, deployment };
}

type KeyedDevice = Device & { keys: OpKeys };
/** A device's request file, sealed and signed as its app makes it. */
const requestOf = (d: KeyedDevice) => writeRequestFile(d.db, d.device, d.writer.now, d.keys);
/** A device reads a reply file as its app does. */
const readOn = (d: KeyedDevice, text: string) => readReply(d.db, d.device, text, d.writer.now, d.keys);

const snapshot = async (d: Device) => ({
  ops: await d.db.ops.toArray(),
  reports: await d.db.reports.toArray(),
  settings: await d.db.settings.toArray(),
  meta: await d.db.meta.toArray(),
  quarantine: await d.db.quarantine.toArray(),
});

describe('sync by file', () => {
  test("a phone's file reaches the base through a coordinator, and the reply brings the phone up to date", async () => {
    const { base, coordinator, phone, other } = await deployment();
    const id = await createReport(phone.writer, damageReport);
    await editReport(phone.writer, id, { structures: 4 });
    const elsewhere = await createReport(other.writer, displacementReport);
    await syncDevice(other);

    const request = await requestOf(phone);
    expect(request).toMatchObject({ device: phone.device, watermark: 0, cursor: null, epoch: null });
    expect(request.ops).toHaveLength(2);

    const answered = await answerRequest(coordinator.sync, JSON.stringify(request));
    expect(answered).toMatchObject({ ops: 2, acked: 2, rejected: 0 });
    const reply = JSON.stringify(answered.reply);
    const replyOps = answered.reply.response.ops.map((o) => o.op.reportId);
    // The phone's own report and every deployment op, never another monitor's report.
    expect(replyOps).toContain(id);
    expect(replyOps).toContain(GAZETTEER_ID);
    expect(replyOps).not.toContain(elsewhere);

    await readOn(phone, reply);
    expect(await phone.db.getMeta('watermark')).toBe(2);
    expect(await phone.db.settings.get(GAZETTEER_ID)).toBeDefined();
    // Importing the same reply again changes nothing.
    const before = await snapshot(phone);
    await readOn(phone, reply);
    expect(await snapshot(phone)).toEqual(before);

    // The base holds what the phone wrote; an online sync afterwards has nothing to add.
    const held = (await base.store.db.selectFrom('ops').select('id').execute()).map((r) => r.id);
    for (const op of request.ops) expect(held).toContain(op.id);
    expect(await requestOf(phone)).toMatchObject({ ops: [] });
    const online = await syncDevice(phone);
    expect(online).toMatchObject({ sent: 0, received: 0, reset: false });
    expect(await liveOpIds(phone)).toEqual(
      (await base.store.db.selectFrom('ops').select(['id', 'report_id', 'kind', 'status']).execute())
        .filter((r) => r.status === 'ok' && (r.kind === 'deployment' || r.report_id === id))
        .map((r) => r.id)
        .sort(),
    );
  });

  test('importing the same request file twice changes nothing at the base or on the coordinator', async () => {
    const { base, coordinator, phone } = await deployment();
    await createReport(phone.writer, damageReport);
    const text = JSON.stringify(await requestOf(phone));
    const first = await answerRequest(coordinator.sync, text);
    const count = async () => (await base.store.db.selectFrom('ops').select('id').execute()).length;
    const [opsAtBase, held] = [await count(), await snapshot(coordinator)];
    const second = await answerRequest(coordinator.sync, text);
    expect(second.acked).toBe(1);
    expect(await count()).toBe(opsAtBase);
    expect(await snapshot(coordinator)).toEqual(held);
    expect(second.reply.response.ops).toEqual(first.reply.response.ops);
  });

  test('a wrong or damaged file is refused with a reason and changes nothing', async () => {
    const { coordinator, phone, other } = await deployment();
    await createReport(phone.writer, damageReport);
    const request = JSON.stringify(await requestOf(phone));
    const reply = JSON.stringify((await answerRequest(coordinator.sync, request)).reply);
    const before = await snapshot(phone);
    await expect(readOn(phone, 'not json')).rejects.toMatchObject({ key: 'err.syncFile.notJson' });
    await expect(readOn(phone, request)).rejects.toMatchObject({ key: 'err.syncFile.wrongKind' });
    await expect(readOn(phone, reply.replace('"watermark":1', '"watermark":"x"'))).rejects.toMatchObject({
      key: 'err.syncFile.invalid',
    });
    await expect(readOn(other, reply)).rejects.toMatchObject({ key: 'err.syncFile.otherDevice' });
    expect(await snapshot(phone)).toEqual(before);
    const own = JSON.stringify(await requestOf(coordinator));
    await expect(answerRequest(coordinator.sync, own)).rejects.toMatchObject({ key: 'err.syncFile.ownFile' });
    await expect(answerRequest(coordinator.sync, reply)).rejects.toMatchObject({ key: 'err.syncFile.wrongKind' });
  });

  test("a coordinator's edit of the phone's report reaches it by file", async () => {
    const { coordinator, phone } = await deployment();
    const id = await createReport(phone.writer, damageReport);
    const first = await answerRequest(coordinator.sync, JSON.stringify(await requestOf(phone)));
    await readOn(phone, JSON.stringify(first.reply));
    await editReport(coordinator.writer, id, { verification: 'verified', damageLevel: 'moderate' });
    await syncDevice(coordinator);
    const second = await answerRequest(coordinator.sync, JSON.stringify(await requestOf(phone)));
    expect(second.ops).toBe(0);
    await readOn(phone, JSON.stringify(second.reply));
    const v = viewOf((await phone.db.reports.get(id))!.state);
    expect(v.values).toMatchObject({ verification: 'verified', damageLevel: 'moderate' });
  });
});

describe('a request file, tried as an attacker would', () => {
  test('a file with an op of another device, settings from a monitor, or an op that does not verify is refused whole', async () => {
    const { base, coordinator, deployment, monitors } = await sealedDeployment(deployments, ['attacker', 'victim']);
    const [attacker, victim] = monitors as [(typeof monitors)[number], (typeof monitors)[number]];
    for (const d of [attacker, victim]) await syncDevice(d);
    await createReport(attacker.writer, damageReport);
    const honest = await writeRequestFile(attacker.db, attacker.device, attacker.writer.now, attacker.keys);
    const [own] = await attacker.db.ops.where('device').equals(attacker.device).toArray();

    // An op in the victim's name: sealed to the deployment key as the app seals, signed with the attacker's key.
    const inVictimsName: Op = { ...own!, id: opId(newId()), device: victim.device, deviceSeq: 1, reportId: own!.reportId };
    const sealed = await sealForWire(inVictimsName, sealerOf(attacker.keys), [deployment.publicKey]);
    if (!sealed.ok) throw new Error(sealed.reason);
    const clear = toWire(inVictimsName);

    // The attacker's own settings: itself a coordinator, the victim's signing key its own, a partner profile.
    const attackerKeys = { agreement: attacker.keys.device.agreement.publicKey.text, signing: attacker.keys.device.signing.publicKey.text };
    await writeOp(attacker.writer, ROSTER_ID, (_s, hlc) => ({
      kind: 'deployment',
      body: {
        hlc,
        changes: {
          [rosterField(attacker.device)]: { device: attacker.device, role: 'coordinator', keys: attackerKeys },
          [rosterField(victim.device)]: { device: victim.device, role: 'monitor', keys: attackerKeys },
        },
        supersedes: {},
      },
    }));
    const withRoster = await writeRequestFile(attacker.db, attacker.device, attacker.writer.now, attacker.keys);
    await writeOp(attacker.writer, settingId('profile:partner'), (_s, hlc) => ({
      kind: 'desk',
      body: { hlc, changes: { name: 'partner', fields: ['narrative'] }, supersedes: {} },
    }));
    const withProfile = await writeRequestFile(attacker.db, attacker.device, attacker.writer.now, attacker.keys);

    const asVictim = (ops: SyncRequestFile['ops']): SyncRequestFile => ({ ...honest, device: victim.device, ops });
    const tampered = structuredClone(honest);
    tampered.ops[0]!.body = tampered.ops[0]!.body.replace(/"ct":"(.)/, (_m, c: string) => `"ct":"${c === 'A' ? 'B' : 'A'}`);
    expect(tampered.ops[0]!.body).not.toBe(honest.ops[0]!.body);
    const forged: [string, SyncRequestFile, string][] = [
      ['an op of another device among its own', { ...honest, ops: [...honest.ops, sealed.wire] }, FILE_ERRORS.otherAuthor],
      [
        'one op twice under its deviceSeq',
        { ...honest, ops: [honest.ops[0]!, { ...sealed.wire, device: attacker.device }] },
        FILE_ERRORS.otherAuthor,
      ],
      ["a monitor's roster op", withRoster, FILE_ERRORS.notAllowed],
      ["a monitor's partner profile", withProfile, FILE_ERRORS.notAllowed],
      ["the victim's file, signed by another key", asVictim([sealed.wire]), FILE_ERRORS.unproven],
      ["the victim's file, in clear and unsigned", asVictim([clear]), FILE_ERRORS.inClear],
      ['a sealed body changed on the way', tampered, FILE_ERRORS.unproven],
    ];
    const held = async () => (await base.store.db.selectFrom('ops').select('id').execute()).length;
    const [atBase, onDesk] = [await held(), await snapshot(coordinator)];
    for (const [what, file, error] of forged) {
      await expect(answerRequest(coordinator.sync, JSON.stringify(file)), what).rejects.toMatchObject({ key: error });
      expect(await snapshot(coordinator), what).toEqual(onDesk);
      expect(await held(), what).toBe(atBase);
    }

    // The honest file still goes through.
    expect(await answerRequest(coordinator.sync, JSON.stringify(honest))).toMatchObject({ ops: 1, acked: 1 });
  });
});

describe('a reply file, tried as an attacker would', () => {
  test('a reply that no coordinator signed, or that changed on the way, moves nothing on the phone', async () => {
    const { coordinator, phone, other } = await deployment();
    // The phone's first reply: from then on it holds the roster that names its coordinator.
    await createReport(phone.writer, damageReport);
    await readOn(phone, JSON.stringify((await answerRequest(coordinator.sync, JSON.stringify(await requestOf(phone)))).reply));
    expect(await phone.db.getMeta('watermark')).toBe(1);

    // Two more reports; the file that carries them is answered honestly, and the attacker holds the reply.
    await createReport(phone.writer, damageReport);
    await createReport(phone.writer, displacementReport);
    const honest = (await answerRequest(coordinator.sync, JSON.stringify(await requestOf(phone)))).reply;
    expect(honest.response.watermark).toBe(3);

    // A forged high watermark would stop the phone from ever sending its ops again.
    const raised = (r: SyncReplyFile): SyncReplyFile => ({ ...r, response: { ...r.response, watermark: 1_000_000 } });
    const signedBy = async (r: SyncReplyFile, signer: Device, key: SigningKeyPair): Promise<SyncReplyFile> => {
      const fields = { device: r.device, createdAt: r.createdAt, signer: signer.device, response: r.response };
      return { ...r, signer: signer.device, sig: await signReply(key, fields) };
    };
    const { signer: _signer, sig: _sig, ...unsigned } = raised(honest);
    const stranger = await generateKeyPair('ed25519');
    const forged: [string, unknown][] = [
      ['a raised watermark under the honest signature', raised(honest)],
      ['an unsigned reply, as an older app wrote them', { ...unsigned, v: 1 }],
      ["signed by a monitor's own key", await signedBy(raised(honest), other, other.keys.device.signing)],
      ["in the coordinator's name, signed by another key", await signedBy(raised(honest), coordinator, stranger)],
      ['a field added to the response', { ...honest, response: { ...honest.response, reset: true } }],
    ];
    const before = await snapshot(phone);
    for (const [what, file] of forged) {
      await expect(readOn(phone, JSON.stringify(file)), what).rejects.toMatchObject({ key: FILE_ERRORS.unsignedReply });
      expect(await snapshot(phone), what).toEqual(before);
    }
    // The phone still sends its two reports, and the honest reply is taken.
    expect((await requestOf(phone)).ops).toHaveLength(2);
    await readOn(phone, JSON.stringify(honest));
    expect(await phone.db.getMeta('watermark')).toBe(3);
    expect((await requestOf(phone)).ops).toHaveLength(0);
  });

  test('a desk with no signing key of its own answers no request file', async () => {
    const { coordinator, phone } = await deployment();
    await createReport(phone.writer, damageReport);
    const { keys: _keys, ...keyless } = coordinator.sync;
    const before = await snapshot(coordinator);
    await expect(answerRequest(keyless, JSON.stringify(await requestOf(phone)))).rejects.toMatchObject({ key: FILE_ERRORS.cannotSign });
    expect(await snapshot(coordinator)).toEqual(before);
  });
});
