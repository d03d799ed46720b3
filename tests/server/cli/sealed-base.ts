/**
 * For the export command's tests: a base whose ops are really sealed, as phones and desks write
 * them. A deployment key (and its key file under a passphrase), a coordinator and a monitor with
 * roster entries, the roster as a signed deployment op, reports sealed to the deployment key and
 * their author, a coordinator's sealed edit, and two ops no reader should take: one whose ciphertext
 * was changed, one from a device no roster names. All pushed through the store's push, which checks
 * a sealed body's shape only and so takes both. Every narrative carries a marker the tests look
 * for in the export and, to show the sealing is real, fail to find in the store.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SUITES, type AgreementAlg } from '../../../src/domain/crypto/algorithms.ts';
import { KEY_FILE_KIND, type DeploymentKeyFile } from '../../../src/domain/crypto/key-file.ts';
import { generateKeyPair, type AgreementKeyPair, type PublicKey } from '../../../src/domain/crypto/keys.ts';
import { PairKeyCache } from '../../../src/domain/crypto/pair-keys.ts';
import { ARGON2ID_FLOOR } from '../../../src/domain/crypto/passphrase.ts';
import { wrapUnderPassphrase } from '../../../src/domain/crypto/wrapped-key.ts';
import { encodeHlc, nodeIdOf } from '../../../src/domain/hlc.ts';
import { cryptoRandom, newOpId, newReportId, uuidv7, type DeviceId, type TargetId } from '../../../src/domain/ids.ts';
import { editBody, emptyState, settingBody } from '../../../src/domain/merge.ts';
import type { Op, OpBody } from '../../../src/domain/op/op.ts';
import { signOuter } from '../../../src/domain/op/outer-signature.ts';
import { sealForWire, type Sealer } from '../../../src/domain/op/outgoing.ts';
import type { WireOp } from '../../../src/domain/op/wire.ts';
import { rosterField, ROSTER_ID } from '../../../src/domain/roster.ts';
import { setDeploymentKey } from '../../../src/server/enrollment/deployment-key.ts';
import { openStore, pushOps, type OpenStoreOptions, type Store } from '../../../src/server/store/index.ts';
import { enrolled } from '../store/dialects.ts';
import { demo, DEMO_NOW } from './run-export.ts';
import { deviceId } from '../../ids.ts';

export const PASSPHRASE = 'quiet harbour lantern orchard seven';
const SUITE = SUITES['x25519-ed25519'];

export const COORDINATOR = deviceId('desk-coordinator-test-1');
export const MONITOR = deviceId('phone-monitor-test-1');
const STRANGER = deviceId('phone-stranger-test-1');

export interface SealedBase {
  /** The reports that open: their ids and the marker each narrative carries. */
  reports: { id: string; marker: string }[];
  /** The report the coordinator marked verified, in a sealed edit. */
  verified: string;
  /** Markers of the two ops that must be left out: changed ciphertext, unknown author. */
  leftOut: string[];
  /** Every marker written, in any op. */
  markers: string[];
}

/** An HLC `minutes` after the demo's time, on `device`'s node. */
export const hlcAt = (device: string, minutes: number) =>
  encodeHlc({ wall: DEMO_NOW + minutes * 60_000, counter: 0, node: nodeIdOf(device) });

/** An op as a device writes it, before it is sealed or signed. */
export const opOf = (kind: Op['kind'], reportId: TargetId, device: DeviceId, deviceSeq: number, body: OpBody): Op => ({
  v: 1,
  id: newOpId(Date.now(), cryptoRandom),
  kind,
  reportId,
  device,
  deviceSeq,
  body,
});

export async function sealerFor(): Promise<Sealer> {
  return { agreement: await generateKeyPair(SUITE.agreement), signing: await generateKeyPair(SUITE.signing), pairs: new PairKeyCache() };
}

export const rosterEntry = (device: string, role: 'coordinator' | 'monitor', s: Sealer) => ({
  device,
  role,
  keys: { agreement: s.agreement.publicKey.text, signing: s.signing.publicKey.text },
});

/** A deployment key pair (`pair`, or a new one) and its key file, written to `dir` under `passphrase`. */
export async function keyFileIn(
  dir: string,
  name = 'deployment-key.json',
  { passphrase = PASSPHRASE, pair }: { passphrase?: string; pair?: AgreementKeyPair } = {},
): Promise<{ pair: AgreementKeyPair; file: string }> {
  pair ??= await generateKeyPair(SUITE.agreement);
  // The floor's Argon2id parameters keep each run of the command quick; the format is the same.
  const wrapped = await wrapUnderPassphrase(pair.privateKey, passphrase, { publicKey: pair.publicKey, params: ARGON2ID_FLOOR });
  if (!wrapped.ok) throw new Error(wrapped.reason);
  const keyFile: DeploymentKeyFile = { kind: KEY_FILE_KIND, v: 1, fingerprint: pair.publicKey.fingerprint, wrapped: wrapped.wrapped };
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(keyFile));
  return { pair, file };
}

export async function seal(op: Op, sealer: Sealer, recipients: readonly PublicKey<AgreementAlg>[]): Promise<WireOp> {
  const sealed = await sealForWire(op, sealer, recipients);
  if (!sealed.ok) throw new Error(sealed.reason);
  return sealed.wire;
}

/**
 * Pushed as their authors push them, so the store holds exactly what the base takes in; an op of a
 * device not in `roles` (the root's) is relayed by `relay`, a coordinator, as a desk relays it.
 */
