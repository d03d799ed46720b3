import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { DeviceId } from '../../src/domain/ids.ts';
import type { Role } from '../../src/domain/roles.ts';
import {
  cutoffsOf,
  IGNORED_STATEMENT,
  loweredCutoffs,
  standingAt,
  trustedRoster,
  type PinnedRoot,
  type RosterStatement,
  type Standing,
  type TrustedRoster,
} from '../../src/domain/trusted-roster.ts';
import { canonicalJson } from '../../src/domain/canonical-json.ts';
import { fromBase64url, toBase64url } from '../../src/domain/crypto/bytes.ts';
import { generateKeyPair, readPublicKey, type SigningKeyPair } from '../../src/domain/crypto/keys.ts';
import { checkOpSignature, signOp } from '../../src/domain/op/signature.ts';
import { encodeHlc, nodeIdOf } from '../../src/domain/hlc.ts';
import { opSchema, type Op } from '../../src/domain/op/op.ts';
import { DEPLOYMENT_KEY_FIELD, rosterField, ROSTER_ID, statementOf, type RosterEntry } from '../../src/domain/roster.ts';
import { deviceId, opId } from '../ids.ts';

/**
 * Signatures as plain values: a statement says which signing key made it, and it verifies under
 * that key alone. The rule never looks inside a signature, so this tests the rule and nothing else;
 * the last test runs it over roster ops signed with real Ed25519 keys.
 */
interface Said extends RosterStatement {
  signedWith?: string;
}
const check = (s: Said, key: string) => s.signedWith === key;

const ROOT: PinnedRoot = { device: deviceId('root-Q2h7d0Xb1mZa'), signing: 'SR' };
const C1 = deviceId('coordinator-one');
const C2 = deviceId('coordinator-two');
const M1 = deviceId('monitor-aleppo');
const M2 = deviceId('monitor-idlib');
const X = deviceId('never-enrolled');
const DEVICES: DeviceId[] = [ROOT.device, C1, C2, M1, M2, X];
const SIGNING = ['SR', 'S1', 'S2', 'S3', 'S4'];
const SEQS = [0, 1, 2, 3, 4, 5, 6, 7];

// ----- The model: the five steps of docs/security.md, read literally, one question at a time -----

interface ModelClaim {
  entry: RosterEntry;
  author: DeviceId;
  deviceSeq: number;
  opId: string;
  root: boolean;
}

function modelKeyClaim(claims: readonly ModelClaim[], seq: number): ModelClaim | undefined {
  const withKeys = claims.filter((c) => c.entry.keys !== undefined && (c.entry.keys.agreement ?? c.entry.keys.signing) !== undefined);
  const inForce = withKeys.filter((c) => (c.entry.since ?? 1) <= seq);
  if (inForce.length === 0) return undefined;
  const since = Math.max(...inForce.map((c) => c.entry.since ?? 1));
  const tied = inForce.filter((c) => (c.entry.since ?? 1) === since);
  const fromRoot = tied.filter((c) => c.root);
  if (fromRoot.length > 0) {
    // The root's latest statement on that `since` wins.
    return fromRoot.reduce((best, c) =>
      c.deviceSeq > best.deviceSeq || (c.deviceSeq === best.deviceSeq && c.opId > best.opId) ? c : best,
    );
  }
  return tied.reduce((best, c) => {
    const key = (x: ModelClaim) => [x.author, String(x.deviceSeq).padStart(20, '0'), x.opId].join(' ');
    return key(c) < key(best) ? c : best;
  });
}

function modelCutoff(claims: readonly ModelClaim[]): number | undefined {
  const cutoffs = claims.flatMap((c) => (c.entry.cutoff === undefined ? [] : [c.entry.cutoff]));
  return cutoffs.length === 0 ? undefined : Math.min(...cutoffs);
}

class Model {
  readonly rootStatements: Said[];
  readonly coordinatorStatements: Said[];

