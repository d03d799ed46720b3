import { beforeAll, describe, expect, test } from 'vitest';
import { generateKeyPair, type AgreementKeyPair, type SigningKeyPair } from '../../../src/domain/crypto/keys.ts';
import { PairKeyCache } from '../../../src/domain/crypto/pair-keys.ts';
import { KeyDirectory } from '../../../src/domain/key-directory.ts';
import { opensWithKeysAlone, readArrived, type Reader } from '../../../src/domain/op/read.ts';
import { sealForWire, toWire, type Sealer } from '../../../src/domain/op/outgoing.ts';
import type { Attachment, Op } from '../../../src/domain/op/op.ts';
import { checkOuter } from '../../../src/domain/op/outer-signature.ts';
import { sealedBlobSize } from '../../../src/domain/crypto/blob-seal.ts';
import { QUARANTINE_REASONS } from '../../../src/domain/quarantine.ts';
import { GAZETTEER_ID, ROSTER_ID, rosterField, type RosterEntry } from '../../../src/domain/roster.ts';
import type { DeviceId } from '../../../src/domain/ids.ts';
import { deviceId, opId, reportId } from '../../ids.ts';

type Holder = { device: DeviceId; role: 'monitor' | 'coordinator'; agreement: AgreementKeyPair; signing: SigningKeyPair };

let coordinator: Holder;
let monitor: Holder;
let deployment: AgreementKeyPair;

async function holder(device: DeviceId, role: Holder['role']): Promise<Holder> {
  return { device, role, agreement: await generateKeyPair('x25519'), signing: await generateKeyPair('ed25519') };
}

const entry = (h: Holder): RosterEntry => ({
  device: h.device,
  role: h.role,
  keys: { agreement: h.agreement.publicKey.text, signing: h.signing.publicKey.text },
});
const sealer = (h: Holder): Sealer => ({ agreement: h.agreement, signing: h.signing, pairs: new PairKeyCache() });

async function reader(mine: AgreementKeyPair[], entries: RosterEntry[]): Promise<Reader> {
  return { mine, directory: await KeyDirectory.of(entries, [deployment.publicKey]), pairs: new PairKeyCache() };
}

beforeAll(async () => {
  coordinator = await holder(deviceId('coord-envelope-01'), 'coordinator');
  monitor = await holder(deviceId('phone-envelope-01'), 'monitor');
  deployment = await generateKeyPair('x25519');
});

const HLC = '2025-03-08T09:30:00.000Z-0000-envelope01';

function reportOp(over: Partial<Op> = {}): Op {
  return {
    v: 1,
    id: opId('0195a0b0-0000-7000-8000-000000000001'),
    kind: 'create',
    reportId: reportId('0195a0b0-0000-7000-8000-0000000000aa'),
    device: monitor.device,
    deviceSeq: 1,
    body: { hlc: HLC, changes: { type: 'damage', narrative: 'marker-envelope-1' }, supersedes: {} },
    ...over,
  };
}

function rosterOp(author: Holder, entries: RosterEntry[]): Op {
  return {
    v: 1,
    id: opId('0195a0b0-0000-7000-8000-000000000002'),
    kind: 'deployment',
    reportId: ROSTER_ID,
    device: author.device,
    deviceSeq: 1,
    body: { hlc: HLC, changes: Object.fromEntries(entries.map((e) => [rosterField(e.device), e])), supersedes: {} },
  };
}

