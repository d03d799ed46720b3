/**
 * For the export command's tests: a base whose deployment key was rotated, as a desk rotates it. The
 * root's first statement names the coordinator and key A; reports are sealed to A; the root's next
 * statement (signed with the real domain code, as `rotateDeploymentKey` signs it) names key B; then
 * more reports, and the coordinator's verification of a report from before, are sealed to B. Each key
 * has its key file. Every op is pushed through the store's push, the root's statements relayed by the
 * coordinator, so the store holds exactly what a base takes in.
 */
import { generateKeyPair, type AgreementKeyPair, type PublicKey } from '../../../src/domain/crypto/keys.ts';
import type { AgreementAlg } from '../../../src/domain/crypto/algorithms.ts';
import { cryptoRandom, newOpId, newReportId, uuidv7 } from '../../../src/domain/ids.ts';
import { editBody, emptyState, settingBody } from '../../../src/domain/merge.ts';
import type { Sealer } from '../../../src/domain/op/outgoing.ts';
import type { WireOp } from '../../../src/domain/op/wire.ts';
import { signRootStatement } from '../../../src/domain/root-statement.ts';
import { rosterField, ROSTER_ID } from '../../../src/domain/roster.ts';
import { setDeploymentKey, setDeploymentRoot } from '../../../src/server/enrollment/deployment-key.ts';
import { openStore, type OpenStoreOptions } from '../../../src/server/store/index.ts';
import { enrolled } from '../store/dialects.ts';
import { demo, DEMO_NOW } from './run-export.ts';
import { COORDINATOR, hlcAt, keyFileIn, MONITOR, opOf, push, rosterEntry, seal, sealerFor } from './sealed-base.ts';

/** A second file of key B is under a passphrase of its own: RASID_KEY_PASSPHRASE then opens one file of the two. */
export const OTHER_PASSPHRASE = 'copper meadow ladder winter seven';

export interface RotatedBase {
  /** Key files of the key before the rotation (A) and after it (B), and their key ids. */
  keyA: { file: string; kid: string };
  keyB: { file: string; kid: string };
  /** Key B again, in a file under OTHER_PASSPHRASE. */
  keyBOtherPassphrase: string;
  /** Reports created before the rotation (sealed to A), and after (to B): ids and narrative markers. */
  beforeRotation: { id: string; marker: string }[];
  afterRotation: { id: string; marker: string }[];
  /** A report from before the rotation that the coordinator verified after it, in an op sealed to B. */
  verifiedAfter: string;
}

const keysOf = (s: Sealer) => ({ agreement: s.agreement.publicKey.text, signing: s.signing.publicKey.text });

export async function rotatedBase(options: OpenStoreOptions, dir: string): Promise<RotatedBase> {
  const [a, b, root, coordinator, monitor] = await Promise.all([
    keyFileIn(dir, 'deployment-key-a.json'),
    keyFileIn(dir, 'deployment-key-b.json'),
    generateKeyPair('ed25519'),
    sealerFor(),
    sealerFor(),
  ]);
  const bOther = await keyFileIn(dir, 'deployment-key-b-other.json', { passphrase: OTHER_PASSPHRASE, pair: b.pair });
  /** The root's statement naming the coordinator and `deployment`, as a desk with the root file signs it. */
  const statement = (deviceSeq: number, deployment: AgreementKeyPair, minutes: number) =>
    signRootStatement(root, {
      id: newOpId(DEMO_NOW + minutes * 60_000, cryptoRandom),
      deviceSeq,
      at: DEMO_NOW + minutes * 60_000,
      entries: [{ device: COORDINATOR, role: 'coordinator', keys: keysOf(coordinator) }],
      deploymentKey: deployment.publicKey.text,
    });

  // Contents as the demo's monitors wrote them (valid for their type), each narrative marked.
  const creates = Object.values(demo.ops)
    .flat()
    .filter((o) => o.kind === 'create')
    .slice(0, 5);
  const marked = creates.map((o, i) => ({
    id: newReportId(DEMO_NOW + i, cryptoRandom),
    marker: `ROTATED-NARRATIVE-MARKER-${i}-${uuidv7(Date.now(), cryptoRandom).slice(-8)}`,
    changes: o.body.changes,
  }));
  const create = (m: (typeof marked)[number], deviceSeq: number, minutes: number, to: PublicKey<AgreementAlg>) =>
    seal(
      opOf('create', m.id, MONITOR, deviceSeq, {
        hlc: hlcAt(MONITOR, minutes),
        changes: { ...m.changes, narrative: `${m.marker} ${typeof m.changes.narrative === 'string' ? m.changes.narrative : ''}` },
        supersedes: {},
      }),
      monitor,
      [to, monitor.agreement.publicKey],
    );
  const [before, after] = [marked.slice(0, 3), marked.slice(3)];

  const rosterBody = settingBody(
    emptyState(ROSTER_ID),
    {
      [rosterField(COORDINATOR)]: rosterEntry(COORDINATOR, 'coordinator', coordinator),
      [rosterField(MONITOR)]: rosterEntry(MONITOR, 'monitor', monitor),
    },
    hlcAt(COORDINATOR, 2),
  );
  const wires: WireOp[] = [
    await statement(1, a.pair, 1),
    await seal(opOf('deployment', ROSTER_ID, COORDINATOR, 1, rosterBody), coordinator, []),
  ];
  for (const [i, m] of before.entries()) wires.push(await create(m, i + 1, 10 + i, a.pair.publicKey));
  // The root file opened again on the desk names key B, a rotation: every op from here on is sealed to B.
  wires.push(await statement(2, b.pair, 20));
  for (const [i, m] of after.entries()) wires.push(await create(m, before.length + i + 1, 30 + i, b.pair.publicKey));
  const verified = before[0]!;
  const verify = editBody(emptyState(verified.id), { verification: 'verified' }, hlcAt(COORDINATOR, 40));
  wires.push(
    await seal(opOf('edit', verified.id, COORDINATOR, 2, verify), coordinator, [
      b.pair.publicKey,
      coordinator.agreement.publicKey,
      monitor.agreement.publicKey,
    ]),
  );

  const store = await openStore(options);
  try {
    for (const set of [await setDeploymentKey(store.db, a.pair.publicKey.text), await setDeploymentRoot(store.db, root.publicKey.text)]) {
      if (!set.ok) throw new Error(set.reason);
    }
    await enrolled(store, COORDINATOR, 'coordinator', coordinator);
    await enrolled(store, MONITOR, 'monitor', monitor);
    await push(
      store,
      wires,
      new Map([
        [COORDINATOR, 'coordinator'],
        [MONITOR, 'monitor'],
      ]),
      DEMO_NOW + 60 * 60_000,
      COORDINATOR,
    );
  } finally {
    await store.close();
  }
  const ids = (list: typeof marked) => list.map(({ id, marker }) => ({ id, marker }));
  return {
    keyA: { file: a.file, kid: a.pair.publicKey.kid },
    keyB: { file: b.file, kid: b.pair.publicKey.kid },
    keyBOtherPassphrase: bOther.file,
    beforeRotation: ids(before),
    afterRotation: ids(after),
    verifiedAfter: verified.id,
  };
}