  constructor(readonly statements: readonly Said[]) {
    this.rootStatements = statements.filter((s) => s.author === ROOT.device && check(s, ROOT.signing));
    this.coordinatorStatements = statements.filter((s) => {
      if (!this.isCoordinator(s.author)) return false;
      const cutoff = modelCutoff(this.rootClaims(s.author));
      if (cutoff !== undefined && s.deviceSeq > cutoff) return false;
      const signing = modelKeyClaim(this.rootClaims(s.author), s.deviceSeq)?.entry.keys?.signing;
      return signing !== undefined && check(s, signing);
    });
  }

  rootClaims(d: DeviceId): ModelClaim[] {
    if (d === ROOT.device) return [];
    return this.rootStatements.flatMap((s) =>
      s.entries
        .filter((e) => e.device === d)
        .map((entry) => ({ entry, author: s.author, deviceSeq: s.deviceSeq, opId: s.opId, root: true })),
    );
  }

  isCoordinator(d: DeviceId): boolean {
    return this.rootClaims(d).some((c) => c.entry.role === 'coordinator');
  }

  claims(d: DeviceId): ModelClaim[] {
    if (d === ROOT.device) return [];
    if (this.isCoordinator(d)) return this.rootClaims(d);
    const fromCoordinators = this.coordinatorStatements.flatMap((s) =>
      s.entries
        .filter((e) => e.device === d && e.role === 'monitor')
        .map((entry) => ({ entry, author: s.author, deviceSeq: s.deviceSeq, opId: s.opId, root: false })),
    );
    return [...this.rootClaims(d), ...fromCoordinators];
  }

  role(d: DeviceId): Role | undefined {
    if (this.isCoordinator(d)) return 'coordinator';
    return this.claims(d).length > 0 ? 'monitor' : undefined;
  }

  standing(d: DeviceId, seq: number): Standing | undefined {
    if (d === ROOT.device) return { role: 'root', signing: ROOT.signing };
    const role = this.role(d);
    if (!role) return undefined;
    const cutoff = modelCutoff(this.claims(d));
    if (cutoff !== undefined && seq > cutoff) return undefined;
    const keys = modelKeyClaim(this.claims(d), seq)?.entry.keys;
    if (keys?.signing === undefined) return undefined;
    return { role, signing: keys.signing, ...(keys.agreement !== undefined && { agreement: keys.agreement }) };
  }

  deploymentKeys(): string[] {
    const lastNamed = new Map<string, [number, string]>();
    for (const s of this.rootStatements) {
      if (s.deploymentKey === undefined) continue;
      const at: [number, string] = [s.deviceSeq, s.opId];
      const held = lastNamed.get(s.deploymentKey);
      if (!held || at[0] > held[0] || (at[0] === held[0] && at[1] > held[1])) lastNamed.set(s.deploymentKey, at);
    }
    return [...lastNamed].sort(([, a], [, b]) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1)).map(([k]) => k);
  }
}

// ----- Statements of every kind: by the root, coordinators, revoked or unknown devices, unsigned -----

/** Each device's own signing key: what honest entries give and honest authors sign with. */
const OWN_SIGNING = new Map<DeviceId, string>([
  [ROOT.device, 'SR'],
  [C1, 'S1'],
  [C2, 'S2'],
  [M1, 'S3'],
  [M2, 'S4'],
  [X, 'S4'],
]);

const otherKeysArb = fc.oneof(
  fc.constant(undefined),
  fc.record({ agreement: fc.constantFrom('A1', 'A2'), signing: fc.constantFrom(...SIGNING) }),
  fc.record({ signing: fc.constantFrom(...SIGNING) }),
  fc.record({ agreement: fc.constantFrom('A1', 'A2') }),
);