describe('report ops travel sealed', () => {
  test('sealed to the deployment key and the author, they open for both, and give back the same op', async () => {
    const op = reportOp();
    const sealed = await sealForWire(op, sealer(monitor), [deployment.publicKey, monitor.agreement.publicKey]);
    if (!sealed.ok) throw new Error(sealed.reason);
    expect(sealed.wire.v).toBe(2);
    expect(sealed.wire.body).not.toContain('marker-envelope-1');
    const roster = [entry(coordinator), entry(monitor)];
    for (const mine of [[deployment], [monitor.agreement]]) {
      const read = await readArrived(sealed.wire, await reader(mine, roster));
      expect(read).toEqual({ ok: true, op, wire: sealed.wire });
    }
  });

  test('a sealed report op opens with keys alone: a reader rebuilt from a copy of its directory reads it the same, right or wrong', async () => {
    const op = reportOp();
    const sealed = await sealForWire(op, sealer(monitor), [deployment.publicKey, monitor.agreement.publicKey]);
    if (!sealed.ok) throw new Error(sealed.reason);
    const altered = { ...sealed.wire, deviceSeq: 2 };
    const here = await reader([deployment], [entry(coordinator), entry(monitor)]);
    // As a worker receives them: keys and directory cloned, its own cache of agreed keys.
    const copy = structuredClone({ mine: here.mine, directory: here.directory.toPlain() });
    const there: Reader = { mine: copy.mine, directory: KeyDirectory.fromPlain(copy.directory), pairs: new PairKeyCache() };
    expect(there.directory.extent).toBe(here.directory.extent);
    expect(opensWithKeysAlone(sealed.wire)).toBe(true);
    for (const wire of [sealed.wire, altered]) expect(await readArrived(wire, there)).toEqual(await readArrived(wire, here));
    expect(await readArrived(sealed.wire, there)).toEqual({ ok: true, op, wire: sealed.wire });
    expect(await readArrived(altered, there)).toMatchObject({ ok: false });
    // A roster op may add to the directory, and an op in clear reads by whether a root is pinned: both open on the page.
    expect(opensWithKeysAlone({ ...toWire(rosterOp(coordinator, [entry(monitor)])), v: 2 })).toBe(false);
    expect(opensWithKeysAlone(toWire(op))).toBe(false);
  });

  test('a reader with neither key, or no keys at all, keeps it waiting as not for this device', async () => {
    const sealed = await sealForWire(reportOp(), sealer(monitor), [deployment.publicKey, monitor.agreement.publicKey]);
    if (!sealed.ok) throw new Error(sealed.reason);
    const other = await generateKeyPair('x25519');
    expect(await readArrived(sealed.wire, await reader([other], [entry(monitor)]))).toMatchObject({
      ok: false,
      reason: QUARANTINE_REASONS.notForThisDevice,
    });
    expect(await readArrived(sealed.wire, undefined)).toMatchObject({ ok: false, reason: QUARANTINE_REASONS.notForThisDevice });
  });

  test('an author the roster does not name yet is unknown, not wrong: the op waits', async () => {
    const sealed = await sealForWire(reportOp(), sealer(monitor), [deployment.publicKey]);
    if (!sealed.ok) throw new Error(sealed.reason);
    expect(await readArrived(sealed.wire, await reader([deployment], [entry(coordinator)]))).toMatchObject({
      ok: false,
      reason: QUARANTINE_REASONS.unknownSender,
    });
  });

  test('version 1 reads as it always did', async () => {
    const op = reportOp();
    expect(await readArrived(toWire(op), undefined)).toEqual({ ok: true, op });
  });
});

