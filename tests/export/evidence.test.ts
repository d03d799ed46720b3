/**
 * The evidence check over bags held in memory, built with the domain's own signing: what a bag
 * someone assembled by hand (or by another program) must hold to pass, and that a hostile bag gets
 * sentences, never an exception. The bag the base writes is checked end to end in
 * tests/server/cli/evidence.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { sha256, toHex, utf8 } from '../../src/domain/crypto/bytes.ts';
import { generateKeyPair, type SigningKeyPair } from '../../src/domain/crypto/keys.ts';
import { cryptoRandom, newOpId, newReportId } from '../../src/domain/ids.ts';
import { signInClear } from '../../src/domain/op/outgoing.ts';
import type { WireOp } from '../../src/domain/op/wire.ts';
import { signRootStatement } from '../../src/domain/root-statement.ts';
import { bagTagFiles, TAG_MANIFEST_FILE } from '../../src/export/bagit.ts';
import { KEYS_FILE, opPath, ROOT_KEY_FILE, rosterPath, verifyEvidence, type BagReader } from '../../src/export/evidence.ts';
import { deviceId } from '../ids.ts';

const COORDINATOR = deviceId('desk-coordinator-memory');
const STRANGER = deviceId('phone-stranger-memory');
const AT = Date.UTC(2026, 2, 20, 9);

async function bagOf(payload: Record<string, string>, tags: Record<string, string> = {}): Promise<BagReader> {
  const files = new Map(Object.entries(payload).map(([path, text]) => [path, utf8(text)]));
  const entries = await Promise.all(
    [...files].map(async ([path, bytes]) => ({ path, sha256: toHex(await sha256(bytes)), bytes: bytes.length })),
  );
  for (const tag of await bagTagFiles(entries, [], '2026-12-06')) files.set(tag.path, tag.bytes);
  for (const [path, text] of Object.entries(tags)) files.set(path, utf8(text));
  return {
    files: () => Promise.resolve([...files.keys()].sort()),
    text: (path) => Promise.resolve(files.has(path) ? new TextDecoder().decode(files.get(path)) : undefined),
    digest: async (path) => {
      const bytes = files.get(path);
      return bytes && { sha256: toHex(await sha256(bytes)), bytes: bytes.length };
    },
  };
}

const asFile = ({ osig: _osig, ...op }: WireOp) => JSON.stringify(op);

/** A root naming one coordinator, and the coordinator's `keys.json` entry. */
async function rooted(): Promise<{ root: SigningKeyPair; coordinator: SigningKeyPair; payload: Record<string, string> }> {
  const [root, coordinator, agreement] = await Promise.all([
    generateKeyPair('ed25519'),
    generateKeyPair('ed25519'),
    generateKeyPair('x25519'),
  ]);
  const keys = { signing: coordinator.publicKey.text, agreement: agreement.publicKey.text };
  const statement = await signRootStatement(root, {
    id: newOpId(AT, cryptoRandom),
    deviceSeq: 1,
    at: AT,
    entries: [{ device: COORDINATOR, role: 'coordinator', keys }],
  });
  return {
    root,
    coordinator,
    payload: {
      [ROOT_KEY_FILE]: `${root.publicKey.text}\n`,
      [rosterPath(statement.id)]: asFile(statement),
      [KEYS_FILE]: JSON.stringify([{ device: COORDINATOR, role: 'coordinator', keys: [{ since: 1, ...keys }] }]),
    },
  };
}

/** A report op by `device`, signed with `signing`, as the bag holds one. */
async function reportOp(device: typeof COORDINATOR, signing: SigningKeyPair): Promise<[string, string]> {
  const reportId = newReportId(AT, cryptoRandom);
  const wire = await signInClear(
    {
      v: 1,
      id: newOpId(AT + 60_000, cryptoRandom),
      kind: 'create',
      reportId,
      device,
      deviceSeq: 1,
      body: { hlc: '2026-03-20T09:01:00.000Z-0000-abcdef0123456789', changes: { type: 'displacement' }, supersedes: {} },
    },
    signing,
  );
  return [opPath(reportId, wire.id), asFile(wire)];
}

describe('checking an evidence bag', () => {
  it('passes a bag of a root, its coordinator and the coordinator’s report, and prints the root', async () => {
    const { root, coordinator, payload } = await rooted();
    const [path, op] = await reportOp(COORDINATOR, coordinator);
    const verdict = await verifyEvidence(await bagOf({ ...payload, [path]: op }));
    expect(verdict.problems).toEqual([]);
    expect(verdict).toMatchObject({ ok: true, reports: 1, ops: 1, photos: 0, root: { fingerprint: root.publicKey.fingerprint } });
  });

  it('fails an op by a device the roster does not name, though it is signed and listed in the manifest', async () => {
    const { payload } = await rooted();
    const [path, op] = await reportOp(STRANGER, await generateKeyPair('ed25519'));
    const verdict = await verifyEvidence(await bagOf({ ...payload, [path]: op }));
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toEqual([`${path} is by ${STRANGER}, who may not have written it at 1 under this roster.`]);
  });

  it('answers a hostile bag in sentences: files that are not JSON, in the wrong place, or of no kind it knows, and no root', async () => {
    const { coordinator, payload } = await rooted();
    const [path, op] = await reportOp(COORDINATOR, coordinator);
    const moved = path.replace(/ops\/[^/]+\//, `ops/${newReportId(AT, cryptoRandom)}/`);
    const hostile = await verifyEvidence(
      await bagOf({ ...payload, [moved]: op, 'data/ops/x/y.json': '{"v":', 'data/notes.txt': 'ملاحظة', [KEYS_FILE]: 'null' }),
    );
    expect(hostile.problems).toEqual(
      expect.arrayContaining([
        `${moved} holds another op than its name says.`,
        'data/ops/x/y.json cannot be read as Rasid evidence.',
        'data/notes.txt is not part of a Rasid evidence bag.',
        `${KEYS_FILE} cannot be read as Rasid evidence.`,
      ]),
    );
    // A tag manifest naming a file outside the bag: never read, and said.
    const outside = await verifyEvidence(await bagOf(payload, { [TAG_MANIFEST_FILE]: `${'0'.repeat(64)}  ../../etc/passwd\n` }));
    expect(outside.problems).toContain(`${TAG_MANIFEST_FILE} lists ../../etc/passwd, which is not a tag file of the bag.`);
    const { [ROOT_KEY_FILE]: _root, ...rootless } = payload;
    const noRoot = await verifyEvidence(await bagOf(rootless));
    expect(noRoot.problems).toContain(`${ROOT_KEY_FILE} is missing or does not hold a signing public key.`);
    expect(noRoot.ok).toBe(false);
  });
});
