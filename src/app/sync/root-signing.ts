/**
 * The root file opened on a desk, for the one thing it is for: a new root statement naming every
 * coordinator the base lists, with its keys, and revoking every coordinator the base revoked, at the
 * cut-off the base fixed. The root's private key lives only for this call; nothing of it is kept.
 */
import { KEY_FILE_KIND, openRootFile, type DeploymentKeyFile } from '../../domain/crypto/key-file.ts';
import { generateKeyPair, type SigningKeyPair } from '../../domain/crypto/keys.ts';
import { WRONG_PASSPHRASE, wrapUnderPassphrase } from '../../domain/crypto/wrapped-key.ts';
import { enoughWords, FEW_WORDS } from '../../domain/crypto/passphrase.ts';
import { deviceIdSchema } from '../../domain/id-schemas.ts';
import { newOpId, type RandomBytes } from '../../domain/ids.ts';
import { rootDeviceOf } from '../../domain/root.ts';
import { signRootStatement } from '../../domain/root-statement.ts';
import type { RosterEntry } from '../../domain/roster.ts';
import type { RasidDb } from '../store/db.ts';
import type { DataKeyHolder } from '../store/at-rest.ts';
import { savePinnedKey } from '../keys/deployment-pin.ts';
import { sameTyped } from '../keys/deployment-key.ts';
import { SUITES, detectSuite } from '../../domain/crypto/algorithms.ts';
import { keepDeploymentKey, loadDeploymentPrivateKeys, saveDeploymentKeyFile } from '../keys/deployment-private.ts';
import { listDevices } from './devices.ts';
import { waitingRenewals } from './key-renewal.ts';
import type { OpKeys } from './op-keys.ts';
import { keepRootStatement } from './root-statement.ts';
import type { Endpoint } from './transport.ts';

export const ROOT_FILE_ERRORS = {
  notRootFile: 'rootFile.err.notRootFile',
  wrongPassphrase: 'rootFile.err.wrongPassphrase',
  otherRoot: 'rootFile.err.otherRoot',
} as const;

export type RootSigned = { ok: true; coordinators: number } | { ok: false; reason: string };

/** A root file is under a kilobyte: anything much larger is read no further. */
export const MAX_ROOT_FILE_SIZE = 16 * 1024;

type RootContext = { db: RasidDb; keys: OpKeys; endpoint: Endpoint; now: () => number; random: RandomBytes };

/** The root file opened, if it is this deployment's root and the passphrase opens it. */
async function openRoot(
  text: string,
  passphrase: string,
  keys: OpKeys,
): Promise<{ ok: true; root: SigningKeyPair } | { ok: false; reason: string }> {
  if (!keys.root) return { ok: false, reason: ROOT_FILE_ERRORS.otherRoot };
  let json: unknown;
  try {
    json = text.length <= MAX_ROOT_FILE_SIZE ? JSON.parse(text) : undefined;
  } catch {
    return { ok: false, reason: ROOT_FILE_ERRORS.notRootFile };
  }
  const opened = await openRootFile(json, passphrase);
  if (!opened.ok) {
    return { ok: false, reason: opened.reason === WRONG_PASSPHRASE ? ROOT_FILE_ERRORS.wrongPassphrase : ROOT_FILE_ERRORS.notRootFile };
  }
  const root = opened.pair;
  if (rootDeviceOf(root.publicKey.kid) !== keys.root.device || root.publicKey.text !== keys.root.signing) {
    return { ok: false, reason: ROOT_FILE_ERRORS.otherRoot };
  }
  return { ok: true, root };
}

/**
 * The root's next statement, kept on this desk and relayed at its next sync: every coordinator the
 * base lists, with its keys, revoked at the base's cut-off where the base revoked it, and the
 * deployment key to seal to. A coordinator whose key renewal waits (key-renewal.ts) is named with
 * its new keys from the renewal's `since`: earlier statements gave its first keys, which still
 * stand for its ops before. Returns how many coordinators it names unrevoked.
 */
