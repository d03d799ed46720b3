/**
 * Sync by file. The phone writes its ops above its watermark, with its cursor and epoch, into a
 * request file; a coordinator's app takes the ops in, pushes them to the base on the phone's behalf,
 * syncs, and writes a reply file from its own synced copy: per-op answers, the phone's watermark, the
 * epoch, and the ops that phone may see after its cursor (ops on reports whose create it wrote, and
 * every deployment op), each with its seq and received time. The phone reads the reply exactly as a
 * sync response. Reading either file twice changes nothing.
 */
import { opIdSchema } from '../../domain/id-schemas.ts';
import { cryptoRandom, isReportId, type DeviceId, type TargetId } from '../../domain/ids.ts';
import { QUARANTINE_REASONS } from '../../domain/quarantine.ts';
import type { Role } from '../../domain/roles.ts';
import { entriesWritten, rosterEntriesOf, rosterOf, ROSTER_ID } from '../../domain/roster.ts';
import { isCoordinatorOnly } from '../../domain/vouching.ts';
import type { SigningAlg } from '../../domain/crypto/algorithms.ts';
import { readPublicKey, type PublicKey, type SigningKeyPair } from '../../domain/crypto/keys.ts';
import { PairKeyCache } from '../../domain/crypto/pair-keys.ts';
import { checkReply, signReply } from '../../domain/crypto/reply-signature.ts';
import { SEALED_OP_VERSION } from '../../domain/op/header.ts';
import { KeyDirectory } from '../../domain/key-directory.ts';
import type { Reader } from '../../domain/op/read.ts';
import { MAX_BATCH, type Cursor, type OpResult, type SyncResponse } from '../../domain/op/sync.ts';
import type { ServedOp } from '../../domain/op/wire.ts';
import {
  FILE_ERRORS,
  MAX_FILE_OPS,
  readReplyFile,
  readRequestFile,
  REPLY_FORMAT,
  REPLY_VERSION,
  REQUEST_FORMAT,
  SYNC_FILE_VERSION,
  type FileError,
  type SyncReplyFile,
  type SyncRequestFile,
} from '../../domain/sync-file.ts';
import type { OpRow, RasidDb } from '../store/db.ts';
import { runSync, type SyncContext, type SyncOutcome } from './engine.ts';
import { lastSendable } from './key-renewal.ts';
import { readerOf, type OpKeys } from './op-keys.ts';
import { outbox, sealOutgoing } from './push.ts';
import { wireOf } from './wire-of.ts';
import { readBatch, takeResponse, type TakenResponse } from './take-in.ts';
import { takeIn, type IncomingOp } from './take-in-steps.ts';
import { SYNC_ERRORS, SyncError } from './transport.ts';
import { followRoster } from './trust.ts';
import { vouchForOwn } from './vouching.ts';

/** Why a request file is refused, by why its first op that did not pass could not be taken in. */
const FILE_ERROR_OF: Partial<Record<string, FileError>> = {
  [QUARANTINE_REASONS.notForThisDevice]: FILE_ERRORS.cannotCheck,
  [QUARANTINE_REASONS.unknownSender]: FILE_ERRORS.unknownDevice,
  [QUARANTINE_REASONS.unknownSigner]: FILE_ERRORS.unknownDevice,
  [QUARANTINE_REASONS.notAllowed]: FILE_ERRORS.notAllowed,
  [QUARANTINE_REASONS.unproven]: FILE_ERRORS.inClear,
  [QUARANTINE_REASONS.afterCutoff]: FILE_ERRORS.revoked,
};

export class SyncFileError extends Error {
  constructor(readonly key: FileError) {
    super(key);
  }
}

