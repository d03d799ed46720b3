/**
 * Who wrote a pushed op, as far as the base can show it without opening anything: a version-2 op
 * must carry its author's outer signature (domain/op/outer-signature.ts), checked against the signing
 * key the trusted roster gives that device at the op (trusted-keys.ts), or else the one it enrolled
 * with; an op relayed for another device must name a device enrolled here or named by that roster. Checked
 * before the store's lock is taken, so the signature checks of one push do not hold up the others.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { SigningAlg } from '../../domain/crypto/algorithms.ts';
import type { BlobRef } from '../../domain/op/op.ts';
import { OUTER_SIGNATURE_CHARS, outerMessageOfHash } from '../../domain/op/outer-signature.ts';
import { parsePublicKeyText } from '../../domain/crypto/public-key-text.ts';
import { claimsOf, readWireHeader, SEALED_OP_VERSION, slotOf, type WireHeader } from '../../domain/op/header.ts';
import { keyIdOf } from '../../domain/crypto/fingerprint.ts';
import type { DeviceId, Fingerprint } from '../../domain/ids.ts';
import { rootDeviceOf } from '../../domain/root.ts';
import { REJECT, shapeProblem, type Caller, type PushedOp, type RejectReason } from './rules.ts';
import type { Database } from './schema.ts';
import { checkAll, type Check } from './verify-pool.ts';
import { chunks } from './watermark.ts';
import { trustedRosterAtBase } from './trusted-keys.ts';
import { standingAt } from '../../domain/trusted-roster.ts';
import type { Role } from '../../domain/roles.ts';

export type Authorship =
  /** Version 1 (a body in clear, from before the deployment key): nothing to check but the author. */
  | 'clear'
  /** The outer signature verifies under the author's enrolled signing key. */
  | 'proven'
  /** Version 2 with no outer signature: an app from before it existed, or a relay of such an op. */
  | 'unsigned'
  /** An outer signature that does not verify, or an author with no signing key to verify it. */
  | 'forged'
  /** Relayed for a device this base never enrolled. */
  | 'unknownAuthor'
  /** Relayed for a revoked device, above its cut-off. */
  | 'afterCutoff'
  /** No slot: the rules refuse the op for its header. */
  | 'unread';

// DER prefixes of SubjectPublicKeyInfo for the two signing algorithms: the raw key follows.
const SPKI_PREFIX: Record<SigningAlg, string> = {
  ed25519: '302a300506032b6570032100',
  'p256-ecdsa': '3059301306072a8648ce3d020106082a8648ce3d030107034200',
};

/** A key's text as node:crypto takes it (verify-pool.ts), or null when it is no signing key. */
function derOf(text: string): { alg: SigningAlg; der: string } | null {
  const read = parsePublicKeyText(text, 'signing');
  if (!read) return null;
  const alg = read.alg as SigningAlg;
  return { alg, der: Buffer.concat([Buffer.from(SPKI_PREFIX[alg], 'hex'), read.raw]).toString('base64') };
}

/**
 * The check of one outer signature, or false when it cannot even be made. The message is the
 * domain's (outerMessageOfHash), hashed here with node:crypto, so the two cannot drift apart.
 */
function checkOf(
  key: { alg: SigningAlg; der: string },
  header: WireHeader,
  body: string,
  osig: unknown,
  blobs: readonly BlobRef[],
): Check | false {
  if (typeof osig !== 'string' || osig.length !== OUTER_SIGNATURE_CHARS || typeof body !== 'string') return false;
  const signature = Buffer.from(osig, 'base64url');
  // Decoding is lenient; only the one spelling of these 64 bytes is a signature.
  if (signature.length !== 64 || signature.toString('base64url') !== osig) return false;
  const message = outerMessageOfHash(header, createHash('sha256').update(body, 'utf8').digest('base64url'), blobs);
  return { ...key, message, signature };
}

/** The signing key a device enrolled with, read once a push for all its ops; null without one. */
function signingKeyOf(publicKeys: string | null): { alg: SigningAlg; der: string } | null {
  if (publicKeys === null) return null;
  try {
    const keys = JSON.parse(publicKeys) as { signing?: unknown };
    return typeof keys.signing === 'string' ? derOf(keys.signing) : null;
  } catch {
    return null;
  }
}

/** The deployment root as the base knows it: its device id, its key for node:crypto, and its key's text. */
interface BaseRoot {
  device: DeviceId;
  key: { alg: SigningAlg; der: string } | null;
  text: string;
}

/** The root key as read last, by its text: it is set once, and read on every push. */
let rootRead: BaseRoot | undefined;

