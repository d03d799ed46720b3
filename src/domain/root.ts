/**
 * The deployment root (docs/security.md, "Who is trusted: the rule"): one signing key, kept offline
 * in a root file, whose statements name the coordinators and the deployment key. Its ops travel as
 * a device's would, under a device id of its own that no enrolled device can take: `root-` and the
 * root key's key id, so the id follows from the key and a device that pinned the key knows it.
 */
import type { SigningKeyPair } from './crypto/keys.ts';
import { encodeHlc, nodeIdOf } from './hlc.ts';
import type { DeviceId, KeyId, OpId } from './ids.ts';
import { OP_FORMAT_VERSION, type Op } from './op.ts';
import { signInClear } from './op-envelope.ts';
import type { WireOp } from './protocol.ts';
import { DEPLOYMENT_KEY_FIELD, rosterField, ROSTER_ID, type RosterEntry } from './roster.ts';

export const ROOT_DEVICE_PREFIX = 'root-';

/** The id the root's ops carry. */
export function rootDeviceOf(kid: KeyId): DeviceId {
  return `${ROOT_DEVICE_PREFIX}${kid}` as DeviceId;
}

/** Ids of this shape are the root's alone: the base enrolls no device under one. */
export function isRootDeviceId(device: string): boolean {
  return device.startsWith(ROOT_DEVICE_PREFIX);
}

/** What one root statement says: coordinators (and monitors) with their keys, and the deployment key. */
export interface RootStatementInput {
  id: OpId;
  /** The root's next `deviceSeq`: one above the highest of its statements the signer holds. */
  deviceSeq: number;
  /** ms since the Unix epoch: the statement's HLC wall time. */
  at: number;
  entries: readonly RosterEntry[];
  deploymentKey?: string;
}

/** A roster op by the root, signed by the root key, as it travels (a coordinator relays it). */
export async function signRootStatement(root: SigningKeyPair, input: RootStatementInput): Promise<WireOp> {
  const device = rootDeviceOf(root.publicKey.kid);
  const changes: Record<string, unknown> = Object.fromEntries(input.entries.map((e) => [rosterField(e.device), e]));
  if (input.deploymentKey !== undefined) changes[DEPLOYMENT_KEY_FIELD] = input.deploymentKey;
  const hlc = encodeHlc({ wall: input.at, counter: 0, node: nodeIdOf(device) });
  const op: Op = {
    v: OP_FORMAT_VERSION,
    id: input.id,
    kind: 'deployment',
    reportId: ROSTER_ID,
    device,
    deviceSeq: input.deviceSeq,
    body: { hlc, changes, supersedes: {} },
  };
  return signInClear(op, root);
}
