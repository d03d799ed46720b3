import { createCipheriv, createPrivateKey, createPublicKey, diffieHellman, hkdfSync } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { canonicalJson } from '../../../src/domain/canonical-json.ts';
import { concatBytes, fromBase64url, fromHex, toBase64url, utf8, type Bytes } from '../../../src/domain/crypto/bytes.ts';
import { inflateRawSync } from 'node:zlib';
import { deflate, deflateWithDictionary } from '../../../src/domain/crypto/compression.ts';
import {
  generateKeyPair,
  publicKeyFromRaw,
  type AgreementKeyPair,
  type PublicKey,
  type SigningKeyPair,
} from '../../../src/domain/crypto/keys.ts';
import { OP_KEY_CONTEXT, PairKeyCache, opKeyInfo } from '../../../src/domain/crypto/pair-keys.ts';
import {
  openOp,
  openPlaintext,
  sealOp,
  sealPlaintext,
  sealedBodySchema,
  type OpenKeys,
  type SealedWireOp,
} from '../../../src/domain/op/sealed.ts';
import { BODY_DICTIONARY } from '../../../src/domain/op/body-dictionary.ts';
import { CODECS_READ } from '../../../src/domain/op/codecs.ts';
import type { SealedOpHeader } from '../../../src/domain/op/header.ts';
import { signOp, checkOpSignature } from '../../../src/domain/op/signature.ts';
import type { AgreementAlg, SigningAlg } from '../../../src/domain/crypto/algorithms.ts';
import { BODY, HEADER, RFC7748, RFC8032, ed25519Pair, scriptedRandom, x25519Pair } from '../crypto/fixtures.ts';
import type { DeviceId, KeyId } from '../../../src/domain/ids.ts';
import { deviceId, keyId, opId, reportId } from '../../ids.ts';

type Device = { id: DeviceId; agreement: AgreementKeyPair; signing: SigningKeyPair };

let alice: Device; // a monitor's phone, the author
let deployment: AgreementKeyPair; // held by coordinators
let carol: Device; // another monitor's phone
let agreementKeys: Map<string, PublicKey<AgreementAlg>>;
let signingKeys: Map<string, PublicKey<SigningAlg>>;

beforeAll(async () => {
  alice = {
    id: HEADER.device,
    agreement: await x25519Pair(RFC7748.alicePrivate, RFC7748.alicePublic),
    signing: await ed25519Pair(RFC8032[0]!.secret, RFC8032[0]!.public),
  };
  deployment = await x25519Pair(RFC7748.bobPrivate, RFC7748.bobPublic);
  carol = { id: deviceId('phone-carol-01'), agreement: await generateKeyPair('x25519'), signing: await generateKeyPair('ed25519') };
  agreementKeys = new Map([alice.agreement, deployment, carol.agreement].map((k) => [k.publicKey.kid, k.publicKey]));
  signingKeys = new Map([alice, carol].map((d) => [d.id, d.signing.publicKey]));
});

/** What a reader holding `mine` knows: the roster's keys. */
function reader(...mine: AgreementKeyPair[]): OpenKeys {
  return {
    mine,
    agreementKey: (kid) => agreementKeys.get(kid),
    signingKey: (device) => signingKeys.get(device),
    pairs: new PairKeyCache(),
  };
}

async function seal(
  header: SealedOpHeader = HEADER,
  body = BODY,
  author: Device = alice,
  to = [deployment.publicKey, alice.agreement.publicKey],
  codecs?: readonly number[],
): Promise<SealedWireOp> {
  const r = await sealOp(header, body, author, to, { pairs: new PairKeyCache(), ...(codecs && { codecs }) });
  if (!r.ok) throw new Error(r.reason);
  return r.op;
}

/** An op sealed by the author around any plaintext, to show what a reader does with a bad inside. */
async function sealRaw(plaintext: Bytes, header: SealedOpHeader = HEADER): Promise<SealedWireOp> {
  const r = await sealPlaintext(header, plaintext, alice.agreement, [deployment.publicKey], { pairs: new PairKeyCache() });
  if (!r.ok) throw new Error(r.reason);
  return { ...header, body: r.body };
}

function envelope(op: SealedWireOp) {
  return sealedBodySchema.parse(JSON.parse(op.body));
}