async function stateCoordinators(root: SigningKeyPair, deploymentKey: string | undefined, ctx: RootContext): Promise<number> {
  const { db, keys } = ctx;
  const renewed = new Map((await waitingRenewals(db, 'coordinator')).map((w) => [w.renewal.device, w.renewal]));
  const entries: RosterEntry[] = (await listDevices(ctx.endpoint)).flatMap((d) => {
    const device = deviceIdSchema.safeParse(d.device);
    if (!device.success || d.role !== 'coordinator' || !d.keys?.agreement || !d.keys.signing) return [];
    const renewal = renewed.get(device.data);
    const named = renewal
      ? { keys: { ...renewal.keys }, since: renewal.since }
      : { keys: { agreement: d.keys.agreement, signing: d.keys.signing } };
    return [{ device: device.data, role: 'coordinator', ...named, ...(d.cutoff !== undefined && { cutoff: d.cutoff }) }];
  });
  // The root's next deviceSeq: one above the highest of its statements this desk holds.
  const rootDevice = rootDeviceOf(root.publicKey.kid);
  const last = await db.ops.where('[device+deviceSeq]').between([rootDevice, 0], [rootDevice, Infinity]).last();
  const statement = await signRootStatement(root, {
    id: newOpId(ctx.now(), ctx.random),
    deviceSeq: (last?.deviceSeq ?? 0) + 1,
    at: ctx.now(),
    entries,
    ...(deploymentKey !== undefined && { deploymentKey }),
  });
  await keepRootStatement(db, keys, statement, ctx.now);
  return entries.filter((e) => e.cutoff === undefined).length;
}

export async function signWithRootFile(text: string, passphrase: string, ctx: RootContext): Promise<RootSigned> {
  const opened = await openRoot(text, passphrase, ctx.keys);
  if (!opened.ok) return opened;
  return { ok: true, coordinators: await stateCoordinators(opened.root, ctx.keys.deploymentPublic?.text, ctx) };
}

export type Rotated = { ok: true; file: DeploymentKeyFile } | { ok: false; reason: string };

/**
 * A new deployment key, after a coordinator left (or at will): the root names it in its next
 * statement, with the coordinators the base lists, and every device seals to it from its next sync
 * on. A revoked coordinator, which never held the root file, cannot make one, and cannot open what
 * is sealed to it. This desk keeps the earlier private key too, to open older ops; the new key file,
 * under a passphrase of its own, goes to the other coordinators.
 */
export async function rotateDeploymentKey(
  rootText: string,
  typed: { rootPassphrase: string; passphrase: string; confirm: string },
  ctx: RootContext & { dataKey: DataKeyHolder },
): Promise<Rotated> {
  const { keys } = ctx;
  if (!sameTyped(typed.passphrase, typed.confirm)) return { ok: false, reason: 'lock.err.mismatch' };
  if (sameTyped(typed.passphrase, typed.rootPassphrase)) return { ok: false, reason: 'deploymentKey.err.samePassphrase' };
  if (!enoughWords(typed.passphrase)) return { ok: false, reason: FEW_WORDS };
  if (!ctx.dataKey.unlocked) return { ok: false, reason: 'lock.err.locked' };
  const opened = await openRoot(rootText, typed.rootPassphrase, keys);
  if (!opened.ok) return opened;
  const pair = await generateKeyPair(keys.deploymentPublic?.alg ?? SUITES[await detectSuite()].agreement);
  const wrapped = await wrapUnderPassphrase(pair.privateKey, typed.passphrase, { publicKey: pair.publicKey });
  if (!wrapped.ok) return { ok: false, reason: 'lock.err.tooShort' };
  const file: DeploymentKeyFile = { kind: KEY_FILE_KIND, v: 1, fingerprint: pair.publicKey.fingerprint, wrapped: wrapped.wrapped };
  await keepDeploymentKey(pair, ctx.dataKey);
  await Promise.all([saveDeploymentKeyFile(file), savePinnedKey({ key: pair.publicKey.text, fingerprint: pair.publicKey.fingerprint })]);
  await stateCoordinators(opened.root, pair.publicKey.text, ctx);
  // From now on this desk seals to the new key, unwrapped again non-extractable, and still opens with the earlier ones.
  const before = [...(keys.deploymentPrivate ? [keys.deploymentPrivate] : []), ...(keys.pastDeployment ?? [])];
  const current = (await loadDeploymentPrivateKeys(ctx.dataKey)).find((k) => k.publicKey.text === pair.publicKey.text);
  keys.deploymentPublic = pair.publicKey;
  if (current) keys.deploymentPrivate = current;
  keys.pastDeployment = before.filter((k) => k.publicKey.text !== pair.publicKey.text);
  return { ok: true, file };
}
