/**
 * The root file opened on a desk, for the one thing it is for: a new root statement naming every
 * coordinator the base lists, with its keys, and revoking every coordinator the base revoked, at the
 * cut-off the base fixed. The root's private key lives only for this call; nothing of it is kept.
 */
import { openRootFile } from '../../domain/crypto/key-file.ts';
import { WRONG_PASSPHRASE } from '../../domain/crypto/wrapped-key.ts';
import { deviceIdSchema } from '../../domain/id-schemas.ts';
import { newOpId, type RandomBytes } from '../../domain/ids.ts';
import { rootDeviceOf } from '../../domain/root.ts';
import { signRootStatement } from '../../domain/root-statement.ts';
import type { RosterEntry } from '../../domain/roster.ts';
import type { RasidDb } from '../store/db.ts';
import { listDevices } from './devices.ts';
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
const MAX_ROOT_FILE_SIZE = 16 * 1024;

export async function signWithRootFile(
  text: string,
  passphrase: string,
  ctx: { db: RasidDb; keys: OpKeys; endpoint: Endpoint; now: () => number; random: RandomBytes },
): Promise<RootSigned> {
  const { db, keys } = ctx;
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
  const entries: RosterEntry[] = (await listDevices(ctx.endpoint)).flatMap((d) => {
    const device = deviceIdSchema.safeParse(d.device);
    if (!device.success || d.role !== 'coordinator' || !d.keys?.agreement || !d.keys.signing) return [];
    const keysOf = { agreement: d.keys.agreement, signing: d.keys.signing };
    return [{ device: device.data, role: 'coordinator', keys: keysOf, ...(d.cutoff !== undefined && { cutoff: d.cutoff }) }];
  });
  // The root's next deviceSeq: one above the highest of its statements this desk holds.
  const last = await db.ops.where('[device+deviceSeq]').between([keys.root.device, 0], [keys.root.device, Infinity]).last();
  const statement = await signRootStatement(root, {
    id: newOpId(ctx.now(), ctx.random),
    deviceSeq: (last?.deviceSeq ?? 0) + 1,
    at: ctx.now(),
    entries,
    ...(keys.deploymentPublic && { deploymentKey: keys.deploymentPublic.text }),
  });
  await keepRootStatement(db, keys, statement, ctx.now);
  return { ok: true, coordinators: entries.filter((e) => e.cutoff === undefined).length };
}