function withEnvelope(op: SealedWireOp, change: (e: ReturnType<typeof envelope>) => void): SealedWireOp {
  const e = envelope(op);
  change(e);
  return { ...op, body: canonicalJson(e) };
}

function flip(text: string, i: number): string {
  const bytes = fromBase64url(text)!;
  bytes[i]! ^= 1 << (i % 8);
  return toBase64url(bytes);
}

const reason = async (op: unknown, keys: OpenKeys) => {
  const r = await openOp(op, keys);
  return r.ok ? 'opened' : r.reason;
};

describe('the sealed layout, byte for byte', () => {
  test('fixed keys, content key and IV give this body, and node:crypto builds the same from the documented steps', async () => {
    const plaintext = utf8('rasid sealed-op known answer');
    const contentKey = fromHex('0c'.repeat(32));
    const iv = fromHex('1f'.repeat(12));
    const r = await sealPlaintext(HEADER, plaintext, alice.agreement, [deployment.publicKey, alice.agreement.publicKey], {
      pairs: new PairKeyCache(),
      random: scriptedRandom('0c'.repeat(32), '1f'.repeat(12)),
    });
    expect(r).toEqual({
      ok: true,
      body:
        '{"ct":"ANZpnrveq3IgCGlC2a51j7MPqUEAzE28AXA7DH4OVeUVFdZ8MICAdteSFbI","from":"MAyclgO5Kks5","iv":"Hx8fHx8fHx8fHx' +
        '8f","to":[{"k":"815WFhYKML88","w":"IntKQfquUa6gtcOiH2cSyZ5h_ORp2NJ0bhALIKNDcHPm8_8PPTKqNQ"},{"k":"MAyclgO5Kks5' +
        '","w":"2yB5xMr2CBPbSuM9JFS_hpMePbIJq4S41RmKKt5I750c1xhHn7S9Ig"}],"v":2}',
    });

    // The same from docs/security.md's steps, with node:crypto only.
    const x25519Private = (hex: string) =>
      createPrivateKey({ key: Buffer.from(`302e020100300506032b656e04220420${hex}`, 'hex'), format: 'der', type: 'pkcs8' });
    const x25519Public = (hex: string) =>
      createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(hex, 'hex').toString('base64url') }, format: 'jwk' });
    const wrapTo = (recipientPublic: string, toKid: KeyId) => {
      const shared = diffieHellman({ privateKey: x25519Private(RFC7748.alicePrivate), publicKey: x25519Public(recipientPublic) });
      const kek = Buffer.from(hkdfSync('sha256', shared, OP_KEY_CONTEXT, opKeyInfo(alice.agreement.publicKey.kid, toKid, HEADER.id), 32));
      const kw = createCipheriv('id-aes256-wrap', kek, Buffer.from('a6a6a6a6a6a6a6a6', 'hex'));
      return { k: toKid, w: Buffer.concat([kw.update(contentKey), kw.final()]).toString('base64url') };
    };
    const from = alice.agreement.publicKey.kid;
    const to = [wrapTo(RFC7748.bobPublic, deployment.publicKey.kid), wrapTo(RFC7748.alicePublic, alice.agreement.publicKey.kid)];
    const gcm = createCipheriv('aes-256-gcm', contentKey, iv);
    gcm.setAAD(utf8(canonicalJson({ from, header: HEADER, to })));
    const ct = Buffer.concat([gcm.update(plaintext), gcm.final(), gcm.getAuthTag()]);
    const expected = canonicalJson({ v: 2, from, to, iv: Buffer.from(iv).toString('base64url'), ct: ct.toString('base64url') });
    expect(r.ok && r.body).toBe(expected);
  });

  test('a sealed op committed from an earlier run still opens, for the deployment and for its author', async () => {
    const committed: SealedWireOp = {
      ...HEADER,
      body: COMMITTED_BODY,
    };
    for (const keys of [reader(deployment), reader(alice.agreement)]) {
      const r = await openOp(committed, keys);
      expect(r.ok && r.op.body).toEqual(BODY);
      expect(r.ok && r.op.bodyText).toBe(canonicalJson(BODY));
    }
  });
});

