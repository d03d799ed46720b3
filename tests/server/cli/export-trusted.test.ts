/**
 * `npm run export` on a base with a root judges who counts as coordinator by the trust rule, as the
 * base and the desks do (docs/security.md, "Who is trusted: the rule"): the root names two
 * coordinators, one verifies two reports and is then revoked by the root with a cut-off between the
 * two verifications, as a theft reported late is. The base took both verifications before the
 * revocation reached it; only the one at or below the cut-off counts in the file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src/domain/crypto/keys.ts';
import { cryptoRandom, newOpId, newReportId, type DeviceId, type ReportId } from '../../../src/domain/ids.ts';
import { editBody, emptyState, settingBody } from '../../../src/domain/merge.ts';
import type { Sealer } from '../../../src/domain/op/outgoing.ts';
import type { WireOp } from '../../../src/domain/op/wire.ts';
import { signRootStatement } from '../../../src/domain/root-statement.ts';
import { rosterField, ROSTER_ID, type RosterEntry } from '../../../src/domain/roster.ts';
import { setDeploymentKey, setDeploymentRoot } from '../../../src/server/enrollment/deployment-key.ts';
import { openStore } from '../../../src/server/store/index.ts';
import { deviceId } from '../../ids.ts';
import { enrolled } from '../store/dialects.ts';
import { demo, DEMO_NOW, runInternalJson, skippedLine } from './run-export.ts';
import { COORDINATOR, hlcAt, keyFileIn, MONITOR, opOf, PASSPHRASE, push, rosterEntry, seal, sealerFor } from './sealed-base.ts';

const LIMIT = 60_000;
const REVOKED = deviceId('desk-coordinator-test-2');

let dir: string;
let keyFile: string;
/** Verified by the revoked coordinator at its cut-off, and after it. */
let before: ReportId;
let after: ReportId;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rasid-trusted-export-'));
  const [deployment, root, coordinator, revoked, monitor] = await Promise.all([
    keyFileIn(dir),
    generateKeyPair('ed25519'),
    sealerFor(),
    sealerFor(),
    sealerFor(),
  ]);
  keyFile = deployment.file;
  const to = [deployment.pair.publicKey, monitor.agreement.publicKey];
  const coordinatorEntry = (device: DeviceId, s: Sealer, cutoff?: number): RosterEntry => ({
    ...rosterEntry(device, 'coordinator', s),
    device,
    ...(cutoff !== undefined && { cutoff }),
  });
  const statement = (deviceSeq: number, minutes: number, entries: RosterEntry[]) =>
    signRootStatement(root, {
      id: newOpId(DEMO_NOW + minutes * 60_000, cryptoRandom),
      deviceSeq,
      at: DEMO_NOW + minutes * 60_000,
      entries,
      ...(deviceSeq === 1 && { deploymentKey: deployment.pair.publicKey.text }),
    });
  const changes = Object.values(demo.ops)
    .flat()
    .find((o) => o.kind === 'create')!.body.changes;
  [before, after] = [newReportId(DEMO_NOW, cryptoRandom), newReportId(DEMO_NOW + 1, cryptoRandom)];
  const verify = (report: ReportId, deviceSeq: number, minutes: number) =>
    seal(
      opOf('edit', report, REVOKED, deviceSeq, editBody(emptyState(report), { verification: 'verified' }, hlcAt(REVOKED, minutes))),
      revoked,
      to,
    );

  // The coordinator's roster op names the monitor, and both coordinators too, as a desk's roster
  // holds them: the rule ignores those entries (only the root names coordinators), a merged roster
  // would take them.
  const wires: WireOp[] = [
    await statement(1, 1, [coordinatorEntry(COORDINATOR, coordinator), coordinatorEntry(REVOKED, revoked)]),
    await seal(
      opOf(
        'deployment',
        ROSTER_ID,
        COORDINATOR,
        1,
        settingBody(
          emptyState(ROSTER_ID),
          {
            [rosterField(COORDINATOR)]: coordinatorEntry(COORDINATOR, coordinator),
            [rosterField(MONITOR)]: rosterEntry(MONITOR, 'monitor', monitor),
            [rosterField(REVOKED)]: coordinatorEntry(REVOKED, revoked),
          },
          hlcAt(COORDINATOR, 2),
        ),
      ),
      coordinator,
      [],
    ),
    ...(await Promise.all(
      [before, after].map((id, i) =>
        seal(opOf('create', id, MONITOR, i + 1, { hlc: hlcAt(MONITOR, 10 + i), changes, supersedes: {} }), monitor, to),
      ),
    )),
    await verify(before, 1, 20),
    await verify(after, 2, 21),
    // The root revokes the coordinator at its first op: its phone was lost before it wrote the second.
    await statement(2, 30, [coordinatorEntry(REVOKED, revoked, 1)]),
  ];
  const store = await openStore({ dataDir: dir });
  try {
    for (const set of [
      await setDeploymentKey(store.db, deployment.pair.publicKey.text),
      await setDeploymentRoot(store.db, root.publicKey.text),
    ]) {
      if (!set.ok) throw new Error(set.reason);
    }
    await enrolled(store, COORDINATOR, 'coordinator', coordinator);
    await enrolled(store, REVOKED, 'coordinator', revoked);
    await enrolled(store, MONITOR, 'monitor', monitor);
    const roles = new Map([
      [COORDINATOR, 'coordinator' as const],
      [REVOKED, 'coordinator' as const],
      [MONITOR, 'monitor' as const],
    ]);
    await push(store, wires, roles, DEMO_NOW + 60 * 60_000, COORDINATOR);
  } finally {
    await store.close();
  }
}, LIMIT);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run export on a base with a root', () => {
  it(
    'a verification by a coordinator the root revoked counts at or below its cut-off and not after it, and the root’s statements are read',
    async () => {
      const result = await runInternalJson(dir, [keyFile], PASSPHRASE);
      expect(result.code, result.stderr).toBe(0);
      const records = (JSON.parse(result.stdout) as { records: { id: string; verification: string }[] }).records;
      expect(records.find((r) => r.id === before)!.verification).toBe('verified');
      expect(records.find((r) => r.id === after)!.verification).toBe('unverified');
      // The op after the cut-off is what a desk quarantines; both root statements are read.
      expect(result.stderr.trim().split('\n')[0]).toBe(skippedLine(1));
    },
    LIMIT,
  );
});
