/**
 * What the server decides for one pushed op, as a pure function of the op, the caller and what the
 * store already holds. push.ts loads that state under the counter lock and writes the decision;
 * keeping the rules here keeps them readable in one place and testable without a database.
 */
import {
  claimsOf,
  OP_FORMAT_VERSION,
  readWireHeader,
  SEALED_OP_VERSION,
  slotOf,
  type OpKind,
  type WireHeader,
} from '../../domain/op/header.ts';
import { canonicalJson } from '../../domain/canonical-json.ts';
import type { BlobRef } from '../../domain/op/op.ts';
import type { WireOp } from '../../domain/op/wire.ts';
import { sealedBodySchema } from '../../domain/op/sealed.ts';
import { UUID_PATTERN, type DeviceId, type OpId, type TargetId } from '../../domain/ids.ts';
import { QUARANTINE_REASONS } from '../../domain/quarantine.ts';
import type { Role } from '../../domain/roles.ts';
import { ROSTER_ID } from '../../domain/roster.ts';
import { isCoordinatorOnly } from '../../domain/vouching.ts';
import type { Authorship } from './authorship.ts';
import type { OpStatus } from './schema.ts';

/** Who is pushing, as authentication established it. */
export interface Caller {
  device: DeviceId;
  role: Role;
}

/**
 * An op as a device pushes it (its own, or one it relays): the clear header, and the body and
 * signature as text. The store never opens a body; in version 2 it only checks that the body has the
 * shape it claims (rules below). Nothing here is checked yet: the header is as sent until
 * readWireHeader reads it.
 */
export interface PushedOp {
  header: WireHeader;
  body: string;
  sig?: string | null;
  /** Version 2: the author's outer signature, checked before the rules run (authorship.ts). */
  osig?: string | null;
  /** Version 2: the sealed blobs of the photos the op adds, as listed in clear; covered by the outer signature. */
  blobs?: readonly BlobRef[] | null;
}

/** A valid wire form as the store takes it: its header apart from its body, signatures and blobs. */
export function pushedOfWire(wire: WireOp): PushedOp {
  const { body, sig, osig, blobs, ...header } = wire;
  return { header, body, ...(sig !== undefined && { sig }), ...(osig !== undefined && { osig }), ...(blobs !== undefined && { blobs }) };
}

/** The blobs an op lists, as the store keeps them: their canonical JSON, or null for none. */
export function blobsText(blobs: readonly BlobRef[] | null | undefined): string | null {
  return blobs && blobs.length > 0 ? canonicalJson(blobs.map((b) => ({ bytes: b.bytes, sha256: b.sha256 }))) : null;
}

/** Rejected for good: stored (when the op has a slot of its own) and never served. Catalog keys. */
export const REJECT = {
  /** The header is not a valid op header. */
  badHeader: 'err.op.badHeader',
  /** A monitor pushed an op whose author is another device. */
  notOwnDevice: 'err.op.notOwnDevice',
  /** The op id is already held with other bytes. */
  idReused: 'err.op.idReused',
  /** The (device, deviceSeq) is already held by another op. */
  seqTaken: 'err.op.seqTaken',
  tooLarge: 'err.op.tooLarge',
  /** Body or signature is not text both databases store byte for byte (a NUL, a lone surrogate). */
  badText: 'err.op.badText',
  /** create and edit name a report by UUID; deployment and desk name a setting, never a UUID. */
  reportIdKind: 'err.op.reportIdKind',
  coordinatorOnly: 'err.op.coordinatorOnly',
  /** The deployment root writes roster statements only. */
  rootRosterOnly: 'err.op.rootRosterOnly',
  /** A create for a report another device already created. */
  reportOwned: 'err.op.reportOwned',
  /** A second create for a report its author already created. */
  reportExists: 'err.op.reportExists',
  /** A monitor's edit of a report whose create it did not write. */
  notReportOwner: 'err.op.notReportOwner',
  /** A version-2 report or desk op whose body is not a sealed body, or that carries a `sig` outside the seal. */
  notSealed: 'err.op.notSealed',
  /** A version-2 deployment op without a signature of the right shape, or whose body is not a JSON object. */
  badSignature: 'err.op.badSignature',
} as const;
export type RejectReason = (typeof REJECT)[keyof typeof REJECT];

/** Refused for now: stored nowhere; the device pushes the op again later. */
export const RETRY = {
  /** A format version newer than this server knows. */
  unknownVersion: 'err.op.unknownVersion',
  /** A monitor's edit whose report has no create yet, while that device still has undecided ops below it. */
  createPending: 'err.op.createPending',
  /** A version-1 op (body in clear) to a base that has a deployment key: the device seals it and sends it again. */
  unsealed: 'err.op.unsealed',
  /** A version-2 op without its author's outer signature: an app that signs it sends it again. */
  unsigned: 'err.op.unsigned',
  /** An outer signature that does not verify under the author's enrolled key: stored nowhere. */
  forged: 'err.op.forged',
  /** Relayed for a device this base has not enrolled: kept by the relaying device, sent again later. */
  unknownAuthor: 'err.op.unknownAuthor',
  /** Relayed for a revoked device, above its cut-off: it never counts here, and takes no slot. */
  afterCutoff: 'err.op.afterCutoff',
} as const;
export type RetryReason = (typeof RETRY)[keyof typeof RETRY];