/** The phone's request file: every own op above its watermark, sealed as a sync would send them. */
export async function writeRequestFile(db: RasidDb, device: DeviceId, now: () => number, keys?: OpKeys): Promise<SyncRequestFile> {
  // A phone that syncs only by file vouches for its ops from before the root in its first file after it.
  if (keys?.root) await vouchForOwn({ db, device, now, random: cryptoRandom });
  const [watermark, cursor, epoch, codecs] = await Promise.all([
    db.getMeta('watermark'),
    db.getMeta('cursor'),
    db.getMeta('epoch'),
    db.getMeta('codecs'),
  ]);
  // The outbox as a sync takes it, bounded by count alone: ops after a key renewal not yet confirmed stay on the phone.
  const own = await outbox(db, device, watermark ?? 0, { count: MAX_FILE_OPS, bytes: Infinity }, await lastSendable(db, keys));
  const outgoing = await sealOutgoing(db, own, keys, codecs);
  return {
    format: REQUEST_FORMAT,
    v: SYNC_FILE_VERSION,
    device,
    createdAt: now(),
    epoch: epoch ?? null,
    cursor: cursor ?? null,
    watermark: watermark ?? 0,
    ops: outgoing.map((o) => o.wire),
  };
}

/**
 * The phone reads a reply file as it reads a sync response, once it is shown to be signed by a
 * coordinator; otherwise nothing of it is taken in (its ops are the base's to serve again).
 */
export async function readReply(db: RasidDb, device: DeviceId, text: string, now: () => number, keys?: OpKeys): Promise<TakenResponse> {
  const read = readReplyFile(text, device);
  if (!read.ok) throw new SyncFileError(read.error);
  const { file, rawResponse } = read;
  const reader = keys ? await readerOf(db, keys) : await rosterReader(db);
  const signer = await coordinatorKey(db, file, reader, keys?.deploymentPublic !== undefined);
  const signed = { device: file.device, createdAt: file.createdAt, signer: file.signer, response: rawResponse };
  if (!signer || !(await checkReply(signer, signed, file.sig))) throw new SyncFileError(FILE_ERRORS.unsignedReply);
  const [epoch, cursor] = await Promise.all([db.getMeta('epoch'), db.getMeta('cursor')]);
  // Every answer in a reply is to an op pushed for this phone; one whose id is no op id names none of its ops.
  const pushed = file.response.results.flatMap((r) => {
    const id = opIdSchema.safeParse(r.id);
    return id.success ? [id.data] : [];
  });
  const taken = await takeResponse(db, file.response, pushed, {
    device,
    now,
    epoch: epoch ?? null,
    keepCursorAhead: epoch === file.response.epoch ? (cursor ?? null) : null,
    reader: keys ? reader : undefined,
  });
  // As after a sync: the root pinned, or its rotated deployment key followed; vouching goes with the next request file.
  if (keys && file.response.ops.some((s) => s.op.reportId === ROSTER_ID)) await followRoster(db, keys);
  return taken;
}

export interface Answered {
  reply: SyncReplyFile;
  /** Ops the file carried, and how the base answered them. */
  ops: number;
  acked: number;
  rejected: number;
  deferred: number;
  sync: SyncOutcome;
}

/**
 * A coordinator answers a phone's request file. The phone's ops are taken into this device first, so
 * they are kept (and relayed later) even if the base cannot be reached now; then they are pushed as
 * they came, byte for byte, and this device syncs so its copy is current before it writes the reply.
 */
