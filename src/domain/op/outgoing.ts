/**
 * Making the wire form of an op, the form it leaves this device in: once made it is kept (app
 * store, op row `wire`) and sent as it is, so every retry and relay carries the very same bytes.
 *
 * - Format 1 (`toWire`): the body in clear, as canonical JSON; what a device sends while its
 *   deployment has no key.
 * - Format 2, a report or desk op (`sealForWire`): sealed end to end (sealed.ts), so the base, a sync
 *   file or a coordinator relaying it hold the clear header and ciphertext only. The author's
 *   signature is inside the seal.
 * - Format 2, a deployment op (the roster, the gazetteer; `signInClear`): it must stay readable by
 *   every device, so its body travels in clear, with the author's signature over header and body
 *   hash in `sig`.
 *
 * Every format-2 form carries its author's outer signature in `osig` (outer-signature.ts).
 */
import { canonicalJson } from '../canonical-json.ts';
import type { AgreementAlg } from '../crypto/algorithms.ts';
import { toBase64url } from '../crypto/bytes.ts';
import type { AgreementKeyPair, PublicKey, SigningKeyPair } from '../crypto/keys.ts';
import type { PairKeyCache } from '../crypto/pair-keys.ts';
import { headerFields, SEALED_OP_VERSION, sealedOpHeaderSchema } from './header.ts';
import { blobsOf, type Op } from './op.ts';
import { signOuter } from './outer-signature.ts';
import { sealOp } from './sealed.ts';
import { signOp } from './signature.ts';
import { bodyText, type WireOp } from './wire.ts';

/** What a device seals and signs its own ops with. */
export interface Sealer {
  agreement: AgreementKeyPair;
  signing: SigningKeyPair;
  pairs: PairKeyCache;
}

/** The format-1 wire form of an op: its body in clear, as canonical JSON or as it arrived (`rawBody`). */
export function toWire(op: Op, rawBody?: string): WireOp {
  const wire: WireOp = {
    v: op.v,
    id: op.id,
    kind: op.kind,
    reportId: op.reportId,
    device: op.device,
    deviceSeq: op.deviceSeq,
    body: bodyText(op, rawBody),
  };
  if (op.sig !== undefined) wire.sig = op.sig;
  return wire;
}

/**
 * The op as it travels in version 2: sealed to `recipients` (the deployment key, the author's own
 * key, and a monitor's when a coordinator edits that monitor's report) with a body codec from
 * `codecs`, those every reader opens; or for a deployment op signed in clear.
 */
export async function sealForWire(
  op: Op,
  sealer: Sealer,
  recipients: readonly PublicKey<AgreementAlg>[],
  codecs?: readonly number[],
): Promise<{ ok: true; wire: WireOp } | { ok: false; reason: string }> {
  if (op.kind === 'deployment') return { ok: true, wire: await signInClear(op, sealer.signing) };
  const header = { ...headerFields(op), v: SEALED_OP_VERSION } as const;
  const sealed = await sealOp(sealedOpHeaderSchema.parse(header), op.body, sealer, recipients, {
    pairs: sealer.pairs,
    ...(codecs && { codecs }),
  });
  if (!sealed.ok) return sealed;
  // The photos' sealed blobs, in clear beside the sealed body: the base holds uploads to them.
  const blobs = blobsOf(op.body);
  return { ok: true, wire: await withOuterSignature(blobs.length > 0 ? { ...sealed.op, blobs } : sealed.op, sealer) };
}

/** A deployment op as it travels in version 2: its body in clear, signed inside (`sig`) and out (`osig`). */
export async function signInClear(op: Op, signing: SigningKeyPair): Promise<WireOp> {
  const header = { ...headerFields(op), v: SEALED_OP_VERSION } as const;
  const bodyText = canonicalJson(op.body);
  const sig = toBase64url(await signOp(signing, header, bodyText));
  return withOuterSignature({ ...header, body: bodyText, sig }, { signing });
}

/**
 * A version-2 wire form of this device's with its outer signature: one sealed before ops had one
 * gets it when it is next sent. Everything else stays as it was, so the op keeps its identity.
 */
export async function withOuterSignature(wire: WireOp, sealer: Pick<Sealer, 'signing'>): Promise<WireOp> {
  if (wire.osig !== undefined || wire.v !== SEALED_OP_VERSION) return wire;
  return { ...wire, osig: await signOuter(sealer.signing, wire, wire.body, wire.blobs) };
}
