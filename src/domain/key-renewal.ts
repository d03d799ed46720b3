/**
 * Key renewal: a device that may have been out of its monitor's hands (taken at a checkpoint, left
 * unlocked) makes new key pairs and asks for them under its own device id, since an id never enrolls
 * twice. The request is a deployment op on the fixed target `renewals`, written and signed like any
 * other by the keys it replaces, naming the new public keys and signed again by the new signing key
 * (so no device can claim keys it does not hold). The new keys sign the device's ops from the op after
 * the request (`since`), once a coordinator confirms them in a roster entry with that `since`; until
 * then the device holds those ops back. Like a vouching, a renewal is kept as an op, never merged.
 */
import { z } from 'zod/mini';
import { canonicalJson } from './canonical-json.ts';
import { utf8, type Bytes } from './crypto/bytes.ts';
import { readPublicKey, type SigningKeyPair } from './crypto/keys.ts';
import { parsePublicKeyText } from './crypto/public-key-text.ts';
import { checkText, signText } from './crypto/sign.ts';
import { settingIdSchema } from './id-schemas.ts';
import type { DeviceId, OpId } from './ids.ts';
import type { Op } from './op/op.ts';

export const RENEWALS_ID = settingIdSchema.parse('renewals');

/** What the new signing key signs, so that a renewal is valid as nothing else. */
const PROOF_CONTEXT = 'rasid/key-renewal/1';

export interface DevicePublicKeys {
  agreement: string;
  signing: string;
}

const keyText = (role: 'agreement' | 'signing') =>
  z.string().check(
    z.maxLength(200),
    z.refine((t) => parsePublicKeyText(t, role) !== undefined),
  );

const renewalChangesSchema = z.object({
  keys: z.object({ agreement: keyText('agreement'), signing: keyText('signing') }),
  proof: z.string().check(z.maxLength(200)),
});

/** A renewal as a coordinator reads it: who asks, for which keys, from which of its ops on. */
export interface Renewal {
  opId: OpId;
  device: DeviceId;
  /** The first `deviceSeq` the new keys sign: the op after the request. */
  since: number;
  keys: DevicePublicKeys;
  proof: string;
}

function proofMessage(device: DeviceId, keys: DevicePublicKeys): Bytes {
  return utf8(canonicalJson({ ctx: PROOF_CONTEXT, device, agreement: keys.agreement, signing: keys.signing }));
}

/** The changes of a renewal op: the new public keys, signed by the new signing key. */
export async function renewalChanges(device: DeviceId, keys: DevicePublicKeys, signing: SigningKeyPair): Promise<Record<string, unknown>> {
  return { keys: { ...keys }, proof: await signText(signing, proofMessage(device, keys)) };
}

/** The renewal an op states, or undefined when it is none or malformed. */
export function renewalOf(op: Pick<Op, 'id' | 'reportId' | 'device' | 'deviceSeq' | 'body'>): Renewal | undefined {
  if (op.reportId !== RENEWALS_ID) return undefined;
  const read = renewalChangesSchema.safeParse(op.body.changes);
  if (!read.success) return undefined;
  return { opId: op.id, device: op.device, since: op.deviceSeq + 1, keys: read.data.keys, proof: read.data.proof };
}

/** Whether the new signing key signed the renewal: whoever asks for keys holds them. */
export async function provenRenewal(renewal: Renewal): Promise<boolean> {
  const signing = await readPublicKey(renewal.keys.signing, 'signing');
  const agreement = await readPublicKey(renewal.keys.agreement, 'agreement');
  if (!signing.ok || !agreement.ok) return false;
  return checkText(signing.key, proofMessage(renewal.device, renewal.keys), renewal.proof);
}
