/**
 * `npm run export` on a base upgraded to a root reads the monitor's reports from before it as a desk
 * that pinned the root does (docs/security.md, "Who is trusted: the rule", step 6): a report in clear
 * counts once its author's vouching lists it and a coordinator countersigned that vouching; one no
 * vouching lists stays out of the file, as it stays in a desk's quarantine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src/domain/crypto/keys.ts';
import { cryptoRandom, newOpId, newReportId, type ReportId } from '../../../src/domain/ids.ts';
import { emptyState, settingBody } from '../../../src/domain/merge.ts';
import { signRootStatement } from '../../../src/domain/root-statement.ts';
import { rosterField, ROSTER_ID } from '../../../src/domain/roster.ts';
import { proofHash, vouchingChanges, VOUCHES_ID } from '../../../src/domain/vouching.ts';
import { toWire } from '../../../src/domain/op/outgoing.ts';
import { setDeploymentKey, setDeploymentRoot } from '../../../src/server/enrollment/deployment-key.ts';
import { openStore } from '../../../src/server/store/index.ts';
import { enrolled } from '../store/dialects.ts';
import { demo, DEMO_NOW, runInternalJson, skippedLine } from './run-export.ts';
import { COORDINATOR, hlcAt, keyFileIn, MONITOR, opOf, PASSPHRASE, push, rosterEntry, seal, sealerFor } from './sealed-base.ts';

const LIMIT = 60_000;

let dir: string;
let keyFile: string;
let vouched: ReportId;
let unvouched: ReportId;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rasid-vouched-export-'));
  const [deployment, root, coordinator, monitor] = await Promise.all([
    keyFileIn(dir),
    generateKeyPair('ed25519'),
    sealerFor(),
    sealerFor(),
  ]);
  keyFile = deployment.file;
  const changes = Object.values(demo.ops)
    .flat()
    .find((o) => o.kind === 'create')!.body.changes;
  [vouched, unvouched] = [newReportId(DEMO_NOW, cryptoRandom), newReportId(DEMO_NOW + 1, cryptoRandom)];
  // Written before the deployment had its keys: in clear.
  const before = [vouched, unvouched].map((id, i) =>
    opOf('create', id, MONITOR, i + 1, { hlc: hlcAt(MONITOR, 1 + i), changes, supersedes: {} }),
  );
  const roles = new Map([
    [COORDINATOR, 'coordinator' as const],
    [MONITOR, 'monitor' as const],
  ]);

  const store = await openStore({ dataDir: dir });
  try {
    await enrolled(store, COORDINATOR, 'coordinator', coordinator);
    await enrolled(store, MONITOR, 'monitor', monitor);
    await push(
      store,
      before.map((o) => toWire(o)),
      roles,
      DEMO_NOW,
    );
    for (const set of [
      await setDeploymentKey(store.db, deployment.pair.publicKey.text),
      await setDeploymentRoot(store.db, root.publicKey.text),
    ]) {
      if (!set.ok) throw new Error(set.reason);
    }
    const statement = await signRootStatement(root, {
      id: newOpId(DEMO_NOW + 10 * 60_000, cryptoRandom),
      deviceSeq: 1,
      at: DEMO_NOW + 10 * 60_000,
      entries: [{ ...rosterEntry(COORDINATOR, 'coordinator', coordinator), device: COORDINATOR }],
      deploymentKey: deployment.pair.publicKey.text,
    });
    const naming = await seal(
      opOf(
        'deployment',
        ROSTER_ID,
        COORDINATOR,
        1,
        settingBody(emptyState(ROSTER_ID), { [rosterField(MONITOR)]: rosterEntry(MONITOR, 'monitor', monitor) }, hlcAt(COORDINATOR, 11)),
      ),
      coordinator,
      [],
    );
    // The monitor vouches for its first report only; the coordinator countersigns that vouching.
    const vouching = await seal(
      opOf('deployment', VOUCHES_ID, MONITOR, 3, {
        hlc: hlcAt(MONITOR, 12),
        changes: vouchingChanges([await proofHash({ ...toWire(before[0]!) })]),
        supersedes: {},
      }),
      monitor,
      [],
    );
    const countersigning = await seal(
      opOf('deployment', VOUCHES_ID, COORDINATOR, 2, {
        hlc: hlcAt(COORDINATOR, 13),
        changes: vouchingChanges([], [await proofHash({ ...vouching })]),
        supersedes: {},
      }),
      coordinator,
      [],
    );
    await push(store, [statement, naming, vouching, countersigning], roles, DEMO_NOW + 60 * 60_000, COORDINATOR);
  } finally {
    await store.close();
  }
}, LIMIT);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run export on a base upgraded to a root', () => {
  it(
    'takes a report from before the root only when its author vouched for it and a coordinator countersigned',
    async () => {
      const result = await runInternalJson(dir, [keyFile], PASSPHRASE);
      expect(result.code, result.stderr).toBe(0);
      const ids = (JSON.parse(result.stdout) as { records: { id: string }[] }).records.map((r) => r.id);
      expect(ids).toEqual([vouched]);
      expect(result.stderr.trim().split('\n')[0]).toBe(skippedLine(1));
    },
    LIMIT,
  );
});
