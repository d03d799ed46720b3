/**
 * Reading an op that arrived (pulled, from a sync file, from the quarantine), whatever its form:
 * format 1 as it stands (`fromWire`); format 2 opened (sealed.ts) or, for a deployment op signed in
 * clear, its signature checked (`readArrived`); a roster statement read for the trust rule to judge
 * (`readStatement`). Nothing here throws, and nothing of a body is given before its signature was
 * checked: what cannot be read goes to the quarantine with its reason, never blocking the ops
 * behind it.
 *
 * An op is kept as merging reads it (`Op`, format 1 in shape), with the wire form it arrived in
 * beside it, so relaying it sends the very bytes the base may already hold.
 */
import { canonicalJson } from '../canonical-json.ts';
import { fromBase64url } from '../crypto/bytes.ts';
import { readPublicKey, type AgreementKeyPair } from '../crypto/keys.ts';
import type { PairKeyCache } from '../crypto/pair-keys.ts';
import {
  claimsOf,
  fieldsOf,
  headerFields,
  idOf,
  OP_FORMAT_VERSION,
  readWireHeader,
  SEALED_OP_VERSION,
  type HeaderRead,
  type SealedOpHeader,
} from './header.ts';
import { openOp, type OpenKeys } from './sealed.ts';
import { OUTER_SIGNATURE_CHARS } from './outer-signature.ts';
import { checkOpSignature } from './signature.ts';
import { SIGNATURE_TEXT_CHARS } from '../crypto/sign.ts';
import type { KeyDirectory } from '../key-directory.ts';
import type { DeviceId } from '../ids.ts';
import type { PinnedRoot, RosterStatement, TrustedRoster } from '../trusted-roster.ts';
import { blobsOf, opSigSchema, readOpBody, type BlobRef, type Op, type OpBody } from './op.ts';
import type { WireOp } from './wire.ts';
import { entriesWritten, ROSTER_ID } from '../roster.ts';
import { QUARANTINE_REASONS } from '../quarantine.ts';
import type { Vouching } from '../vouching.ts';

/**
 * What reading an op that arrived gives: the op as merging reads it, with the body text it arrived
 * in when that is not its canonical JSON and, in format 2, the wire form to relay; or the reason it
 * goes to the quarantine.
 */
export type ArrivedOp = { ok: true; op: Op; rawBody?: string; wire?: WireOp } | { ok: false; id?: string; reason: string };

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

/** Refused, under the id the header gives, or as much of the one sent as is text. */
function refused(read: HeaderRead, reason: string): { ok: false; id?: string; reason: string } {
  const id = idOf(read);
  return { ok: false, ...(id !== undefined && { id }), reason };
}

/** The outer signature of what arrived, when it has one of the right shape: kept with the op for relaying. */
function outerOf(w: Record<string, unknown>): { osig?: string } {
  return typeof w.osig === 'string' && w.osig.length === OUTER_SIGNATURE_CHARS ? { osig: w.osig } : {};
}

