/**
 * What a sync pushes. The outbox is every own op above the watermark the base last returned: no flag
 * is written when a batch is acknowledged. A coordinator also relays the ops of other devices it holds
 * above their watermarks, so a base restored from an old backup, or started empty, is rebuilt, even
 * with ops of a phone that is gone.
 *
 * Batches are bounded by count (MAX_BATCH) and by size, so a request stays under the base's limit.
 */
import type { AgreementAlg } from '../../domain/crypto/algorithms.ts';
import type { PublicKey } from '../../domain/crypto/keys.ts';
import type { DeviceId, OpId } from '../../domain/ids.ts';
import { sealForWire, withOuterSignature } from '../../domain/op/outgoing.ts';
import { MAX_BATCH, MAX_REQUEST_BYTES } from '../../domain/op/sync.ts';
import type { WireOp } from '../../domain/op/wire.ts';
import type { OpRow, RasidDb } from '../store/db.ts';
import { ownSpans, pairsAt } from './key-renewal.ts';
import { directoryOf, sealerOf, type OpKeys } from './op-keys.ts';
import { wireOf } from './wire-of.ts';

/** Room left for the request's other fields and JSON escaping (a UTF-16 unit is at most 3 bytes, and `\"` doubles a quote). */
const BATCH_BYTES = Math.floor(MAX_REQUEST_BYTES / 2);

export interface Outgoing {
  row: OpRow;
  wire: WireOp;
}

function estimateBytes(w: WireOp): number {
  return 3 * (w.body.length + (w.sig?.length ?? 0) + (w.osig?.length ?? 0)) + 300;
}

/** One device's ops above `after` and up to `upTo`, in deviceSeq order, while they fit. */
async function opsAbove(
  db: RasidDb,
  device: DeviceId,
  after: number,
  room: { count: number; bytes: number },
  upTo = Infinity,
): Promise<Outgoing[]> {
  if (room.count <= 0 || upTo <= after) return [];
  const rows = await db.ops.where('[device+deviceSeq]').between([device, after], [device, upTo], false, true).limit(room.count).toArray();
  const out: Outgoing[] = [];
  for (const row of rows) {
    const wire = wireOf(row);
    const size = estimateBytes(wire);
    // The first op always goes, even alone over the bound: a batch that never moves would be worse.
    if (size > room.bytes && (out.length > 0 || room.bytes < BATCH_BYTES)) break;
    out.push({ row, wire });
    room.count -= 1;
    room.bytes -= size;
  }
  return out;
}

export class SealError extends Error {}

/**
 * Own ops about to leave the device for the first time get their version-2 form: sealed to the
 * deployment key and to this device's own key, and for a coordinator's edit of another device's
 * report to that device's key too (so the monitor reads the correction); deployment ops signed.
 * The form is kept on the op's row before it is sent: sealing again would give other bytes, which
 * the base refuses for an op id it already holds. `codecs`: the body codecs every device opens, as
 * the base last said. Without a deployment key, ops go as they are.
 */
export async function sealOutgoing(
  db: RasidDb,
  out: Outgoing[],
  keys: OpKeys | undefined,
  codecs: readonly number[] | undefined,
): Promise<Outgoing[]> {
  return keepSealed(db, await sealFor(db, out, keys, codecs));
}

/** Outgoing ops with the forms made for them, not kept yet (keepSealed). */
export interface Sealed {
  out: Outgoing[];
  made: Map<OpId, WireOp>;
}

/**
 * The forms `sealOutgoing` gives, made and not yet kept: nothing is written, so forms made for a
 * batch that is then not sent (engine.ts seals the next batch while the last is on the wire) are
 * dropped and never seen.
 */
export async function sealFor(
  db: RasidDb,
  out: Outgoing[],
  keys: OpKeys | undefined,
  codecs: readonly number[] | undefined,
): Promise<Sealed> {
  const made = new Map<OpId, WireOp>();
  const deployment = keys?.deploymentPublic;
  const todo = out.filter((o) => !o.row.wire || lacksOuter(o.row.wire));
  if (!keys || !deployment || todo.length === 0) return { out, made };
  const directory = await directoryOf(db, keys);
  // Each own op is signed, and sealed to this device, by the pairs in force at it: a key renewal
  // changes them from its `since` on (key-renewal.ts).
  const spans = await ownSpans(db, keys);
  for (const { row } of todo) {
    const pairs = pairsAt(spans, row.deviceSeq);
    const sealer = sealerOf(keys, pairs);
    if (row.wire) {
      made.set(row.id, await withOuterSignature(row.wire, sealer));
      continue;
    }
    const recipients: PublicKey<AgreementAlg>[] = [deployment, pairs.agreement.publicKey];
    if (row.kind === 'edit') {
      const owner = (await db.reports.get(row.reportId))?.state.created?.device;
      const ownerKey = owner && owner !== keys.self ? directory.agreementOf(owner) : undefined;
      if (ownerKey) recipients.push(ownerKey);
    }
    const sealed = await sealForWire(row, sealer, recipients, codecs);
    if (!sealed.ok) throw new SealError(sealed.reason);
    made.set(row.id, sealed.wire);
  }
  return { out, made };
}

