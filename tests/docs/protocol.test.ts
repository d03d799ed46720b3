/**
 * Every JSON example in docs/protocol.md, read as a second client's author reads it: each is named
 * (`<!-- example: name -->` on the line before), and each is taken by the app's own schema or
 * reader for what it shows. An example the app would refuse is a doc that misleads.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { z } from 'zod/mini';
import { checkOuter } from '../../src/domain/op/outer-signature.ts';
import { PairKeyCache } from '../../src/domain/crypto/pair-keys.ts';
import { KeyDirectory } from '../../src/domain/key-directory.ts';
import { opBodySchema } from '../../src/domain/op/op.ts';
import { readArrived, type Reader } from '../../src/domain/op/read.ts';
import {
  deploymentKeyRequestSchema,
  deploymentKeyResponseSchema,
  devicesResponseSchema,
  enrollmentCodeRequestSchema,
  enrollmentCodeResponseSchema,
  enrollRequestSchema,
  enrollResponseSchema,
  revokeRequestSchema,
  revokeResponseSchema,
  tokenRotateResponseSchema,
} from '../../src/domain/protocol.ts';
import { syncRequestSchema, syncResponseSchema } from '../../src/domain/op/sync.ts';
import { wireOpSchema } from '../../src/domain/op/wire.ts';
import { reportContentSchema } from '../../src/domain/report.ts';
import { entriesWritten } from '../../src/domain/roster.ts';
import { readRequestFile, syncReplyFileSchema } from '../../src/domain/sync-file.ts';
import { deviceId, opId } from '../ids.ts';
import { proofHash, vouchingOf, VOUCHES_ID } from '../../src/domain/vouching.ts';
import { provenRenewal, renewalOf, RENEWALS_ID } from '../../src/domain/key-renewal.ts';
import { ed25519Pair, RFC7748, RFC8032, x25519Pair } from '../domain/crypto/fixtures.ts';

const DOC = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'protocol.md'), 'utf8');

interface Example {
  name: string | undefined;
  line: number;
  text: string;
}

/** Every fenced JSON block, with the name the line before gives it. */
function examples(doc: string): Example[] {
  const lines = doc.split('\n');
  const found: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```json') continue;
    const end = lines.findIndex((l, j) => j > i && l.trim() === '```');
    const before = lines
      .slice(0, i)
      .reverse()
      .find((l) => l.trim() !== '');
    found.push({
      name: /<!-- example: ([a-z0-9-]+) -->/.exec(before ?? '')?.[1],
      line: i + 1,
      text: lines.slice(i + 1, end).join('\n'),
    });
  }
  return found;
}

/** The value of a named example, as a second client would read it. */
const exampleValue = (name: string) => JSON.parse(examples(DOC).find((e) => e.name === name)!.text) as Record<string, unknown>;

const parses = (schema: z.ZodMiniType) => (value: unknown) => expect(schema.safeParse(value).success).toBe(true);

/** A version-1 op as the app reads one that arrives: taken, with nothing quarantined. */
async function readsAsOp(value: unknown): Promise<void> {
  parses(wireOpSchema)(value);
  expect(await readArrived(value, undefined)).toMatchObject({ ok: true });
}

/** A reader holding Bob's X25519 key of RFC 7748 as the deployment key, and a roster naming the RFC keys' holders. */
async function rfcReader(): Promise<Reader> {
  const [deployment, alice, test1, test2] = await Promise.all([
    x25519Pair(RFC7748.bobPrivate, RFC7748.bobPublic),
    x25519Pair(RFC7748.alicePrivate, RFC7748.alicePublic),
    ed25519Pair(RFC8032[0]!.secret, RFC8032[0]!.public),
    ed25519Pair(RFC8032[1]!.secret, RFC8032[1]!.public),
  ]);
  const directory = await KeyDirectory.of([
    { device: deviceId('phone-alice-01'), role: 'monitor', keys: { agreement: alice.publicKey.text, signing: test1.publicKey.text } },
    { device: deviceId('k7Qm2xVb9RtL'), role: 'coordinator', keys: { signing: test2.publicKey.text } },
  ]);
  return { mine: [deployment], directory, pairs: new PairKeyCache() };
}

async function opensWithRfcKeys(value: unknown): Promise<void> {
  const wire = wireOpSchema.parse(value);
  const reader = await rfcReader();
  expect(await readArrived(value, reader)).toMatchObject({ ok: true });
  const author = reader.directory.signingKey(wire.device, wire.deviceSeq)!;
  expect(await checkOuter(author, wire, wire.body, wire.osig)).toBe(true);
}