export async function push(
  store: Store,
  wires: readonly WireOp[],
  roles: ReadonlyMap<string, 'coordinator' | 'monitor'>,
  receivedAt: number,
  relay?: DeviceId,
): Promise<void> {
  for (const { body, sig, osig, ...header } of wires) {
    const role = roles.get(header.device);
    const caller =
      role === undefined && relay !== undefined
        ? { device: relay, role: 'coordinator' as const }
        : { device: header.device, role: role ?? 'monitor' };
    const pushed = { header, body, ...(sig !== undefined && { sig }), ...(osig !== undefined && { osig }) };
    const answers = await pushOps(store.db, { caller, ops: [pushed], now: receivedAt });
    if (answers[0]?.status !== 'ack') throw new Error(`the base did not take ${header.kind} ${header.id}: ${JSON.stringify(answers[0])}`);
  }
}

/**
 * One character of the ciphertext changed, for another base64url character, and the outer signature
 * made again over what is sent (a device that signs whatever it sends): the base takes it, and the
 * seal must catch it.
 */
async function changeOneCharacter(wire: WireOp, author: Sealer): Promise<WireOp> {
  const sealed = JSON.parse(wire.body) as { ct: string };
  const at = Math.floor(sealed.ct.length / 2);
  const swapped = sealed.ct[at] === 'A' ? 'B' : 'A';
  const body = JSON.stringify({ ...sealed, ct: sealed.ct.slice(0, at) + swapped + sealed.ct.slice(at + 1) });
  return { ...wire, body, osig: await signOuter(author.signing, wire, body) };
}

/** Fills a new store (`options`) with the sealed base; the key file is written to `dir`. */
export async function sealedBase(options: OpenStoreOptions, dir: string): Promise<SealedBase & { keyFile: string }> {
  const deployment = await keyFileIn(dir);
  const coordinator = await sealerFor();
  const monitor = await sealerFor();
  const stranger = await sealerFor();

  const rosterBody = settingBody(
    emptyState(ROSTER_ID),
    {
      [rosterField(COORDINATOR)]: rosterEntry(COORDINATOR, 'coordinator', coordinator),
      [rosterField(MONITOR)]: rosterEntry(MONITOR, 'monitor', monitor),
    },
    hlcAt(COORDINATOR, 1),
  );
  const wires: WireOp[] = [await seal(opOf('deployment', ROSTER_ID, COORDINATOR, 1, rosterBody), coordinator, [])];

  // Contents as the demo's monitors wrote them (valid for their type), each narrative marked.
  const creates = Object.values(demo.ops)
    .flat()
    .filter((o) => o.kind === 'create')
    .slice(0, 5);
  const marked = creates.map((o, i) => ({
    id: newReportId(DEMO_NOW + i, cryptoRandom),
    marker: `SEALED-NARRATIVE-MARKER-${i}-${uuidv7(Date.now(), cryptoRandom).slice(-8)}`,
    changes: o.body.changes,
  }));
  const toDeskAndAuthor = (s: Sealer) => [deployment.pair.publicKey, s.agreement.publicKey];
  const createBody = (m: (typeof marked)[number], device: string, minutes: number): OpBody => ({
    hlc: hlcAt(device, minutes),
    changes: { ...m.changes, narrative: `${m.marker} ${typeof m.changes.narrative === 'string' ? m.changes.narrative : ''}` },
    supersedes: {},
  });

  const opened = marked.slice(0, 3);
  for (const [i, m] of opened.entries()) {
    wires.push(await seal(opOf('create', m.id, MONITOR, i + 1, createBody(m, MONITOR, 10 + i)), monitor, toDeskAndAuthor(monitor)));
  }
  const changed = marked[3]!;
  wires.push(
    await changeOneCharacter(
      await seal(opOf('create', changed.id, MONITOR, 4, createBody(changed, MONITOR, 20)), monitor, toDeskAndAuthor(monitor)),
      monitor,
    ),
  );
  const unknown = marked[4]!;
  wires.push(await seal(opOf('create', unknown.id, STRANGER, 1, createBody(unknown, STRANGER, 21)), stranger, toDeskAndAuthor(stranger)));

  // The coordinator verifies the first report: counted only if the sealed roster made it a coordinator.
  const first = opened[0]!;
  const verify = editBody(emptyState(first.id), { verification: 'verified' }, hlcAt(COORDINATOR, 30));
  wires.push(
    await seal(opOf('edit', first.id, COORDINATOR, 2, verify), coordinator, [
      deployment.pair.publicKey,
      coordinator.agreement.publicKey,
      monitor.agreement.publicKey,
    ]),
  );

  const store = await openStore(options);
  try {
    const set = await setDeploymentKey(store.db, deployment.pair.publicKey.text);
    if (!set.ok) throw new Error(set.reason);
    // The stranger is enrolled with the base, but no coordinator names it in the roster.
    await enrolled(store, COORDINATOR, 'coordinator', coordinator);
    await enrolled(store, MONITOR, 'monitor', monitor);
    await enrolled(store, STRANGER, 'monitor', stranger);
    await push(
      store,
      wires,
      new Map([
        [COORDINATOR, 'coordinator'],
        [MONITOR, 'monitor'],
      ]),
      DEMO_NOW + 60 * 60_000,
    );
  } finally {
    await store.close();
  }
  return {
    keyFile: deployment.file,
    reports: opened.map(({ id, marker }) => ({ id, marker })),
    verified: first.id,
    leftOut: [changed.marker, unknown.marker],
    markers: marked.map((m) => m.marker),
  };
}