/**
 * sealOp(HEADER, BODY) by Alice's RFC 7748 and RFC 8032 keys to Bob (the deployment) and herself,
 * content key 5a..5a, IV 3c..3c. Only opened, not re-made: the DEFLATE inside may come out
 * differently from another zlib build and still be right.
 */
const COMMITTED_BODY =
  '{"ct":"1cDPaQ0nBKVLWoOtlsuutsIEpZ7Sw7iOnQG5pKJTUouwWac1NrBQXZaUy0AB6SHIZKUq-fUKDHVJQUPTJcKEEZtTJalO3pA7Hcz8UvkhWMxV-oPBU42b0i_cRc9' +
  'uXj4gplODxoCelCdWgRwHX6fEYB5tbsB8VMep75aVgv_bx8UDiVw2rPVPwL2oKeT0OiA5QpYBfoMMgPwnVlA3QRMW-2FpPJbdHCFPLlPzEV9Z0L0uYpBm51CUGP99n2tSv' +
  'xPCktpSxxoAz9zP6OANLCD4FIz8GqvUwn54gY62FqzNSGUKRZVOBZJ4cVTde3yxdt-NvH4KXumBIMt4StpPKWbtmJfACj6gSaVJmEl-ktS2ZNIbcS8lBPX2_wf5GpGnrao' +
  'R","from":"MAyclgO5Kks5","iv":"PDw8PDw8PDw8PDw8","to":[{"k":"815WFhYKML88","w":"hCxes2KYJ9kThnyC1KvBtqOGmCjw9-Tnj33DjdlOarkUClU9DL' +
  'Lj7A"},{"k":"MAyclgO5Kks5","w":"WdCPbxIq9Hvj55eD9DtEd8MvjJETOfkzCPwS5XU1kEJ9eDvlFBBfdw"}],"v":2}';

