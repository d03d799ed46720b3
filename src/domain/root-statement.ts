/**
 * Writing a root statement: a roster op by the deployment root (root.ts), signed with the root key
 * on the desk that has the root file open, and relayed by that desk like any other op.
 */
import type { SigningKeyPair } from './crypto/keys.ts';
import { encodeHlc, nodeIdOf } from './hlc.ts';
import type { OpId } from './ids.ts';
import { OP_FORMAT_VERSION } from './op/header.ts';
import type { Op } from './op/op.ts';
import { signInClear } from './op/outgoing.ts';
import type { WireOp } from './op/wire.ts';
import { rootDeviceOf } from './root.ts';
import { DEPLOYMENT_KEY_FIELD, rosterField, ROSTER_ID, type RosterEntry } from './roster.ts';

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