/** The forms made kept on their rows, and the ops as they go: a form another writer kept first wins. */
export async function keepSealed(db: RasidDb, { out, made }: Sealed): Promise<Outgoing[]> {
  if (made.size === 0) return out;
  // Only the new field is written, onto the row as it now stands: a pull may have given it its seq meanwhile.
  const kept = await db.transaction('rw', db.ops, async () => {
    const rows = await db.ops.bulkGet([...made.keys()]);
    const updated: OpRow[] = [];
    for (const row of rows) {
      if (!row) continue;
      if (!row.wire || lacksOuter(row.wire)) updated.push({ ...row, wire: made.get(row.id)! });
      else made.set(row.id, row.wire);
    }
    await db.ops.bulkPut(updated);
    return made;
  });
  return out.map((o) => {
    const wire = kept.get(o.row.id);
    return wire ? { row: { ...o.row, wire }, wire } : o;
  });
}

/** A sealed or signed form made before ops carried their outer signature. */
function lacksOuter(wire: WireOp): boolean {
  return wire.v === 2 && wire.osig === undefined;
}

export function newRoom(): { count: number; bytes: number } {
  return { count: MAX_BATCH, bytes: BATCH_BYTES };
}

/**
 * This device's ops above `after` (the watermark, or how far this sync already pushed), up to
 * `upTo`: the ops after a key renewal not yet confirmed wait (key-renewal.ts, `lastSendable`).
 */
export function outbox(db: RasidDb, device: DeviceId, after: number, room = newRoom(), upTo = Infinity): Promise<Outgoing[]> {
  return opsAbove(db, device, after, room, upTo);
}

/**
 * The highest `deviceSeq` held of each other device's ops, by device in the order of the
 * [device+deviceSeq] index: one key read per device, from the last device back, reading no row (a
 * row read would be opened). A coordinator reads it once a sync (engine.ts) and raises it with each
 * page it pulls.
 */
export async function highestHeld(db: RasidDb, self: DeviceId): Promise<Map<DeviceId, number>> {
  const last: [DeviceId, number][] = [];
  const lastBefore = async (device?: DeviceId) => {
    const from =
      device === undefined ? db.ops.orderBy('[device+deviceSeq]') : db.ops.where('[device+deviceSeq]').below([device, -Infinity]);
    const [key] = await from.reverse().limit(1).keys();
    return key as [DeviceId, number] | undefined;
  };
  for (let key = await lastBefore(); key !== undefined; key = await lastBefore(key[0])) {
    if (key[0] !== self) last.push(key);
  }
  return new Map(last.reverse());
}

/**
 * Other devices' ops above their watermarks (`after`: the base's watermark, or how far this sync
 * already relayed), among those `highest` says are held. A device the base does not list has
 * watermark 0: it holds none of its ops. A device with nothing above its mark costs no read.
 */
export async function relayBatch(
  db: RasidDb,
  highest: ReadonlyMap<DeviceId, number>,
  after: ReadonlyMap<string, number>,
  room = newRoom(),
): Promise<Outgoing[]> {
  const out: Outgoing[] = [];
  for (const [device, top] of highest) {
    const mark = after.get(device) ?? 0;
    if (top <= mark) continue;
    out.push(...(await opsAbove(db, device, mark, room)));
    if (room.count <= 0 || room.bytes <= 0) break;
  }
  return out;
}

/** How many own ops wait above the watermark: the progress bar's total. */
export async function countOutbox(db: RasidDb, device: DeviceId, watermark: number, upTo = Infinity): Promise<number> {
  return upTo <= watermark ? 0 : db.ops.where('[device+deviceSeq]').between([device, watermark], [device, upTo], false, true).count();
}
