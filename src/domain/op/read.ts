/**
 * Ops as they travel in version 2, and reading whatever arrives.
 *
 * - A report or desk op travels sealed end to end (crypto/sealed-op.ts): the base, a sync file or a
 *   coordinator relaying it hold the clear header and ciphertext only. The author's signature is
 *   inside the seal.
 * - A deployment op (the roster, the gazetteer) must stay readable by every device, so its body
 *   travels in clear, with the author's signature over header and body hash in `sig`.
 *
 * Locally an op is kept as the clear Op (version 1 shape, what merging reads), with the exact wire
 * form it travelled in beside it, so relaying it sends the very bytes the base may already hold.
 */
import { canonicalJson } from '../canonical-json.ts';
import type { AgreementAlg } from '../crypto/algorithms.ts';
import { fromBase64url, toBase64url } from '../crypto/bytes.ts';
import { readPublicKey, type AgreementKeyPair, type PublicKey, type SigningKeyPair } from '../crypto/keys.ts';
import type { PairKeyCache } from '../crypto/pair-keys.ts';
import { headerFields, OP_FORMAT_VERSION, SEALED_OP_VERSION, sealedOpHeaderSchema, type SealedOpHeader } from './header.ts';
import { openOp, sealOp, type OpenKeys } from './sealed.ts';
import { OUTER_SIGNATURE_CHARS, signOuter } from './outer-signature.ts';
import { checkOpSignature, SIGNATURE_TEXT_CHARS, signOp } from './signature.ts';
import type { KeyDirectory } from '../key-directory.ts';
import type { DeviceId } from '../ids.ts';
import type { PinnedRoot, RosterStatement, TrustedRoster } from '../trusted-roster.ts';
import { opBodySchema, type Op, type OpBody } from './op.ts';
import { fromWire, type WireOp } from './wire.ts';
import { entriesWritten, ROSTER_ID } from '../roster.ts';
import { QUARANTINE_REASONS } from '../quarantine.ts';
import type { Vouching } from '../vouching.ts';

export type ArrivedOp = { ok: true; op: Op; rawBody?: string; wire?: WireOp } | { ok: false; id?: string; reason: string };

/** What a device seals and signs its own ops with. */
export interface Sealer {
  agreement: AgreementKeyPair;
  signing: SigningKeyPair;
  pairs: PairKeyCache;
}

/** What a reader opens ops and checks their signatures with. */
export interface Reader {
  /** This reader's agreement key pairs: the device's own, and on a coordinator's desk the deployment key. */
  mine: readonly AgreementKeyPair[];
  directory: KeyDirectory;
  pairs: PairKeyCache;
  /**
   * A device that pinned its deployment's root: who wrote what is judged by the trust rule, over the
   * roster statements it holds and those arriving (app/sync/take-in.ts), and no op in clear counts.
   */
  rooted?: {
    root: PinnedRoot;
    self: DeviceId;
    held: readonly (RosterStatement & { wire?: WireOp })[];
    /** The vouchings it holds (domain/vouching.ts): ops from before the root count only when vouched for. */
    vouchings: readonly Vouching[];
    /** The directory a trusted roster gives, with this reader's own keys and the deployment's. */
    directoryOf(trusted: TrustedRoster): Promise<KeyDirectory>;
  };
}

/**
 * The op as it travels in version 2: sealed to `recipients` (the deployment key, the author's own
 * key, and a monitor's when a coordinator edits that monitor's report), or for a deployment op
 * signed in clear.
 */
export async function sealForWire(
  op: Op,
  sealer: Sealer,
  recipients: readonly PublicKey<AgreementAlg>[],
): Promise<{ ok: true; wire: WireOp } | { ok: false; reason: string }> {
  if (op.kind === 'deployment') return { ok: true, wire: await signInClear(op, sealer.signing) };
  const header = { ...headerFields(op), v: SEALED_OP_VERSION } as const;
  const sealed = await sealOp(sealedOpHeaderSchema.parse(header), op.body, sealer, recipients, { pairs: sealer.pairs });
  if (!sealed.ok) return sealed;
  return { ok: true, wire: await withOuterSignature(sealed.op, sealer) };
}

/** A deployment op as it travels in version 2: its body in clear, signed inside (`sig`) and out (`osig`). */
export async function signInClear(op: Op, signing: SigningKeyPair): Promise<WireOp> {
  const header = { ...headerFields(op), v: SEALED_OP_VERSION } as const;
  const bodyText = canonicalJson(op.body);
  const sig = toBase64url(await signOp(signing, header, bodyText));
  return withOuterSignature({ ...header, body: bodyText, sig }, { signing });
}

/**
 * A version-2 wire op of this device's with its outer signature: one sealed before ops had one
 * gets it when it is next sent. Everything else stays as it was, so the op keeps its identity.
 */
export async function withOuterSignature(wire: WireOp, sealer: Pick<Sealer, 'signing'>): Promise<WireOp> {
  if (wire.osig !== undefined || wire.v !== SEALED_OP_VERSION) return wire;
  return { ...wire, osig: await signOuter(sealer.signing, wire, wire.body) };
}

/** The outer signature of what arrived, when it has one of the right shape: kept with the op for relaying. */
function outerOf(w: Record<string, unknown>): { osig?: string } {
  return typeof w.osig === 'string' && w.osig.length === OUTER_SIGNATURE_CHARS ? { osig: w.osig } : {};
}