describe('sealing and opening', () => {
  test('the deployment, the author, and a monitor added as recipient each open the op, with the author signature', async () => {
    const op = await seal(HEADER, BODY, alice, [deployment.publicKey, alice.agreement.publicKey, carol.agreement.publicKey]);
    for (const keys of [reader(deployment), reader(alice.agreement), reader(carol.agreement)]) {
      const r = await openOp(op, keys);
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expect(r.op.header).toEqual(HEADER);
      expect(r.op.body).toEqual(BODY);
      expect(r.op.sealedBy).toBe(alice.agreement.publicKey.kid);
      // Header, body text and signature are the evidence: they verify on their own, later.
      expect(await checkOpSignature(alice.signing.publicKey, r.op.header, r.op.bodyText, r.op.signature)).toEqual({ ok: true });
    }
  });

  test('sealed for readers that all open codec 2, a body deflates against the dictionary: fewer bytes, the same body', async () => {
    const report = {
      ...BODY,
      changes: {
        type: 'damage',
        confidence: 'high',
        damageCause: 'burning',
        damageLevel: 'destroyed',
        eventDate: { date: '2026-11-30', precision: 'exact' },
      },
    };
    const everyReader = await seal(HEADER, report);
    const all = await seal(HEADER, report, alice, undefined, CODECS_READ);
    const opened = await openPlaintext(all, reader(deployment));
    expect(opened.ok && opened.plaintext[0]).toBe(2);
    const before = await openPlaintext(everyReader, reader(deployment));
    expect(before.ok && before.plaintext[0]).toBe(1);
    expect(fromBase64url(envelope(all).ct)!.length).toBeLessThan(fromBase64url(envelope(everyReader).ct)!.length - 40);
    const r = await openOp(all, reader(deployment));
    expect(r.ok && r.op.body).toEqual(report);
    // Another client reads it with zlib and the dictionary's bytes alone.
    const payload = opened.ok ? opened.plaintext.slice(1 + 64) : new Uint8Array();
    expect(new TextDecoder().decode(inflateRawSync(payload, { dictionary: BODY_DICTIONARY }))).toBe(canonicalJson(report));
  });

  test('a device that is not a recipient cannot open it', async () => {
    const op = await seal();
    expect(await reason(op, reader(carol.agreement))).toBe('quarantine.notForThisDevice');
    // Claiming a recipient's key id without its private key gets no further.
    const pretender = { ...carol.agreement, publicKey: deployment.publicKey };
    expect(await reason(op, reader(pretender))).toBe('quarantine.openFailed');
  });

  test('the desk, holding the deployment key and its own, opens with whichever is listed', async () => {
    const op = await seal(HEADER, BODY, alice, [deployment.publicKey]);
    expect((await openOp(op, reader(carol.agreement, deployment))).ok).toBe(true);
  });

  test('the P-256 suite seals and opens too', async () => {
    const author = { id: HEADER.device, agreement: await generateKeyPair('p256-ecdh'), signing: await generateKeyPair('p256-ecdsa') };
    const desk = await generateKeyPair('p256-ecdh');
    const keys: OpenKeys = {
      mine: [desk],
      agreementKey: (kid) => (kid === author.agreement.publicKey.kid ? author.agreement.publicKey : undefined),
      signingKey: () => author.signing.publicKey,
      pairs: new PairKeyCache(),
    };
    const op = await seal(HEADER, BODY, author, [desk.publicKey, author.agreement.publicKey]);
    const r = await openOp(op, keys);
    expect(r.ok && r.op.body).toEqual(BODY);
  });

  test('one key agreement per pair of keys, however many ops are opened', async () => {
    const keys = reader(deployment);
    for (let seq = 1; seq <= 25; seq++) {
      const header = { ...HEADER, id: opId(`0195781a-3c00-7abc-8def-0000000000${String(seq).padStart(2, '0')}`), deviceSeq: seq };
      const opA = await seal(header, BODY, alice, [deployment.publicKey]);
      const opC = await seal({ ...header, device: carol.id }, BODY, carol, [deployment.publicKey]);
      expect((await openOp(opA, keys)).ok && (await openOp(opC, keys)).ok).toBe(true);
    }
    expect(keys.pairs.size).toBe(2);
  });

  test('the server sees the header, never a word of the body', async () => {
    const marker = 'MARKER-7f3a9c-نزوح';
    const op = await seal(HEADER, { ...BODY, changes: { ...BODY.changes, narrative: marker, place: marker } });
    const stored = JSON.stringify(op);
    expect(stored).toContain(HEADER.reportId);
    for (const needle of [marker, 'MARKER', 'narrative', 'displacement', BODY.hlc]) expect(stored).not.toContain(needle);
  });

  test('recipients are listed once each; other curves, no recipient, or too large a body are refused', async () => {
    const op = await seal(HEADER, BODY, alice, [deployment.publicKey, deployment.publicKey, alice.agreement.publicKey]);
    expect(envelope(op).to.map((t) => t.k)).toEqual([deployment.publicKey.kid, alice.agreement.publicKey.kid]);
    const p256 = await generateKeyPair('p256-ecdh');
    const pairs = new PairKeyCache();
    expect(await sealOp(HEADER, BODY, alice, [deployment.publicKey, p256.publicKey as never], { pairs })).toEqual({
      ok: false,
      reason: 'err.seal.badRecipients',
    });
    expect(await sealOp(HEADER, BODY, alice, [], { pairs })).toEqual({ ok: false, reason: 'err.seal.badRecipients' });
    const smallOrder = await publicKeyFromRaw('x25519', new Uint8Array(32));
    expect(await sealOp(HEADER, BODY, alice, [deployment.publicKey, smallOrder], { pairs })).toEqual({
      ok: false,
      reason: 'err.seal.badRecipients',
    });
    const huge = { ...BODY, changes: { narrative: 'x'.repeat(300 * 1024) } };
    expect(await sealOp(HEADER, huge, alice, [deployment.publicKey], { pairs })).toEqual({ ok: false, reason: 'err.op.tooLarge' });
  });
});

