/**
 * The deployment key file: the deployment's private agreement key wrapped under a coordinator
 * passphrase (Argon2id), with its fingerprint to compare by eye. The first coordinator's device
 * writes it; other coordinators' desks and the command line export open it.
 */
import { z } from 'zod/mini';
import { isAgreementAlg } from './algorithms.ts';
import { keyPairOf, type AgreementKeyPair, type SigningKeyPair } from './keys.ts';
import { unwrapWithPassphrase, WRAPPED_MALFORMED, wrappedKeySchema } from './wrapped-key.ts';

export const KEY_FILE_KIND = 'rasid-deployment-key';
export const ROOT_FILE_KIND = 'rasid-root-key';

/** A private key wrapped under a passphrase, with its public key's fingerprint to compare by eye. */
function wrappedFileSchema<K extends string>(kind: K) {
  return z.object({
    kind: z.literal(kind),
    v: z.literal(1),
    /** Text as it always was: the key inside is held to it, and to the pinned fingerprint, once the file opens. */
    fingerprint: z.string().check(z.maxLength(64)),
    wrapped: wrappedKeySchema,
  });
}

export const deploymentKeyFileSchema = wrappedFileSchema(KEY_FILE_KIND);
export type DeploymentKeyFile = z.infer<typeof deploymentKeyFileSchema>;

/**
 * The root file: the deployment root's private signing key (root.ts) under a passphrase of its own,
 * kept offline by the first coordinator and opened only to name or revoke coordinators or to rotate
 * keys. It has its own kind, so neither file opens where the other is due.
 */
export const rootFileSchema = wrappedFileSchema(ROOT_FILE_KIND);
export type RootFile = z.infer<typeof rootFileSchema>;

/** Not a key file, or its key is not the deployment key (its public half, fingerprint or kind differ). */
export const KEY_FILE_INVALID = 'err.keyFile.invalid';

type Opened<P> = { ok: true; pair: P } | { ok: false; reason: string };
export type OpenedKeyFile = Opened<AgreementKeyPair>;
export type OpenedRootFile = Opened<SigningKeyPair>;

/** Opens a wrapped file of `schema`'s kind whose key is of the role asked; never throws. */
async function openFile<P>(
  schema: typeof deploymentKeyFileSchema | typeof rootFileSchema,
  input: unknown,
  passphrase: string,
  agreement: boolean,
  opts: { extractable?: boolean },
): Promise<Opened<P>> {
  const file = schema.safeParse(input);
  if (!file.success) return { ok: false, reason: KEY_FILE_INVALID };
  try {
    const opened = await unwrapWithPassphrase(file.data.wrapped, passphrase, opts);
    if (!opened.ok) return { ok: false, reason: opened.reason === WRAPPED_MALFORMED ? KEY_FILE_INVALID : opened.reason };
    const pub = opened.publicKey;
    if (!pub || isAgreementAlg(pub.alg) !== agreement || pub.fingerprint !== file.data.fingerprint)
      return { ok: false, reason: KEY_FILE_INVALID };
    return { ok: true, pair: keyPairOf(opened.key, pub) as P };
  } catch {
    return { ok: false, reason: KEY_FILE_INVALID };
  }
}

/** Opens a key file (as parsed JSON) with its passphrase; never throws. */
export function openKeyFile(input: unknown, passphrase: string, opts: { extractable?: boolean } = {}): Promise<OpenedKeyFile> {
  return openFile<AgreementKeyPair>(deploymentKeyFileSchema, input, passphrase, true, opts);
}

/** Opens a root file (as parsed JSON) with its passphrase; never throws. */
export function openRootFile(input: unknown, passphrase: string): Promise<OpenedRootFile> {
  return openFile<SigningKeyPair>(rootFileSchema, input, passphrase, false, {});
}