function openKeys(reader: Reader): OpenKeys {
  return {
    mine: reader.mine,
    agreementKey: (kid) => reader.directory.agreementKey(kid),
    signingKey: (device, deviceSeq) => reader.directory.signingKey(device, deviceSeq),
    pairs: reader.pairs,
  };
}

/**
 * The clear op of a version-2 header and body, both already checked (the header against its
 * schema, the body against `opBodySchema`): what this device keeps and merges. Not parsed again: a
 * desk opens every op it pulls, and the body's size check alone re-encodes the whole body.
 */
function localOp(header: SealedOpHeader, body: OpBody): Op {
  return { ...headerFields(header), v: OP_FORMAT_VERSION, body };
}

type ParsedSigned =
  | { ok: true; header: SealedOpHeader; body: OpBody; signature: Uint8Array; text: string; sig: string }
  | { ok: false; id?: string; reason: string };

/** A deployment op that travels signed in clear, read and its shape checked, its signature not yet. */
function parseSigned(w: Record<string, unknown>): ParsedSigned {
  const id = typeof w.id === 'string' ? w.id.slice(0, 64) : undefined;
  const fail = (reason: string): ParsedSigned => ({ ok: false, ...(id !== undefined && { id }), reason });
  const header = sealedOpHeaderSchema.safeParse({
    v: w.v,
    id: w.id,
    kind: w.kind,
    reportId: w.reportId,
    device: w.device,
    deviceSeq: w.deviceSeq,
  });
  if (!header.success || typeof w.body !== 'string' || typeof w.sig !== 'string') return fail(QUARANTINE_REASONS.badHeader);
  const signature = w.sig.length === SIGNATURE_TEXT_CHARS ? fromBase64url(w.sig) : null;
  if (!signature || signature.length !== 64) return fail(QUARANTINE_REASONS.badSignature);
  let json: unknown;
  try {
    json = JSON.parse(w.body);
  } catch {
    return fail(QUARANTINE_REASONS.badJson);
  }
  const body = opBodySchema.safeParse(json);
  if (!body.success) return fail(QUARANTINE_REASONS.badBody);
  return { ok: true, header: header.data, body: body.data, signature, text: w.body, sig: w.sig };
}

function signedArrived(p: Extract<ParsedSigned, { ok: true }>, w: Record<string, unknown>): ArrivedOp {
  const op = localOp(p.header, p.body);
  return { ok: true, op, wire: { ...headerFields(p.header), body: p.text, sig: p.sig, ...outerOf(w) } };
}

/**
 * A roster statement as it arrived, its shape checked and its signature left to the trust rule,
 * which alone knows whose key was in force for it (app/sync/take-in.ts). Version 2 only: nothing
 * in clear is a statement.
 */
export function readStatement(input: unknown): ArrivedOp {
  const w = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  if (w.v !== SEALED_OP_VERSION) {
    const id = typeof w.id === 'string' ? w.id.slice(0, 64) : undefined;
    return { ok: false, ...(id !== undefined && { id }), reason: QUARANTINE_REASONS.unproven };
  }
  const parsed = parseSigned(w);
  return parsed.ok ? signedArrived(parsed, w) : parsed;
}

/**
 * A deployment op that travels signed in clear. Its author's signing key comes from the roster the
 * reader holds; while that roster names no coordinator with keys (and the reader pinned no root), a
 * roster op may introduce its own author (the first coordinator's entry is taken as the base serves
 * it, as an enrollment before the deployment key existed is).
 */
async function readSigned(w: Record<string, unknown>, reader: Reader | undefined): Promise<ArrivedOp> {
  const parsed = parseSigned(w);
  if (!parsed.ok) return parsed;
  const h = parsed.header;
  const fail = (reason: string): ArrivedOp => ({ ok: false, id: h.id, reason });
  let signer = reader?.directory.signingKey(h.device, h.deviceSeq);
  if (!signer && reader?.directory.takesFirstCoordinator && h.reportId === ROSTER_ID) {
    const own = entriesWritten(parsed.body.changes).find((e) => e.device === h.device && e.role === 'coordinator');
    const text = own?.keys?.signing;
    const key = text ? await readPublicKey(text, 'signing') : undefined;
    if (key?.ok) signer = key.key;
  }
  if (!signer) return fail(QUARANTINE_REASONS.unknownSigner);
  if (!(await checkOpSignature(signer, h, parsed.text, parsed.signature)).ok) return fail(QUARANTINE_REASONS.badSignature);
  return signedArrived(parsed, w);
}

/**
 * Reads an op that arrived (pulled, from a sync file, from quarantine): version 1 as it stands,
 * version 2 opened and its signature checked. Never throws; nothing of a body is returned before
 * its signature has been checked.
 */
export async function readArrived(input: unknown, reader: Reader | undefined): Promise<ArrivedOp> {
  const w = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  if (w.v !== SEALED_OP_VERSION) {
    if (!reader?.rooted) return fromWire(input);
    const id = typeof w.id === 'string' ? w.id.slice(0, 64) : undefined;
    return { ok: false, ...(id !== undefined && { id }), reason: QUARANTINE_REASONS.unproven };
  }
  if (w.kind === 'deployment') return readSigned(w, reader);
  const id = typeof w.id === 'string' ? w.id.slice(0, 64) : undefined;
  if (!reader) return { ok: false, ...(id !== undefined && { id }), reason: QUARANTINE_REASONS.notForThisDevice };
  const opened = await openOp(input, openKeys(reader));
  if (!opened.ok) return opened;
  const { header, body } = opened.op;
  const op = localOp(header, body);
  return { ok: true, op, wire: { ...headerFields(header), body: w.body as string, ...outerOf(w) } };
}