describe('tampering: anything changed fails with a typed reason', () => {
  let op: SealedWireOp;
  beforeAll(async () => {
    op = await seal();
  });

  test('any byte of the ciphertext', async () => {
    const n = fromBase64url(envelope(op).ct)!.length;
    for (let i = 0; i < n; i++) {
      expect(
        await reason(
          withEnvelope(op, (e) => (e.ct = flip(e.ct, i))),
          reader(deployment),
        ),
        `ct byte ${i}`,
      ).toBe('quarantine.openFailed');
    }
  });

  test('any byte of the IV', async () => {
    for (let i = 0; i < 12; i++) {
      expect(
        await reason(
          withEnvelope(op, (e) => (e.iv = flip(e.iv, i))),
          reader(deployment),
        ),
        `iv byte ${i}`,
      ).toBe('quarantine.openFailed');
    }
  });

  test('any byte of any wrapped key, whoever opens it', async () => {
    for (const entry of [0, 1]) {
      for (let i = 0; i < 40; i++) {
        const changed = withEnvelope(op, (e) => (e.to[entry]!.w = flip(e.to[entry]!.w, i)));
        for (const keys of [reader(deployment), reader(alice.agreement)]) {
          expect(await reason(changed, keys), `entry ${entry} byte ${i}`).toBe('quarantine.openFailed');
        }
      }
    }
  });

  test('a recipient stripped from the list', async () => {
    expect(
      await reason(
        withEnvelope(op, (e) => e.to.pop()),
        reader(deployment),
      ),
    ).toBe('quarantine.openFailed');
  });

  test('wrapped keys swapped between recipients, or the sender changed', async () => {
    const swapped = withEnvelope(op, (e) => ([e.to[0]!.w, e.to[1]!.w] = [e.to[1]!.w, e.to[0]!.w]));
    expect(await reason(swapped, reader(deployment))).toBe('quarantine.openFailed');
    expect(
      await reason(
        withEnvelope(op, (e) => (e.from = carol.agreement.publicKey.kid)),
        reader(deployment),
      ),
    ).toBe('quarantine.openFailed');
    expect(
      await reason(
        withEnvelope(op, (e) => (e.from = keyId('AAAAAAAAAAAA'))),
        reader(deployment),
      ),
    ).toBe('quarantine.unknownSender');
  });

  test('any field of the clear header (the associated data)', async () => {
    const changes: Partial<SealedOpHeader>[] = [
      { id: opId('0195781a-3c00-7abc-8def-0123456789ac') },
      { kind: 'edit' },
      { reportId: reportId('0195781a-3c00-7abc-8def-000000000002') },
      { device: carol.id },
      { deviceSeq: 8 },
    ];
    for (const c of changes) expect(await reason({ ...op, ...c }, reader(deployment)), JSON.stringify(c)).toBe('quarantine.openFailed');
    expect(await reason({ ...op, v: 1 }, reader(deployment))).toBe('quarantine.badHeader');
    expect(await reason({ ...op, v: 3 }, reader(deployment))).toBe('quarantine.unknownVersion');
    expect(await reason({ ...op, deviceSeq: 0 }, reader(deployment))).toBe('quarantine.badHeader');
  });

  test('a body moved under another op header', async () => {
    const other = await seal({ ...HEADER, id: opId('0195781a-3c00-7abc-8def-0123456789ff'), deviceSeq: 8 });
    expect(await reason({ ...op, body: other.body }, reader(deployment))).toBe('quarantine.openFailed');
  });

  test('any character of the sealed body text never opens', async () => {
    const text = op.body;
    for (let i = 0; i < text.length; i++) {
      const c = text[i] === 'A' ? 'B' : text[i] === '"' ? "'" : 'A';
      const r = await openOp({ ...op, body: text.slice(0, i) + c + text.slice(i + 1) }, reader(deployment));
      expect(r.ok, `character ${i}`).toBe(false);
    }
  });

  test('any byte of the signature inside the seal', async () => {
    const bodyText = canonicalJson(BODY);
    const sig = await signOp(alice.signing, HEADER, bodyText);
    const deflated = await deflate(utf8(bodyText));
    const good = await sealRaw(concatBytes(new Uint8Array([1]), sig, deflated));
    expect(await reason(good, reader(deployment))).toBe('opened');
    for (let i = 0; i < 64; i++) {
      const bad = sig.slice();
      bad[i]! ^= 1 << (i % 8);
      expect(await reason(await sealRaw(concatBytes(new Uint8Array([1]), bad, deflated)), reader(deployment)), `signature byte ${i}`).toBe(
        'quarantine.badSignature',
      );
    }
  });
});

