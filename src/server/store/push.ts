/**
 * Storing pushed ops. Each op gets its own answer and the rest of the batch goes on: ack,
 * rejected (kept under its (device, deviceSeq) so the gap closes, never served) or retry (kept
 * nowhere). The rules are in rules.ts; this file loads what they need and writes what they decide.
 *
 * The whole batch runs in one transaction that first locks the one-row counter. Writers therefore
 * take sequence numbers and commit one after another, so no op becomes visible after a higher one
 * (a pull cursor never skips an op), and every check below sees all earlier batches.
 */
import type { Kysely } from 'kysely';
import { isReportId, type DeviceId, type OpId, type ReportId } from '../../domain/ids.ts';
import { claimsOf, OP_FORMAT_VERSION, readWireHeader, slotOf, type HeaderRead, type Slot } from '../../domain/op/header.ts';
import type { Role } from '../../domain/roles.ts';
import {
  blobsText,
  decide,
  REJECT,
  type Caller,
  type HeldOp,
  type HeldState,
  type PushedOp,
  type RejectReason,
  type RetryReason,
} from './rules.ts';
import { checkAuthorship, type Authorships } from './authorship.ts';
import type { Database, NewOpRow } from './schema.ts';
import { chunks, loadProgress, saveProgress } from './watermark.ts';

export interface PushInput {
  caller: Caller;
  ops: readonly PushedOp[];
  /** Received time, ms since the Unix epoch. */
  now: number;
}

export type PushAnswer =
  | { id: string; status: 'ack' }
  | { id: string; status: 'rejected'; reason: RejectReason }
  | { id: string; status: 'retry'; reason: RetryReason };

/**
 * Pass a Kysely instance, or a transaction already open (the caller then decides when it commits;
 * the tests use that to hold a writer open).
 */
export async function pushOps(db: Kysely<Database>, input: PushInput): Promise<PushAnswer[]> {
  const checked = await checkAuthorship(db, input.caller, input.ops);
  if (db.isTransaction) return pushInTransaction(db, input, checked);
  return db.transaction().execute((trx) => pushInTransaction(trx, input, checked));
}

const slotKey = (device: DeviceId, deviceSeq: number) => `${device}\u0000${deviceSeq}`;