/** Largest stored body: a 256 KiB JSON body (MAX_BODY_BYTES) still fits once sealed and base64-encoded. */
export const MAX_STORED_BODY_BYTES = 512 * 1024;
export const MAX_SIG_CHARS = 1024;

/** What the store already holds at a slot, as far as the rules need it. */
export interface HeldOp {
  id: OpId;
  v: number;
  kind: string;
  reportId: string;
  body: string;
  sig: string | null;
  blobs: string | null;
  status: OpStatus;
  rejectReason: string | null;
}

/** The store as seen under the counter lock, including the ops decided earlier in the same batch. */
export interface HeldState {
  atSlot(device: DeviceId, deviceSeq: number): HeldOp | undefined;
  holdsId(id: OpId): boolean;
  ownerOf(reportId: TargetId): DeviceId | undefined;
  /** Role of a device other than the caller (an enrolled one: authorship.ts holds back the others). */
  roleOf(device: DeviceId): Role;
  watermarkOf(device: DeviceId): number;
  /**
   * The base has a deployment key, so devices can seal: from then on no op in clear (version 1) is
   * taken, not even to be stored as rejected.
   */
  sealedOnly: boolean;
  /** The deployment root's device id, once it has one: it writes roster statements and nothing else. */
  root?: DeviceId | undefined;
}

export type Decision =
  /** Already held with the same bytes: answer as it was answered, store nothing. */
  | { answer: 'ack'; store: false }
  | { answer: 'rejected'; reason: RejectReason; store: false }
  | { answer: 'retry'; reason: RetryReason; store: false }
  /** Store under the op's slot. `owner`: this create makes its author the report's owner. */
  | { answer: 'ack'; store: true; owner: boolean }
  | { answer: 'rejected'; reason: RejectReason; store: true };

export function sameBytes(op: PushedOp, held: HeldOp): boolean {
  const h = op.header;
  return (
    held.id === h.id &&
    held.v === h.v &&
    held.kind === h.kind &&
    held.reportId === h.reportId &&
    held.body === op.body &&
    held.sig === (op.sig ?? null) &&
    held.blobs === blobsText(op.blobs)
  );
}

// A NUL, or a surrogate half without its pair: PostgreSQL refuses the first, and both databases
// would store the second as U+FFFD, so a retry would no longer carry "the same bytes".
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const unstorable = (text: string) => text.includes('\u0000') || LONE_SURROGATE.test(text);

function bodyProblem(op: PushedOp): RejectReason | undefined {
  if (typeof op.body !== 'string' || (op.sig != null && typeof op.sig !== 'string')) return REJECT.badHeader;
  if (Buffer.byteLength(op.body, 'utf8') > MAX_STORED_BODY_BYTES) return REJECT.tooLarge;
  if (op.sig != null && op.sig.length > MAX_SIG_CHARS) return REJECT.tooLarge;
  if (unstorable(op.body) || (op.sig != null && unstorable(op.sig))) return REJECT.badText;
  return undefined;
}

/** 64 bytes in base64url without padding: the last character carries 2 bits and 4 zero bits. */
const SIGNATURE_TEXT = /^[A-Za-z0-9_-]{85}[AQgw]$/;

function parsedJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/**
 * A shape check of a version-2 op: the base opens nothing (its author's outer signature was
 * checked before, authorship.ts), so receivers open the seal and check the inner signature. What
 * it does catch is a device or relay bug
 * that would put a clear body in the store under the "sealed" label, or a deployment op that no
 * receiver could ever verify.
 */
function sealProblem(op: PushedOp): RejectReason | undefined {
  if (op.header.v !== SEALED_OP_VERSION) return undefined;
  if (op.header.kind === 'deployment') {
    if (typeof op.sig !== 'string' || !SIGNATURE_TEXT.test(op.sig)) return REJECT.badSignature;
    const json = parsedJson(op.body);
    const isObject = typeof json?.value === 'object' && json.value !== null && !Array.isArray(json.value);
    return isObject ? undefined : REJECT.badSignature;
  }
  // The signature of a sealed op is inside the seal; one beside it would let anyone holding the
  // store confirm a guessed body.
  if (op.sig != null) return REJECT.notSealed;
  const json = parsedJson(op.body);
  return json && sealedBodySchema.safeParse(json.value).success ? undefined : REJECT.notSealed;
}

const REPORT_KINDS: readonly OpKind[] = ['create', 'edit'];