// Mostly honest entries and signatures, so that chains of trust form; the rest is anything.
const entryArb: fc.Arbitrary<RosterEntry> = fc
  .record({
    device: fc.constantFrom(...DEVICES),
    role: fc.constantFrom<Role>('monitor', 'coordinator'),
    honest: fc.boolean(),
    keys: otherKeysArb,
    since: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
    cutoff: fc.option(fc.integer({ min: 0, max: 6 }), { freq: 4, nil: undefined }),
  })
  .map(({ device, role, honest, keys: other, since, cutoff }) => {
    const keys = honest ? { agreement: 'A1', signing: OWN_SIGNING.get(device)! } : other;
    return {
      device,
      role: honest ? (device === C1 || device === C2 ? 'coordinator' : 'monitor') : role,
      ...(keys && { keys }),
      ...(since !== undefined && { since }),
      ...(cutoff !== undefined && { cutoff }),
    };
  });

const statementArb = fc
  .record({
    author: fc.oneof({ weight: 3, arbitrary: fc.constant(ROOT.device) }, { weight: 4, arbitrary: fc.constantFrom(C1, C2, M1, X) }),
    deviceSeq: fc.integer({ min: 1, max: 6 }),
    entries: fc.array(entryArb, { maxLength: 3 }),
    honest: fc.nat(3),
    signedWith: fc.option(fc.constantFrom(...SIGNING), { nil: undefined }),
    deploymentKey: fc.option(fc.constantFrom('D1', 'D2', 'D3'), { freq: 2, nil: undefined }),
  })
  .map(({ honest, signedWith, ...s }) => ({ ...s, signedWith: honest > 0 ? OWN_SIGNING.get(s.author) : signedWith }));

/** An honest start that half the cases grow from: the root names a coordinator, which names a monitor. */
type Drawn = Omit<Said, 'opId'>;
const BACKBONE: Drawn[] = [
  {
    author: ROOT.device,
    deviceSeq: 1,
    signedWith: 'SR',
    entries: [{ device: C1, role: 'coordinator' as const, keys: { agreement: 'A1', signing: 'S1' } }],
  },
  {
    author: C1,
    deviceSeq: 1,
    signedWith: 'S1',
    entries: [{ device: M1, role: 'monitor' as const, keys: { agreement: 'A2', signing: 'S3' } }],
  },
];

const statementsArb = fc.tuple(fc.boolean(), fc.array(statementArb, { maxLength: 12 })).map(([backbone, list]): Said[] =>
  [...(backbone ? BACKBONE : []), ...list].map(({ signedWith, deploymentKey, ...s }: Drawn, i) => {
    const said: Said = { ...s, opId: opId(`01957a3c-3000-7000-8000-${(i + 1).toString(16).padStart(12, '0')}`) };
    if (signedWith !== undefined) said.signedWith = signedWith;
    if (deploymentKey !== undefined) said.deploymentKey = deploymentKey;
    return said;
  }),
);

/** The roster as comparable plain data: who stands with what at each `deviceSeq`. */
function standings(roster: TrustedRoster) {
  return DEVICES.map((d) => [d, roster.devices.get(d)?.role, SEQS.map((seq) => standingAt(roster, d, seq))]);
}
function modelStandings(model: Model) {
  return DEVICES.map((d) => [d, d === ROOT.device ? undefined : model.role(d), SEQS.map((seq) => model.standing(d, seq))]);
}