/** The keys a reader opens sealed ops with, as `openOp` takes them. */
export function openKeys(reader: Reader): OpenKeys {
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
function parseSigned(w: Record<string, unknown>, read: HeaderRead): ParsedSigned {
  const fail = (reason: string): ParsedSigned => refused(read, reason);
  if (!read.ok || read.header.v !== SEALED_OP_VERSION || typeof w.body !== 'string' || typeof w.sig !== 'string') {
    return fail(QUARANTINE_REASONS.badHeader);
  }
  const header: SealedOpHeader = { ...read.header, v: SEALED_OP_VERSION };
  const signature = w.sig.length === SIGNATURE_TEXT_CHARS ? fromBase64url(w.sig) : null;
  if (!signature || signature.length !== 64) return fail(QUARANTINE_REASONS.badSignature);
  const body = readOpBody(w.body);
  if (!body.ok) return fail(body.reason);
  return { ok: true, header, body: body.body, signature, text: w.body, sig: w.sig };
}

function signedArrived(p: Extract<ParsedSigned, { ok: true }>, w: Record<string, unknown>): ArrivedOp {
  return arrived(p.header, p.body, { body: p.text, sig: p.sig }, w);
}

/**
 * An op read and checked, with the wire form kept for relaying: its outer signature and the blobs
 * it lists, once those are shown to be the ones its signed body names.
 */
function arrived(header: SealedOpHeader, body: OpBody, signed: Pick<WireOp, 'body' | 'sig'>, w: Record<string, unknown>): ArrivedOp {
  const blobs = blobsOf(body);
  if (!listsBlobs(w.blobs, blobs)) return { ok: false, id: header.id, reason: QUARANTINE_REASONS.badBlobs };
  const wire: WireOp = { ...headerFields(header), ...signed, ...outerOf(w), ...(blobs.length > 0 && { blobs }) };
  return { ok: true, op: localOp(header, body), wire };
}

/**
 * Whether the blobs a wire form lists in clear are exactly those its signed body names, in order.
 * The base holds uploads to the listed ones; a list changed on the way, or written apart from the
 * body, is not taken in.
 */
function listsBlobs(listed: unknown, named: readonly BlobRef[]): boolean {
  if (listed === undefined || listed === null) return named.length === 0;
  return (
    Array.isArray(listed) &&
    listed.length === named.length &&
    listed.every((b: unknown, i) => {
      const ref = b as Partial<BlobRef> | null;
      return typeof ref === 'object' && ref !== null && ref.sha256 === named[i]!.sha256 && ref.bytes === named[i]!.bytes;
    })
  );
}

/**
 * A roster statement as it arrived, its shape checked and its signature left to the trust rule,
 * which alone knows whose key was in force for it (app/sync/take-in.ts). Version 2 only: nothing
 * in clear is a statement.
 */
export function readStatement(input: unknown): ArrivedOp {
  const read = readWireHeader(input);
  if (claimsOf(read).v !== SEALED_OP_VERSION) return refused(read, QUARANTINE_REASONS.unproven);
  const w = fieldsOf(input);
  const parsed = parseSigned(w, read);
  return parsed.ok ? signedArrived(parsed, w) : parsed;
}

/**
 * Reads an op that arrived in format 1, its body in clear: never throws, whatever arrived. A body
 * that does not read is named before a header that does not: the quarantine says what is wrong
 * with the part that matters most.
 */
export function fromWire(input: unknown): ArrivedOp {
  const w = fieldsOf(input);
  const read = readWireHeader(input, OP_FORMAT_VERSION);
  const id = idOf(read);
  const fail = (reason: string): ArrivedOp => ({ ok: false, id, reason });
  if (!read.ok && read.reason === QUARANTINE_REASONS.unknownVersion) return fail(read.reason);
  if (typeof w.body !== 'string') return fail(QUARANTINE_REASONS.badHeader);
  const body = readOpBody(w.body);
  if (!body.ok) return fail(body.reason);
  const sig = opSigSchema.safeParse(w.sig);
  if (!read.ok || !sig.success) return fail(QUARANTINE_REASONS.badHeader);
  const op: Op = { ...read.header, v: OP_FORMAT_VERSION, body: body.body, ...(sig.data !== undefined && { sig: sig.data }) };
  return canonicalJson(op.body) === w.body ? { ok: true, op } : { ok: true, op, rawBody: w.body };
}

/**
 * A deployment op that travels signed in clear. Its author's signing key comes from the roster the
 * reader holds; while that roster names no coordinator with keys (and the reader pinned no root), a
 * roster op may introduce its own author (the first coordinator's entry is taken as the base serves
 * it, as an enrollment before the deployment key existed is).
 */
async function readSigned(w: Record<string, unknown>, read: HeaderRead, reader: Reader | undefined): Promise<ArrivedOp> {
  const parsed = parseSigned(w, read);
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
 * Whether reading this op needs only the reader's own keys, its directory and its cache of agreed
 * keys: a sealed op that is not a deployment op. Such an op reads the same wherever those are
 * (app/sync/open-worker.ts opens them in a worker); the others also need to know whether the
 * reader pinned a root, or may add to its directory.
 */
export function opensWithKeysAlone(input: unknown): boolean {
  // By the form it claims, as readArrived routes it: the header's claims are what was sent.
  return fieldsOf(input).v === SEALED_OP_VERSION && !claimsDeploymentOp(input);
}

/**
 * Whether an op claims to be a deployment op, read or not: what may add to a reader's directory or
 * prove other ops as it is read, so work done ahead of it is done again (app/sync/engine.ts).
 */
export function claimsDeploymentOp(input: unknown): boolean {
  return fieldsOf(input).kind === 'deployment';
}

/**
 * Reads an op that arrived (pulled, from a sync file, from quarantine): version 1 as it stands,
 * version 2 opened and its signature checked. Never throws; nothing of a body is returned before
 * its signature has been checked.
 */
export async function readArrived(input: unknown, reader: Reader | undefined): Promise<ArrivedOp> {
  const read = readWireHeader(input);
  // Routed by the form the header claims, so an op is refused for what is wrong with it in that form.
  const claims = claimsOf(read);
  if (claims.v !== SEALED_OP_VERSION) return reader?.rooted ? refused(read, QUARANTINE_REASONS.unproven) : fromWire(input);
  const w = fieldsOf(input);
  if (claims.kind === 'deployment') return readSigned(w, read, reader);
  if (!reader) return refused(read, QUARANTINE_REASONS.notForThisDevice);
  const opened = await openOp(input, openKeys(reader));
  if (!opened.ok) return opened;
  return arrived(opened.op.header, opened.op.body, { body: w.body as string }, w);
}