async function pushInTransaction(
  trx: Kysely<Database>,
  { caller, ops: sent, now }: PushInput,
  { authorship, root, shapes, roles }: Authorships,
): Promise<PushAnswer[]> {
  // Something that is not even an object gets an answer (rejected) instead of failing the batch.
  const ops = sent.map((op): PushedOp =>
    typeof op === 'object' && op !== null ? op : ({ header: undefined, body: '' } as unknown as PushedOp),
  );
  // First statement: take the counter row. Concurrent pushes wait here until this one commits.
  const counter = await trx
    .updateTable('counter')
    .set((eb) => ({ last_seq: eb.ref('last_seq') }))
    .where('id', '=', 1)
    .returning('last_seq')
    .executeTakeFirstOrThrow();
  let seq = Number(counter.last_seq);

  const reads = ops.map((op) => readWireHeader(op.header));
  const slots = reads.map(slotOf);
  const held = await loadHeld(trx, reads, slots, caller, root, roles);

  // Decide in each device's own order, so a create comes before the edits it makes possible even
  // when a batch arrives shuffled. Answers go back in the order the ops came.
  const order = ops.map((_, i) => i);
  order.sort((a, b) => {
    const sa = slots[a],
      sb = slots[b];
    if (!sa || !sb) return sa ? 1 : sb ? -1 : 0;
    return sa.device < sb.device ? -1 : sa.device > sb.device ? 1 : sa.deviceSeq - sb.deviceSeq;
  });

  const answers = new Array<PushAnswer>(ops.length);
  const rows: NewOpRow[] = [];
  const owners: { report_id: ReportId; device: DeviceId }[] = [];
  const named: { sha256: string; bytes: number; seq: number; device: DeviceId }[] = [];
  for (const i of order) {
    const op = ops[i]!;
    const slot = slots[i];
    // Echo the id the device sent, even a malformed one, so it can match the answer (within reason).
    const id = slot?.id ?? echoedId(claimsOf(reads[i]!).id);
    const d = decide(op, caller, held.state, authorship[i]!, shapes[i]);
    answers[i] =
      d.answer === 'ack'
        ? { id, status: 'ack' }
        : d.answer === 'retry'
          ? { id, status: 'retry', reason: d.reason }
          : { id, status: 'rejected', reason: d.reason };
    if (!d.store || !slot) continue;

    seq += 1;
    const row = toRow(op, reads[i]!, slot, seq, now, d.answer === 'ack' ? null : d.reason);
    rows.push(row);
    held.remember(slot.device, slot.deviceSeq, row);
    // Only an acknowledged op's blobs may be uploaded (the list the outer signature covered).
    if (d.answer === 'ack') for (const b of op.blobs ?? []) named.push({ sha256: b.sha256, bytes: b.bytes, seq, device: slot.device });
    // A create the rules took names its report by UUID.
    if (d.answer === 'ack' && d.owner && isReportId(row.report_id)) {
      owners.push({ report_id: row.report_id, device: slot.device });
      held.owners.set(row.report_id, slot.device);
    }
  }

  for (const part of chunks(rows, 400)) await trx.insertInto('ops').values(part).execute();
  for (const part of chunks(owners)) await trx.insertInto('report_owners').values(part).execute();
  for (const part of chunks(named)) await trx.insertInto('op_blobs').values(part).execute();
  await saveProgress(trx, held.progress);
  if (rows.length > 0) await trx.updateTable('counter').set({ last_seq: seq }).where('id', '=', 1).execute();
  return answers;
}

function toRow(op: PushedOp, read: HeaderRead, slot: Slot, seq: number, now: number, rejectReason: RejectReason | null): NewOpRow {
  const h = claimsOf(read);
  const ok = rejectReason === null;
  // A rejected op is kept only to close its gap and to answer a retry. Its header may be malformed
  // and its body unstorable, so keep what fits the columns. Only a version-1 body, in clear by
  // definition, is kept for a look by hand: any other may be clear text under a "sealed" label
  // (which is why it was rejected, or its shape was never checked), and is never needed.
  const keepBody =
    ok || (h.v === OP_FORMAT_VERSION && rejectReason !== REJECT.tooLarge && rejectReason !== REJECT.badText && typeof op.body === 'string');
  return {
    seq,
    id: slot.id,
    v: storableVersion(h.v),
    kind: printable(h.kind, 32),
    report_id: printable(h.reportId, 64),
    device: slot.device,
    device_seq: slot.deviceSeq,
    body: keepBody ? op.body : '',
    sig: keepBody && typeof op.sig === 'string' ? op.sig : null,
    osig: ok && typeof op.osig === 'string' ? op.osig : null,
    blobs: ok ? blobsText(op.blobs) : null,
    status: ok ? 'ok' : 'rejected',
    reject_reason: rejectReason,
    received_at: now,
  };
}

/**
 * The column is a 32-bit integer on PostgreSQL, so a version it cannot hold (only ever on a rejected
 * op: the rules know 1 and 2) is kept as 0, "no version", rather than failing the whole push.
 */
function storableVersion(v: unknown): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31 ? v : 0;
}

/** The id as the device sent it, cut short; an id that is no text or number gets an empty one. */
function echoedId(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value).slice(0, 64) : '';
}

/** Valid headers pass unchanged; a malformed field of a rejected op must still fit a text column (no NUL, no object). */
function printable(value: unknown, max: number): string {
  const text = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
  return text.slice(0, max).replace(/[^\x20-\x7E]/g, '?');
}