export async function answerRequest(ctx: SyncContext, text: string): Promise<Answered> {
  const read = readRequestFile(text);
  if (!read.ok) throw new SyncFileError(read.error);
  const file = read.file;
  if (file.device === ctx.device) throw new SyncFileError(FILE_ERRORS.ownFile);
  if (ctx.role !== 'coordinator') throw new SyncError(SYNC_ERRORS.forbidden);
  // The reply is signed: a desk without a key of its own could answer nothing the phone would take.
  const signing = ctx.keys?.device.signing;
  if (!signing) throw new SyncFileError(FILE_ERRORS.cannotSign);
  const { db } = ctx;

  // Nothing of the file is taken in, nor pushed, before every op in it is shown to be its device's.
  const reader = ctx.keys && (await readerOf(db, ctx.keys));
  const role = rosterOf((await db.settings.get(ROSTER_ID))?.state).get(file.device);
  const headerRefusal = refusalOfHeaders(file, role, ctx.keys?.deploymentPublic !== undefined);
  if (headerRefusal) throw new SyncFileError(headerRefusal);
  const { read: arrived, trust } = await readBatch(file.ops, reader);
  const unread = arrived.find((r) => !r.ok);
  if (unread) throw new SyncFileError(FILE_ERROR_OF[unread.reason] ?? FILE_ERRORS.unproven);
  const readable: IncomingOp[] = arrived.flatMap((r) => (r.ok ? [{ op: r.op, rawBody: r.rawBody, wire: r.wire }] : []));
  await takeIn(
    db,
    { ops: readable, toQuarantine: [], rejected: [], covering: {}, ...(trust && { trust }) },
    { device: ctx.device, now: ctx.now },
  );

  const results = new Map<string, OpResult>();
  for (let i = 0; i < file.ops.length; i += MAX_BATCH) {
    const chunk = file.ops.slice(i, i + MAX_BATCH);
    const [epoch, cursor] = await Promise.all([db.getMeta('epoch'), db.getMeta('cursor')]);
    const response = await ctx.transport({ epoch: epoch ?? null, cursor: cursor ?? null, ops: chunk, limit: MAX_BATCH });
    if (response.results.length !== chunk.length) throw new SyncError(SYNC_ERRORS.badResponse);
    for (const r of response.results) results.set(r.id, r);
    // This device's own pull goes on as in any sync; the answers mark the phone's ops in its copy.
    await takeResponse(
      db,
      response,
      chunk.map((o) => o.id),
      {
        device: ctx.device,
        now: ctx.now,
        epoch: epoch ?? null,
        reader: ctx.keys && (await readerOf(db, ctx.keys)),
      },
    );
  }
  const sync = await runSync(ctx);

  const reply = await writeReply(db, file, [...results.values()], { now: ctx.now(), signer: ctx.device, signing });
  const answers = file.ops.map((o) => results.get(o.id));
  return {
    reply,
    ops: file.ops.length,
    acked: answers.filter((a) => a?.status === 'ack').length,
    rejected: answers.filter((a) => a?.status === 'rejected').length,
    deferred: answers.filter((a) => a?.status === 'retry').length,
    sync,
  };
}

/**
 * Why a request file must be refused whole before any op in it is opened, if it must: an op that
 * names another author or repeats a `deviceSeq`; a setting from a device the roster does not name
 * coordinator; a clear (version 1) op in a deployment that has its key, which the base refuses too
 * (and which nothing proves to be its author's).
 */
function refusalOfHeaders(file: SyncRequestFile, role: Role | undefined, sealing: boolean): FileError | undefined {
  const seqs = new Set<number>();
  for (const op of file.ops) {
    if (op.device !== file.device || seqs.has(op.deviceSeq)) return FILE_ERRORS.otherAuthor;
    seqs.add(op.deviceSeq);
    if (isCoordinatorOnly(op.kind, op.reportId) && role !== 'coordinator') return FILE_ERRORS.notAllowed;
    if (op.v === 1 && sealing) return FILE_ERRORS.inClear;
  }
  return undefined;
}