/** The deployment root's device id and key, once it has one (src/domain/root.ts). */
export async function rootOf(db: Kysely<Database>): Promise<BaseRoot | undefined> {
  const row = await db.selectFrom('meta').select('root_key').where('id', '=', 1).executeTakeFirst();
  const text = row?.root_key;
  if (!text) return undefined;
  if (rootRead?.text !== text) {
    const raw = parsePublicKeyText(text, 'signing')?.raw;
    if (!raw) return undefined;
    const kid = keyIdOf(createHash('sha256').update(raw).digest('base64url') as Fingerprint);
    rootRead = { device: rootDeviceOf(kid), key: derOf(text), text };
  }
  return rootRead;
}

/** What the base knows of each pushed op's author before it takes the store's lock. */
export interface Authorships {
  authorship: Authorship[];
  root: DeviceId | undefined;
  shapes: (RejectReason | null)[];
  /** Roles as the trusted roster states them: they take the place of the role a device enrolled with. */
  roles: ReadonlyMap<DeviceId, Role>;
}

export async function checkAuthorship(db: Kysely<Database>, caller: Caller, ops: readonly PushedOp[]): Promise<Authorships> {
  const reads = ops.map((op) => readWireHeader(typeof op === 'object' && op !== null ? op.header : undefined));
  const slots = reads.map(slotOf);
  const authors = [...new Set(slots.flatMap((s) => (s ? [s.device] : [])))];
  const enrolled = new Map<DeviceId, { alg: SigningAlg; der: string } | null>();
  const cutoffs = new Map<DeviceId, number>();
  // The root is no enrolled device, but its key is known: its ops are checked like any other's.
  const root = await rootOf(db);
  if (root) enrolled.set(root.device, root.key);
  const trusted = await trustedRosterAtBase(db, root && { device: root.device, signing: root.text }, ops);
  for (const part of chunks(authors)) {
    const rows = await db.selectFrom('devices').select(['device', 'public_keys', 'cutoff']).where('device', 'in', part).execute();
    for (const r of rows) {
      enrolled.set(r.device, signingKeyOf(r.public_keys));
      if (r.cutoff !== null && r.cutoff !== undefined) cutoffs.set(r.device, Number(r.cutoff));
    }
  }
  const roles = new Map<DeviceId, Role>();
  for (const [device, named] of trusted?.devices ?? []) {
    roles.set(device, named.role);
    if (named.cutoff !== undefined) cutoffs.set(device, Math.min(named.cutoff, cutoffs.get(device) ?? Infinity));
  }
  // The key the trusted roster gives the author at this op, else the one it enrolled with here.
  // Each key text read once per push: a batch holds many ops of few devices.
  const ders = new Map<string, ReturnType<typeof derOf>>();
  const derOnce = (text: string) => {
    if (!ders.has(text)) ders.set(text, derOf(text));
    return ders.get(text) ?? null;
  };
  const keyAt = (device: DeviceId, deviceSeq: number) => {
    const standing = trusted && device !== root?.device ? standingAt(trusted, device, deviceSeq) : undefined;
    return (standing && derOnce(standing.signing)) ?? enrolled.get(device);
  };
  const found = ops.map((op, i): Authorship | Check => {
    const slot = slots[i];
    if (!slot) return 'unread';
    if (slot.device !== caller.device && !enrolled.has(slot.device) && !roles.has(slot.device)) return 'unknownAuthor';
    if (slot.deviceSeq > (cutoffs.get(slot.device) ?? Infinity)) return 'afterCutoff';
    // The root signs everything it writes: nothing in clear stands in its name.
    if (claimsOf(reads[i]!).v !== SEALED_OP_VERSION) return slot.device === root?.device ? 'unsigned' : 'clear';
    if (op.osig === undefined || op.osig === null) return 'unsigned';
    const key = keyAt(slot.device, slot.deviceSeq);
    return (key && checkOf(key, op.header, op.body, op.osig, op.blobs ?? [])) || 'forged';
  });
  const checks = found.filter((f): f is Check => typeof f !== 'string');
  const verifying = checkAll(checks);
  // While the workers check signatures, this thread checks each op's shape, which needs no lock.
  const shapes = ops.map((op) => (typeof op === 'object' && op !== null ? (shapeProblem(op) ?? null) : REJECT.badHeader));
  const verified = await verifying;
  let next = 0;
  const authorship = found.map((f) => (typeof f === 'string' ? f : verified[next++] ? 'proven' : 'forged'));
  return { authorship, root: root?.device, shapes, roles };
}