/** Reads, under the lock, everything the rules may ask about this batch; then tracks the batch's own writes. */
async function loadHeld(
  trx: Kysely<Database>,
  reads: readonly HeaderRead[],
  slots: (Slot | undefined)[],
  caller: Caller,
  root: DeviceId | undefined,
  trustedRoles: ReadonlyMap<DeviceId, Role>,
) {
  const bySlot = new Map<string, HeldOp>();
  const ids = new Set<OpId>();
  const owners = new Map<string, DeviceId>();
  const roles = new Map<DeviceId, Role>();

  const claimed = slots.filter((s) => s !== undefined);
  const devices = [...new Set(claimed.map((s) => s.device))];
  const progress = await loadProgress(trx, devices);

  for (const part of chunks(claimed)) {
    const grouped = new Map<DeviceId, number[]>();
    for (const s of part) {
      const seqs = grouped.get(s.device);
      if (seqs) seqs.push(s.deviceSeq);
      else grouped.set(s.device, [s.deviceSeq]);
    }
    const found = await trx
      .selectFrom('ops')
      .select(['id', 'v', 'kind', 'report_id', 'device', 'device_seq', 'body', 'sig', 'blobs', 'status', 'reject_reason'])
      .where((eb) => eb.or([...grouped].map(([device, seqs]) => eb.and([eb('device', '=', device), eb('device_seq', 'in', seqs)]))))
      .execute();
    for (const r of found) bySlot.set(slotKey(r.device, Number(r.device_seq)), heldOp(r));
  }

  for (const part of chunks([...new Set(claimed.map((s) => s.id))])) {
    const found = await trx.selectFrom('ops').select('id').where('id', 'in', part).execute();
    for (const r of found) ids.add(r.id);
  }

  // Only a report has an owner: other names find none.
  const reportIds = [
    ...new Set(reads.map((read) => claimsOf(read).reportId).filter((r): r is ReportId => typeof r === 'string' && isReportId(r))),
  ];
  for (const part of chunks(reportIds)) {
    const found = await trx.selectFrom('report_owners').select(['report_id', 'device']).where('report_id', 'in', part).execute();
    for (const r of found) owners.set(r.report_id, r.device);
  }

  // Read under the counter lock like the rest: a push that commits after the key was set sees it.
  const meta = await trx.selectFrom('meta').select('deployment_key').where('id', '=', 1).executeTakeFirst();
  const sealedOnly = Boolean(meta?.deployment_key);

  const relayed = devices.filter((d) => d !== caller.device);
  for (const part of chunks(relayed)) {
    const found = await trx.selectFrom('devices').select(['device', 'role']).where('device', 'in', part).execute();
    for (const r of found) roles.set(r.device, r.role);
  }

  const state: HeldState = {
    atSlot: (device, deviceSeq) => bySlot.get(slotKey(device, deviceSeq)),
    holdsId: (id) => ids.has(id),
    ownerOf: (reportId) => owners.get(reportId),
    // The trust rule's word on a device's role comes first: it is signed, the enrollment record is not.
    roleOf: (device) => trustedRoles.get(device) ?? roles.get(device) ?? 'monitor',
    watermarkOf: (device) => progress.get(device)?.watermark ?? 0,
    sealedOnly,
    root,
  };
  return {
    state,
    owners,
    progress,
    remember(device: DeviceId, deviceSeq: number, row: NewOpRow) {
      bySlot.set(slotKey(device, deviceSeq), heldOp(row));
      ids.add(row.id);
      progress.get(device)!.decided(deviceSeq);
    },
  };
}

function heldOp(r: Pick<NewOpRow, 'id' | 'v' | 'kind' | 'report_id' | 'body' | 'sig' | 'blobs' | 'status' | 'reject_reason'>): HeldOp {
  return {
    id: r.id,
    v: Number(r.v),
    kind: r.kind,
    reportId: r.report_id,
    body: r.body,
    sig: r.sig ?? null,
    blobs: r.blobs ?? null,
    status: r.status,
    rejectReason: r.reject_reason ?? null,
  };
}