describe('the trusted roster', () => {
  test('for any roster statements in any order, equals the model of the rule', async () => {
    let coordinatorsNamed = 0;
    let monitorsByCoordinators = 0;
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(statementsArb, fc.integer(), async (statements, seed) => {
        runs += 1;
        const model = new Model(statements);
        const roster = await trustedRoster(statements, ROOT, check);
        expect(standings(roster)).toEqual(modelStandings(model));
        expect(roster.deploymentKeys).toEqual(model.deploymentKeys());

        // Any other order of arrival gives the very same roster, clashes and ignored statements included.
        const shuffled = fc.sample(fc.shuffledSubarray(statements, { minLength: statements.length, maxLength: statements.length }), {
          seed,
          numRuns: 1,
        })[0]!;
        expect(await trustedRoster(shuffled, ROOT, check)).toEqual(roster);

        if (DEVICES.some((d) => model.isCoordinator(d))) coordinatorsNamed += 1;
        if (model.coordinatorStatements.some((s) => s.entries.some((e) => e.role === 'monitor' && model.role(e.device) === 'monitor')))
          monitorsByCoordinators += 1;
      }),
      { numRuns: 400 },
    );
    // The generator reaches the rule's deeper steps, not only statements it ignores.
    expect(coordinatorsNamed / runs).toBeGreaterThan(0.5);
    expect(monitorsByCoordinators / runs).toBeGreaterThan(0.25);
  });
});

// ----- The rule's cases, as a coordinator would meet them -----

function said(author: DeviceId, deviceSeq: number, signedWith: string | undefined, entries: RosterEntry[], n: number): Said {
  return {
    opId: opId(`01957a3c-4000-7000-8000-${n.toString(16).padStart(12, '0')}`),
    author,
    deviceSeq,
    entries,
    ...(signedWith !== undefined && { signedWith }),
  };
}