/**
 * What is wrong with an op's header, body and signature on their own, whatever the store holds: a
 * pure function of the op, so the base works it out before taking the lock, while the outer
 * signatures are being checked (authorship.ts).
 */
export function shapeProblem(op: PushedOp): RejectReason | undefined {
  if (!readWireHeader(op.header).ok) return REJECT.badHeader;
  return bodyProblem(op) ?? sealProblem(op);
}

/**
 * Decides one op. The order matters: who may use a slot first (a monitor never takes another
 * device's slots, even to store a rejection), then what is already held there, then the op itself.
 * `shape`: shapeProblem(op) worked out before (null for none), or undefined to work it out here.
 */
export function decide(op: PushedOp, caller: Caller, held: HeldState, authorship: Authorship, shape?: RejectReason | null): Decision {
  const read = readWireHeader(op.header);
  if (!read.ok && read.reason === QUARANTINE_REASONS.unknownVersion) return { answer: 'retry', reason: RETRY.unknownVersion, store: false };
  // Without a slot the op cannot even be stored rejected.
  const slot = slotOf(read);
  // What the header says before its shape is judged, below: enough to match what a slot holds.
  const claims = claimsOf(read);
  if (!slot) return { answer: 'rejected', reason: REJECT.badHeader, store: false };
  if (caller.role === 'monitor' && slot.device !== caller.device) {
    return { answer: 'rejected', reason: REJECT.notOwnDevice, store: false };
  }

  const there = held.atSlot(slot.device, slot.deviceSeq);
  if (there) {
    if (there.id !== slot.id) return { answer: 'rejected', reason: REJECT.seqTaken, store: false };
    if (there.status === 'rejected')
      return { answer: 'rejected', reason: (there.rejectReason ?? REJECT.badHeader) as RejectReason, store: false };
    // Stored in clear before the device knew the deployment key, its answer lost, and now sent
    // sealed: the same op by its id and slot, which only its own device (or a coordinator relaying
    // it) can send. The base keeps what it holds; refusing it would make the device drop its own op.
    if (there.v === OP_FORMAT_VERSION && claims.v === SEALED_OP_VERSION && there.kind === claims.kind && there.reportId === claims.reportId)
      return { answer: 'ack', store: false };
    return sameBytes(op, there) ? { answer: 'ack', store: false } : { answer: 'rejected', reason: REJECT.idReused, store: false };
  }
  // After the slot: an op in clear stored before the key was set is still acknowledged when sent
  // again (nothing new is stored), so the device is not asked forever to seal what the base holds.
  if (held.sealedOnly && claims.v === OP_FORMAT_VERSION) return { answer: 'retry', reason: RETRY.unsealed, store: false };
  // Nothing the base cannot show to be its author's takes a slot: a forged op would take the next
  // deviceSeq of the device it names, and that device's real op would then be refused for good.
  if (authorship === 'unknownAuthor' || authorship === 'unsigned' || authorship === 'forged' || authorship === 'afterCutoff') {
    return { answer: 'retry', reason: RETRY[authorship], store: false };
  }
  const reject = (reason: RejectReason): Decision => ({ answer: 'rejected', reason, store: true });
  if (held.holdsId(slot.id)) return reject(REJECT.idReused);
  const problem = shape === undefined ? shapeProblem(op) : (shape ?? undefined);
  if (problem) return reject(problem);

  const { kind, reportId } = op.header;
  if (REPORT_KINDS.includes(kind) !== UUID_PATTERN.test(reportId)) return reject(REJECT.reportIdKind);

  const author = slot.device;
  if (author === held.root) {
    return kind === 'deployment' && reportId === ROSTER_ID ? { answer: 'ack', store: true, owner: false } : reject(REJECT.rootRosterOnly);
  }
  const role = author === caller.device ? caller.role : held.roleOf(author);
  switch (kind) {
    case 'deployment':
    case 'desk':
      return role === 'coordinator' || !isCoordinatorOnly(kind, reportId)
        ? { answer: 'ack', store: true, owner: false }
        : reject(REJECT.coordinatorOnly);
    case 'create': {
      const owner = held.ownerOf(reportId);
      if (owner === undefined) return { answer: 'ack', store: true, owner: true };
      return reject(owner === author ? REJECT.reportExists : REJECT.reportOwned);
    }
    case 'edit': {
      if (role === 'coordinator') return { answer: 'ack', store: true, owner: false };
      const owner = held.ownerOf(reportId);
      if (owner === author) return { answer: 'ack', store: true, owner: false };
      if (owner !== undefined) return reject(REJECT.notReportOwner);
      // No create yet. A device writes a report's create before its edits, so while ops below this
      // one are undecided the create may still come: ask again later. Once all are decided it never will.
      if (held.watermarkOf(author) >= slot.deviceSeq - 1) return reject(REJECT.notReportOwner);
      return { answer: 'retry', reason: RETRY.createPending, store: false };
    }
  }
}
