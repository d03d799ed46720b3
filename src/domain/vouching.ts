/**
 * Vouching for ops from before the root (docs/security.md, "Who is trusted: the rule", step 6). An
 * op in clear (`v: 1`), or a `v: 2` op without its outer signature, carries nothing that shows who
 * wrote it to a device that pinned the root. Its author says so instead: a vouching is a deployment
 * op on the fixed target `vouches`, signed like any other, listing the proof hashes of its author's
 * own ops; a coordinator countersigns it, and only then do the ops it lists count.
 *
 * A vouching is kept as an op, never merged into a setting: what it says is read from the ops.
 */
import { z } from 'zod/mini';
import { canonicalJson } from './canonical-json.ts';
import { sha256, toBase64url } from './crypto/bytes.ts';
import { settingIdSchema } from './id-schemas.ts';
import type { DeviceId, OpId } from './ids.ts';
import { OP_FORMAT_VERSION, SEALED_OP_VERSION } from './op/header.ts';
import type { Op } from './op/op.ts';
import { RENEWALS_ID } from './key-renewal.ts';

export const VOUCHES_ID = settingIdSchema.parse('vouches');
/** The field listing the proof hashes of the author's own ops. */
export const VOUCHED_FIELD = 'vouched';
/** The field listing the proof hashes of other devices' vouchings a coordinator countersigns. */
export const COUNTERSIGNED_FIELD = 'countersigned';

/** Hashes in one vouching: 2,000 of 43 characters keep its body near 90 KiB, well within an op's 256 KiB. */
export const VOUCH_CHUNK = 2000;

const proofHashSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/));
const hashList = z.optional(z.array(proofHashSchema).check(z.maxLength(VOUCH_CHUNK)));
const vouchingChangesSchema = z.object({ [VOUCHED_FIELD]: hashList, [COUNTERSIGNED_FIELD]: hashList });

/**
 * Targets where any device states its own word: vouchings and key renewals (key-renewal.ts). Their
 * ops are kept as ops, never merged into a setting: what they say is read from the ops.
 */
export function isOwnWord(reportId: string): boolean {
  return reportId === VOUCHES_ID || reportId === RENEWALS_ID;
}

/** Settings ops (the roster, the gazetteer, desk settings) are a coordinator's to write; an own word is any device's. */
export function isCoordinatorOnly(kind: string, reportId: string): boolean {
  return (kind === 'deployment' || kind === 'desk') && !isOwnWord(reportId);
}

/**
 * Whether an op, as it travelled, carries nothing a device that pinned the root can check its author
 * by. Judged by the format its header claims, read or not (no header is parsed: a desk asks it of
 * every op it takes in): an op in clear stays unproven whatever else is wrong with it.
 */
export function needsVouching(w: { v?: unknown; osig?: unknown }): boolean {
  return w.v === OP_FORMAT_VERSION || (w.v === SEALED_OP_VERSION && w.osig === undefined);
}

/**
 * The proof hash of an op as stored and served: SHA-256 of the canonical JSON of its wire form
 * without the outer signature (an added field, which an op re-sent later may carry), in base64url.
 */
export async function proofHash(w: Record<string, unknown>): Promise<string> {
  const { v, id, kind, reportId, device, deviceSeq, body, sig } = w;
  const served = { v, id, kind, reportId, device, deviceSeq, body, ...(sig !== undefined && { sig }) };
  return toBase64url(await sha256(new TextEncoder().encode(canonicalJson(served))));
}

/** A vouching as the rule reads it. `hash` is its own proof hash: what a countersigning names. */
export interface Vouching {
  opId: OpId;
  author: DeviceId;
  deviceSeq: number;
  hash: string;
  vouched: readonly string[];
  countersigned: readonly string[];
}

export function vouchingOf(op: Op, hash: string): Vouching {
  const read = vouchingChangesSchema.safeParse(op.body.changes);
  const changes = read.success ? read.data : {};
  return {
    opId: op.id,
    author: op.device,
    deviceSeq: op.deviceSeq,
    hash,
    vouched: changes[VOUCHED_FIELD] ?? [],
    countersigned: changes[COUNTERSIGNED_FIELD] ?? [],
  };
}

/** Whether device `device` counted as coordinator at its `deviceSeq`, as the trusted roster says. */
export type CoordinatorAt = (device: DeviceId, deviceSeq: number) => boolean;

/**
 * The ops that stand vouched for, as `device hash` keys: listed by a vouching of their own author
 * that a coordinator countersigned, or that a coordinator wrote. Only a coordinator's countersigning
 * counts; the vouchings themselves were taken in by the rule like any op (signed by their author).
 */
export function vouchedOps(vouchings: readonly Vouching[], isCoordinatorAt: CoordinatorAt): Set<string> {
  const countersigned = new Set<string>();
  for (const v of vouchings) {
    if (isCoordinatorAt(v.author, v.deviceSeq)) for (const h of v.countersigned) countersigned.add(h);
  }
  const vouched = new Set<string>();
  for (const v of vouchings) {
    if (!isCoordinatorAt(v.author, v.deviceSeq) && !countersigned.has(v.hash)) continue;
    for (const h of v.vouched) vouched.add(vouchKey(v.author, h));
  }
  return vouched;
}

export const vouchKey = (device: string, hash: string) => `${device} ${hash}`;

/** The changes of a vouching: this device's own ops' hashes, and, from a coordinator, the vouchings it countersigns. */
export function vouchingChanges(vouched: readonly string[], countersigned: readonly string[] = []): Record<string, string[]> {
  return {
    ...(vouched.length > 0 && { [VOUCHED_FIELD]: [...vouched] }),
    ...(countersigned.length > 0 && { [COUNTERSIGNED_FIELD]: [...countersigned] }),
  };
}

/** A list cut into chunks that each fit one op. */
export function chunked<T>(items: readonly T[], size = VOUCH_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