describe('the rule, case by case', () => {
  const namesC1 = said(ROOT.device, 1, 'SR', [{ device: C1, role: 'coordinator', keys: { agreement: 'A1', signing: 'S1' } }], 1);
  const c1NamesM1 = said(C1, 1, 'S1', [{ device: M1, role: 'monitor', keys: { agreement: 'A2', signing: 'S3' } }], 2);

  test('a coordinator named by the root names a monitor, whose ops then count', async () => {
    const roster = await trustedRoster([c1NamesM1, namesC1], ROOT, check);
    expect(standingAt(roster, C1, 9)).toEqual({ role: 'coordinator', signing: 'S1', agreement: 'A1' });
    expect(standingAt(roster, M1, 1)).toEqual({ role: 'monitor', signing: 'S3', agreement: 'A2' });
  });

  test('a monitor cannot make itself, or anyone, a coordinator', async () => {
    const selfPromotion = said(M1, 2, 'S3', [{ device: M1, role: 'coordinator', keys: { signing: 'S3' } }], 3);
    const viaCoordinator = said(C1, 2, 'S1', [{ device: M2, role: 'coordinator', keys: { signing: 'S4' } }], 4);
    const roster = await trustedRoster([namesC1, c1NamesM1, selfPromotion, viaCoordinator], ROOT, check);
    expect(roster.devices.get(M1)?.role).toBe('monitor');
    expect(roster.devices.get(M2)).toBeUndefined();
    expect(roster.ignored).toContainEqual({ statement: expect.objectContaining({ author: M1 }), reason: IGNORED_STATEMENT.unknownAuthor });
  });

  test("a coordinator cannot swap another coordinator's keys, nor a monitor's the root gave", async () => {
    const swap = said(C1, 2, 'S1', [{ device: C1, role: 'monitor', keys: { signing: 'S4' } }], 5);
    const rootNamesM2 = said(ROOT.device, 2, 'SR', [{ device: M2, role: 'monitor', keys: { signing: 'S2' } }], 6);
    const overM2 = said(C1, 3, 'S1', [{ device: M2, role: 'monitor', keys: { signing: 'S4' } }], 7);
    const roster = await trustedRoster([namesC1, swap, rootNamesM2, overM2], ROOT, check);
    expect(standingAt(roster, C1, 5)?.signing).toBe('S1');
    expect(standingAt(roster, M2, 5)?.signing).toBe('S2');
    expect(roster.clashes).toEqual([
      { device: M2, since: 1, statements: [expect.objectContaining({ author: ROOT.device }), expect.objectContaining({ author: C1 })] },
    ]);
  });

  test("a revoked coordinator's statements stand up to its cut-off, and none after", async () => {
    const revoke = said(ROOT.device, 2, 'SR', [{ device: C1, role: 'coordinator', cutoff: 1 }], 8);
    const late = said(C1, 2, 'S1', [{ device: M2, role: 'monitor', keys: { signing: 'S4' } }], 9);
    const roster = await trustedRoster([namesC1, c1NamesM1, revoke, late], ROOT, check);
    expect(standingAt(roster, C1, 1)?.role).toBe('coordinator');
    expect(standingAt(roster, C1, 2)).toBeUndefined();
    expect(standingAt(roster, M1, 4)?.role).toBe('monitor');
    expect(roster.devices.get(M2)).toBeUndefined();
    expect(roster.ignored).toEqual([
      { statement: expect.objectContaining({ author: C1, deviceSeq: 2 }), reason: IGNORED_STATEMENT.afterCutoff },
    ]);
  });

  test('a revocation is for good: the lowest cut-off any statement gives counts', async () => {
    const revoke = said(C1, 2, 'S1', [{ device: M1, role: 'monitor', cutoff: 3 }], 10);
    const readmit = said(C1, 3, 'S1', [{ device: M1, role: 'monitor', keys: { signing: 'S4' }, since: 5, cutoff: 99 }], 11);
    const roster = await trustedRoster([namesC1, c1NamesM1, revoke, readmit], ROOT, check);
    expect(standingAt(roster, M1, 3)?.signing).toBe('S3');
    expect(standingAt(roster, M1, 4)).toBeUndefined();
    expect(standingAt(roster, M1, 6)).toBeUndefined();
  });

  test('new keys count from their `since`; ops before it keep the old ones', async () => {
    const rotate = said(C1, 2, 'S1', [{ device: M1, role: 'monitor', keys: { agreement: 'A1', signing: 'S4' }, since: 40 }], 12);
    const roster = await trustedRoster([namesC1, c1NamesM1, rotate], ROOT, check);
    expect(standingAt(roster, M1, 39)?.signing).toBe('S3');
    expect(standingAt(roster, M1, 40)?.signing).toBe('S4');
  });

  test('statements that do not verify, or by strangers, count for nothing and are listed', async () => {
    const forgedRoot = said(ROOT.device, 3, 'S1', [{ device: X, role: 'coordinator', keys: { signing: 'S4' } }], 13);
    const unsigned = said(C1, 2, undefined, [{ device: X, role: 'monitor', keys: { signing: 'S4' } }], 14);
    const roster = await trustedRoster([namesC1, forgedRoot, unsigned], ROOT, check);
    expect(roster.devices.has(X)).toBe(false);
    expect(roster.ignored.map((i) => i.reason)).toEqual([IGNORED_STATEMENT.badSignature, IGNORED_STATEMENT.badSignature]);
  });

  test('with no root statement, no one is trusted: not even a roster that names itself coordinator', async () => {
    const selfNamed = said(C1, 1, 'S1', [{ device: C1, role: 'coordinator', keys: { signing: 'S1' } }], 15);
    const roster = await trustedRoster([selfNamed], ROOT, check);
    expect(roster.devices.size).toBe(0);
    expect(standingAt(roster, C1, 1)).toBeUndefined();
  });
});