/** The ops the phone may see after its cursor, from this coordinator's synced copy, as the base would serve them. */
async function writeReply(
  db: RasidDb,
  file: SyncRequestFile,
  results: OpResult[],
  by: { now: number; signer: DeviceId; signing: SigningKeyPair },
): Promise<SyncReplyFile> {
  const { now } = by;
  const [epoch, marks] = await Promise.all([db.getMeta('epoch'), db.getMeta('watermarks')]);
  if (!epoch) throw new SyncError(SYNC_ERRORS.network);
  let after: Cursor | null = file.epoch === epoch ? file.cursor : null;
  if (after) {
    const at = await db.ops.where('seq').equals(after.seq).first();
    // Not the op the phone's cursor names: the base was restored since, so the phone pulls from zero.
    if (at?.id !== after.opId) after = null;
  }
  const reset = file.cursor !== null && after === null;

  const owners = new Map<TargetId, DeviceId | undefined>();
  const ownerOf = async (reportId: TargetId) => {
    // A setting has no owner; only a report's create names one.
    if (!isReportId(reportId)) return undefined;
    if (!owners.has(reportId)) owners.set(reportId, (await db.reports.get(reportId))?.state.created?.device);
    return owners.get(reportId);
  };
  const served: ServedOp[] = [];
  let more = false;
  const candidates: OpRow[] = await db.ops
    .where('seq')
    .above(after?.seq ?? 0)
    .toArray();
  for (const row of candidates) {
    if (row.rejected || row.seq === undefined || row.receivedAt === undefined) continue;
    const visible =
      row.kind === 'deployment' || ((row.kind === 'create' || row.kind === 'edit') && (await ownerOf(row.reportId)) === file.device);
    if (!visible) continue;
    if (served.length >= MAX_FILE_OPS) {
      more = true;
      break;
    }
    served.push({ seq: row.seq, receivedAt: row.receivedAt, op: wireOf(row) });
  }
  const last = served.at(-1);
  const mark = marks?.find((m) => m.device === file.device);
  const response: SyncResponse = {
    epoch,
    serverTime: now,
    results,
    ops: served,
    cursor: last ? { seq: last.seq, opId: last.op.id } : after,
    more,
    watermark: mark?.deviceSeq ?? 0,
  };
  // The base's receipt travels on to the phone, which may show it to the base itself one day.
  if (mark?.receipt !== undefined) response.receipt = mark.receipt;
  if (reset) response.reset = true;
  const signed = { device: file.device, createdAt: now, signer: by.signer, response };
  return { format: REPLY_FORMAT, v: REPLY_VERSION, ...signed, sig: await signReply(by.signing, signed) };
}

/** A reader that checks signatures only, with the keys the roster this phone holds names: for a phone without keys of its own. */
async function rosterReader(db: RasidDb): Promise<Reader> {
  const roster = rosterEntriesOf((await db.settings.get(ROSTER_ID))?.state);
  return { mine: [], directory: await KeyDirectory.of(roster.values()), pairs: new PairKeyCache() };
}

/**
 * The signing key of the coordinator a reply names as its signer: as the roster this phone holds
 * names it, or, for a phone's first reply, as a roster op in the reply names it, read as the phone
 * would take it in (the reader's checks decide which count; a clear one only before the phone has
 * pinned a deployment key).
 */
async function coordinatorKey(
  db: RasidDb,
  file: SyncReplyFile,
  reader: Reader,
  pinned: boolean,
): Promise<PublicKey<SigningAlg> | undefined> {
  const replyRoster = file.response.ops.filter((s) => s.op.kind === 'deployment' && s.op.reportId === ROSTER_ID);
  if (reader.rooted) {
    // The trust rule over the statements held and those the reply brings: a coordinator not revoked.
    const { trust } = await readBatch(
      replyRoster.map((s) => s.op),
      reader,
    );
    const named = trust?.devices.find((d) => d.device === file.signer);
    const signing = named?.role === 'coordinator' && named.cutoff === undefined ? named.keys.at(-1)?.signing : undefined;
    const key = signing ? await readPublicKey(signing, 'signing') : undefined;
    return key?.ok ? key.key : undefined;
  }
  const held = rosterEntriesOf((await db.settings.get(ROSTER_ID))?.state).get(file.signer);
  let entry = held?.role === 'coordinator' ? held : undefined;
  if (!entry) {
    const rosterOps = replyRoster.filter((s) => s.op.v === SEALED_OP_VERSION || !pinned);
    const { read: rosterRead } = await readBatch(
      rosterOps.map((s) => s.op),
      reader,
    );
    for (const read of rosterRead) {
      if (!read.ok) continue;
      for (const e of entriesWritten(read.op.body.changes)) if (e.device === file.signer && e.role === 'coordinator') entry = e;
    }
  }
  const text = entry?.keys?.signing;
  const key = text ? await readPublicKey(text, 'signing') : undefined;
  return key?.ok ? key.key : undefined;
}