describe('a malicious or broken author', () => {
  const bodyText = canonicalJson(BODY);

  test('an op claiming another device as author fails its signature', async () => {
    // Alice's phone seals (it is a recipient-capable device) and signs, but names Carol's device.
    const header = { ...HEADER, device: carol.id };
    const sig = await signOp(alice.signing, header, bodyText);
    const op = await sealRaw(concatBytes(new Uint8Array([1]), sig, await deflate(utf8(bodyText))), header);
    expect(await reason(op, reader(deployment))).toBe('quarantine.badSignature');
  });

  test('an author the roster does not list yet', async () => {
    const header = { ...HEADER, device: deviceId('phone-unknown-9') };
    const op = await seal(header);
    expect(await reason(op, reader(deployment))).toBe('quarantine.unknownSigner');
  });

  test('a bad frame, a DEFLATE bomb, text that is not JSON, or JSON that is not an op body', async () => {
    const framed = async (text: string, codec = 1, payload?: Bytes) => {
      const sig = await signOp(alice.signing, HEADER, text);
      return sealRaw(concatBytes(new Uint8Array([codec]), sig, payload ?? (codec === 1 ? await deflate(utf8(text)) : utf8(text))));
    };
    expect(await reason(await sealRaw(utf8('no frame at all')), reader(deployment))).toBe('quarantine.badBody');
    expect(await reason(await framed(canonicalJson(BODY), 3), reader(deployment))).toBe('quarantine.badBody');
    expect(await reason(await framed(canonicalJson(BODY), 2), reader(deployment))).toBe('quarantine.badBody');
    // Codec 2 deflated against another dictionary: not the body that was signed.
    const other = deflateWithDictionary(utf8(canonicalJson(BODY)), utf8('{"changes":{},"hlc":"2025-03-01T12:00:00.000Z-0000-'));
    expect(await reason(await framed(canonicalJson(BODY), 2, other), reader(deployment))).not.toBe('opened');
    expect(
      await reason(
        await framed(canonicalJson(BODY), 2, deflateWithDictionary(utf8(canonicalJson(BODY)), BODY_DICTIONARY)),
        reader(deployment),
      ),
    ).toBe('opened');
    expect(await reason(await framed('', 1, await deflate(new Uint8Array(2_000_000))), reader(deployment))).toBe('quarantine.badBody');
    expect(await reason(await framed('', 0, new Uint8Array(300 * 1024)), reader(deployment))).toBe('quarantine.badBody');
    expect(await reason(await framed('', 1, fromHex('ffffffff')), reader(deployment))).toBe('quarantine.badBody');
    expect(await reason(await framed('', 0, fromHex('c328')), reader(deployment))).toBe('quarantine.badBody');
    expect(await reason(await framed('{"hlc":'), reader(deployment))).toBe('quarantine.badJson');
    expect(await reason(await framed('{"changes":{},"hlc":"yesterday","supersedes":{}}'), reader(deployment))).toBe('quarantine.badBody');
  });

  test('a body DEFLATE hardly shrinks is stored as it is, and opens the same', async () => {
    const tiny = { hlc: BODY.hlc, changes: {}, supersedes: {} };
    const op = await seal(HEADER, tiny);
    const r = await openOp(op, reader(deployment));
    expect(r.ok && r.op.body).toEqual(tiny);
    // 1 codec byte + 64 signature bytes + the body text itself, + 16 tag bytes.
    expect(fromBase64url(envelope(op).ct)!.length).toBe(1 + 64 + utf8(canonicalJson(tiny)).length + 16);
  });

  test('whatever arrives, opening gives a reason and never throws', async () => {
    const op = await seal();
    const junk = fc.oneof(
      fc.anything(),
      fc.record({ ...Object.fromEntries(Object.entries(HEADER).map(([k, v]) => [k, fc.constant(v)])), body: fc.string() }),
      fc.jsonValue().map((j) => ({ ...op, body: JSON.stringify(j) })),
      // Junk on purpose: an entry whose key id is any text at all.
      fc.record({ k: fc.string(), w: fc.string() }).map((t) => withEnvelope(op, (e) => (e.to as { k: string; w: string }[]).push(t))),
    );
    await fc.assert(
      fc.asyncProperty(junk, async (input) => {
        const r = await openOp(input, reader(deployment));
        expect(r.ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