describe('an op adding photos lists their sealed blobs in clear, under the outer signature', () => {
  const photo = (n: number): Attachment => {
    const bytes = 900_000 + n;
    return {
      sha256: String(n).padStart(64, 'c'),
      bytes,
      mime: 'image/jpeg',
      blob: { sha256: String(n).padStart(64, 'd'), bytes: sealedBlobSize(bytes) },
      key: 'K'.repeat(43),
    };
  };
  const withPhotos = () => reportOp({ body: { ...reportOp().body, attachments: [photo(1), photo(2)] } });

  test('the wire form lists them in order, the outer signature covers them, and a reader keeps them for relaying', async () => {
    const sealed = await sealForWire(withPhotos(), sealer(monitor), [deployment.publicKey, monitor.agreement.publicKey]);
    if (!sealed.ok) throw new Error(sealed.reason);
    expect(sealed.wire.blobs).toEqual([photo(1).blob, photo(2).blob]);
    expect(await checkOuter(monitor.signing.publicKey, sealed.wire, sealed.wire.body, sealed.wire.osig, sealed.wire.blobs)).toBe(true);
    expect(await checkOuter(monitor.signing.publicKey, sealed.wire, sealed.wire.body, sealed.wire.osig)).toBe(false);
    const read = await readArrived(sealed.wire, await reader([deployment], [entry(monitor)]));
    expect(read).toMatchObject({ ok: true, op: withPhotos(), wire: sealed.wire });
    // An op adding none lists none.
    const plain = await sealForWire(reportOp(), sealer(monitor), [deployment.publicKey]);
    expect(plain.ok && 'blobs' in plain.wire).toBe(false);
  });

  test('a list changed on the way, or none where the body names photos, is not taken in', async () => {
    const sealed = await sealForWire(withPhotos(), sealer(monitor), [deployment.publicKey]);
    if (!sealed.ok) throw new Error(sealed.reason);
    const desk = await reader([deployment], [entry(monitor)]);
    const { blobs, ...without } = sealed.wire;
    for (const changed of [
      without,
      { ...sealed.wire, blobs: [...blobs!].reverse() },
      { ...sealed.wire, blobs: [blobs![0]!] },
      { ...sealed.wire, blobs: [blobs![0]!, { ...blobs![1]!, bytes: blobs![1]!.bytes + 16 }] },
      { ...sealed.wire, blobs: 'none' },
    ]) {
      expect(await readArrived(changed, desk)).toEqual({ ok: false, id: sealed.wire.id, reason: QUARANTINE_REASONS.badBlobs });
    }
    const plain = await sealForWire(reportOp(), sealer(monitor), [deployment.publicKey]);
    if (!plain.ok) throw new Error(plain.reason);
    expect(await readArrived({ ...plain.wire, blobs }, desk)).toMatchObject({ ok: false, reason: QUARANTINE_REASONS.badBlobs });
  });
});

describe('deployment ops travel signed, in clear', () => {
  test('every device reads a roster op whose author the roster names, and a changed byte fails its signature', async () => {
    const op = rosterOp(coordinator, [entry(coordinator), entry(monitor)]);
    const signed = await sealForWire(op, sealer(coordinator), []);
    if (!signed.ok) throw new Error(signed.reason);
    expect(signed.wire).toMatchObject({ v: 2, kind: 'deployment', sig: expect.stringMatching(/^[A-Za-z0-9_-]{86}$/) });
    expect(JSON.parse(signed.wire.body)).toEqual(op.body);

    const monitorsReader = await reader([monitor.agreement], [entry(coordinator), entry(monitor)]);
    expect(await readArrived(signed.wire, monitorsReader)).toEqual({ ok: true, op, wire: signed.wire });
    const changed = { ...signed.wire, body: signed.wire.body.replace('"monitor"', '"coordinator"') };
    expect(await readArrived(changed, monitorsReader)).toMatchObject({ ok: false, reason: QUARANTINE_REASONS.badSignature });
    expect(await readArrived({ ...signed.wire, deviceSeq: 2 }, monitorsReader)).toMatchObject({
      ok: false,
      reason: QUARANTINE_REASONS.badSignature,
    });
  });

  test("the roster's first coordinator introduces itself; once one is known, a stranger cannot", async () => {
    const op = rosterOp(coordinator, [entry(coordinator), entry(monitor)]);
    const signed = await sealForWire(op, sealer(coordinator), []);
    if (!signed.ok) throw new Error(signed.reason);
    expect(await readArrived(signed.wire, await reader([monitor.agreement], []))).toMatchObject({ ok: true });

    const impostor = await holder(deviceId('coord-impostor-01'), 'coordinator');
    const forged = await sealForWire(rosterOp(impostor, [entry(impostor)]), sealer(impostor), []);
    if (!forged.ok) throw new Error(forged.reason);
    expect(await readArrived(forged.wire, await reader([monitor.agreement], [entry(coordinator)]))).toMatchObject({
      ok: false,
      reason: QUARANTINE_REASONS.unknownSigner,
    });
  });

  test('a gazetteer op is never taken on its own word, even while the roster is empty', async () => {
    const op = { ...rosterOp(coordinator, []), reportId: GAZETTEER_ID };
    const signed = await sealForWire(op, sealer(coordinator), []);
    if (!signed.ok) throw new Error(signed.reason);
    expect(await readArrived(signed.wire, await reader([monitor.agreement], []))).toMatchObject({
      ok: false,
      reason: QUARANTINE_REASONS.unknownSigner,
    });
  });
});