/** What each example shows, and how the app takes it. */
const CHECKS: Record<string, (value: unknown, text: string) => void | Promise<void>> = {
  error: parses(z.object({ error: z.object({ code: z.string(), message: z.string() }) })),
  'enroll-request': parses(enrollRequestSchema),
  'enroll-response': parses(enrollResponseSchema),
  'code-request': parses(enrollmentCodeRequestSchema),
  'code-response': parses(enrollmentCodeResponseSchema),
  'deployment-key-response': parses(deploymentKeyResponseSchema),
  'deployment-key-request': parses(deploymentKeyRequestSchema),
  'op-v1': readsAsOp,
  'create-body': (value) => {
    const body = opBodySchema.parse(value);
    expect(reportContentSchema.safeParse(body.changes).success).toBe(true);
  },
  'edit-body': parses(opBodySchema),
  'roster-body': (value) => {
    const body = opBodySchema.parse(value);
    expect(entriesWritten(body.changes)).toHaveLength(Object.keys(body.changes).length);
  },
  // Its hashes are the proof hashes of the op-v1 and op-v2-sealed examples, as the app computes them.
  'vouching-body': async (value) => {
    const body = opBodySchema.parse(value);
    const op = {
      v: 1,
      id: opId('01972ac8-2f10-7a00-8b00-000000000001'),
      kind: 'deployment',
      reportId: VOUCHES_ID,
      device: deviceId('p3Zr8NcW5yHd'),
      deviceSeq: 3,
      body,
    } as const;
    expect(vouchingOf(op, '').vouched).toEqual([await proofHash(exampleValue('op-v1')), await proofHash(exampleValue('op-v2-sealed'))]);
  },
  // The new signing key, RFC 8032's second, signed the renewal for this device.
  'renewal-body': async (value) => {
    const body = opBodySchema.parse(value);
    const op = {
      id: opId('01972ac8-2f10-7a00-8b00-000000000002'),
      reportId: RENEWALS_ID,
      device: deviceId('p3Zr8NcW5yHd'),
      deviceSeq: 9,
      body,
    };
    const renewal = renewalOf(op);
    expect(renewal).toMatchObject({ since: 10 });
    expect(renewal!.keys.signing).toBe((await ed25519Pair(RFC8032[1]!.secret, RFC8032[1]!.public)).publicKey.text);
    expect(await provenRenewal(renewal!)).toBe(true);
  },
  // Made with the RFCs' keys: the app opens the sealed one as the deployment, and checks both
  // signatures, inside and out, against the keys a roster would give their authors.
  'op-v2-sealed': opensWithRfcKeys,
  'op-v2-deployment': opensWithRfcKeys,
  'sync-request': async (value) => {
    const request = syncRequestSchema.parse(value);
    for (const op of request.ops) await readsAsOp(op);
  },
  'sync-response': async (value) => {
    const response = syncResponseSchema.parse(value);
    for (const served of response.ops) await readsAsOp(served.op);
  },
  // The same page with the device's own ops in brief: every entry names an op of the page above.
  'sync-response-brief': (value) => {
    const brief = syncResponseSchema.parse(value);
    const whole = syncResponseSchema.parse(JSON.parse(examples(DOC).find((e) => e.name === 'sync-response')!.text));
    expect(brief.own).toEqual(whole.ops.map((s) => ({ seq: s.seq, receivedAt: s.receivedAt, id: s.op.id, deviceSeq: s.op.deviceSeq })));
    expect({ ...brief, ops: undefined, own: undefined }).toEqual({ ...whole, ops: undefined });
  },
  'request-file': (_value, text) => expect(readRequestFile(text)).toMatchObject({ ok: true }),
  'reply-file': parses(syncReplyFileSchema),
  'devices-response': parses(devicesResponseSchema),
  'revoke-request': parses(revokeRequestSchema),
  'revoke-response': parses(revokeResponseSchema),
  'token-response': parses(tokenRotateResponseSchema),
};

describe('the examples in docs/protocol.md', () => {
  const all = examples(DOC);

  test('each is named, once, and known to this test', () => {
    expect(all.length).toBeGreaterThan(15);
    for (const e of all) expect(e.name && Object.hasOwn(CHECKS, e.name), `line ${e.line}`).toBe(true);
    const names = all.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
  });

  test.each(all.filter((e) => e.name !== undefined).map((e) => [e.name!, e] as const))('%s is taken by the app', async (name, e) => {
    await CHECKS[name]!(JSON.parse(e.text), e.text);
  });
});
