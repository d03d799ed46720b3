/**
 * The deployment key file: the deployment's private agreement key wrapped under a coordinator
 * passphrase (Argon2id), with its fingerprint to compare by eye. The first coordinator's device
 * writes it; other coordinators' desks and the command line export open it.
 */
import { z } from 'zod/mini';
import { isAgreementAlg } from './algorithms.ts';
import { keyPairOf, type AgreementKeyPair } from './keys.ts';
import { unwrapWithPassphrase, WRAPPED_MALFORMED, wrappedKeySchema } from './wrapped-key.ts';

export const KEY_FILE_KIND = 'rasid-deployment-key';

export const deploymentKeyFileSchema = z.object({
  kind: z.literal(KEY_FILE_KIND),
  v: z.literal(1),
  /** Text as it always was: the key inside is held to it, and to the pinned fingerprint, once the file opens. */
  fingerprint: z.string().check(z.maxLength(64)),
  wrapped: wrappedKeySchema,
});
export type DeploymentKeyFile = z.infer<typeof deploymentKeyFileSchema>;

/** Not a key file, or its key is not the deployment key (its public half, fingerprint or kind differ). */
export const KEY_FILE_INVALID = 'err.keyFile.invalid';

export type OpenedKeyFile = { ok: true; pair: AgreementKeyPair } | { ok: false; reason: string };

/** Opens a key file (as parsed JSON) with its passphrase; never throws. */
export async function openKeyFile(input: unknown, passphrase: string, opts: { extractable?: boolean } = {}): Promise<OpenedKeyFile> {
  const file = deploymentKeyFileSchema.safeParse(input);
  if (!file.success) return { ok: false, reason: KEY_FILE_INVALID };
  try {
    const opened = await unwrapWithPassphrase(file.data.wrapped, passphrase, opts);
    if (!opened.ok) return { ok: false, reason: opened.reason === WRAPPED_MALFORMED ? KEY_FILE_INVALID : opened.reason };
    const pub = opened.publicKey;
    if (!pub || !isAgreementAlg(pub.alg) || pub.fingerprint !== file.data.fingerprint) return { ok: false, reason: KEY_FILE_INVALID };
    return { ok: true, pair: keyPairOf(opened.key, pub) as AgreementKeyPair };
  } catch {
    return { ok: false, reason: KEY_FILE_INVALID };
  }
}