describe('over real signatures', () => {
  interface Signed extends RosterStatement {
    op: Op;
    sig: string;
  }

  async function rosterOp(
    author: DeviceId,
    deviceSeq: number,
    changes: Record<string, unknown>,
    signer: SigningKeyPair,
    n: number,
  ): Promise<Signed> {
    const op: Op = {
      v: 1,
      id: opId(`01957a3c-5000-7000-8000-${n.toString(16).padStart(12, '0')}`),
      kind: 'deployment',
      reportId: ROSTER_ID,
      device: author,
      deviceSeq,
      body: { hlc: encodeHlc({ wall: Date.UTC(2026, 11, 4, 21), counter: n, node: nodeIdOf(author) }), changes, supersedes: {} },
    };
    expect(opSchema.safeParse(op).success).toBe(true);
    const sig = toBase64url(await signOp(signer, { ...op, v: 2 }, canonicalJson(op.body)));
    return { ...statementOf(op), op, sig };
  }

  const checkSigned = async (s: Signed, keyText: string) => {
    const key = await readPublicKey(keyText, 'signing');
    return key.ok && (await checkOpSignature(key.key, { ...s.op, v: 2 }, canonicalJson(s.op.body), fromBase64url(s.sig)!)).ok;
  };

  test('the root names a coordinator and the deployment key; the coordinator names a monitor; a forger names no one', async () => {
    const [rootKeys, coordinator, monitor, forger, deployment] = await Promise.all([
      generateKeyPair('ed25519'),
      generateKeyPair('ed25519'),
      generateKeyPair('ed25519'),
      generateKeyPair('ed25519'),
      generateKeyPair('x25519'),
    ]);
    const root: PinnedRoot = { device: deviceId(`root-${rootKeys.publicKey.kid}`), signing: rootKeys.publicKey.text };
    const keysOf = (k: SigningKeyPair) => ({ agreement: deployment.publicKey.text, signing: k.publicKey.text });
    const fromRoot = await rosterOp(
      root.device,
      1,
      {
        [rosterField(C1)]: { device: C1, role: 'coordinator', keys: keysOf(coordinator) },
        [DEPLOYMENT_KEY_FIELD]: deployment.publicKey.text,
      },
      rootKeys,
      1,
    );
    const fromCoordinator = await rosterOp(
      C1,
      1,
      { [rosterField(M1)]: { device: M1, role: 'monitor', keys: keysOf(monitor) } },
      coordinator,
      2,
    );
    // The forger signs as the root with its own key, and as the coordinator.
    const forgedRoot = await rosterOp(
      root.device,
      2,
      { [rosterField(X)]: { device: X, role: 'coordinator', keys: keysOf(forger) } },
      forger,
      3,
    );
    const forgedCoordinator = await rosterOp(
      C1,
      2,
      { [rosterField(M1)]: { device: M1, role: 'monitor', keys: keysOf(forger), since: 2 } },
      forger,
      4,
    );

    const roster = await trustedRoster([forgedCoordinator, fromCoordinator, forgedRoot, fromRoot], root, checkSigned);
    expect(standingAt(roster, C1, 1)?.signing).toBe(coordinator.publicKey.text);
    expect(standingAt(roster, M1, 5)?.signing).toBe(monitor.publicKey.text);
    expect(roster.devices.has(X)).toBe(false);
    expect(roster.deploymentKeys).toEqual([deployment.publicKey.text]);
    expect(roster.ignored.map((i) => [i.statement.author, i.reason])).toEqual([
      [root.device, IGNORED_STATEMENT.badSignature],
      [C1, IGNORED_STATEMENT.badSignature],
    ]);
  });
});

describe('cut-offs a device must apply', () => {
  test('a new revocation, and one lowered later, are applied; one unchanged or raised is not', () => {
    const before = cutoffsOf([{ device: C1, cutoff: 9 }, { device: M1 }]);
    expect(before).toEqual(new Map([[C1, 9]]));
    expect(loweredCutoffs(before, cutoffsOf([{ device: C1, cutoff: 9 }]))).toEqual([]);
    expect(loweredCutoffs(before, cutoffsOf([{ device: C1, cutoff: 12 }]))).toEqual([]);
    expect(loweredCutoffs(before, cutoffsOf([{ device: C1, cutoff: 4 }]))).toEqual([C1]);
    expect(
      loweredCutoffs(
        before,
        cutoffsOf([
          { device: C1, cutoff: 9 },
          { device: M1, cutoff: 0 },
        ]),
      ),
    ).toEqual([M1]);
  });
});
