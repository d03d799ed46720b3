/**
 * The base's store read the way a desk reads its synced copy: every op the store accepted, opened
 * and turned into an Op, folded per report with mergeOps under the trusted roster's authority, then into
 * export records; partner profiles from their desk settings. An op that cannot be read, opened or
 * checked is skipped and counted (the desk lists it under quarantine), never a reason to stop.
 *
 * Who is trusted follows from the trust rule (docs/security.md, "Who is trusted: the rule") under the
 * root the base holds, as at the base and on the desks: the trusted roster gives each device's keys
 * by `since`, its role and its cut-off, and an op counts only when its author stands at its
 * `deviceSeq` and its kind is its author's to write; a roster op the rule ignores is skipped, and an
op from before the root counts only once a countersigned vouching of its author lists it. A base
 * without a root (a deployment made before roots) reads the roster's ops first, signed in clear,
 * each one read giving the keys of the devices it names, and takes roles from the merged roster.
 * Every other op is then opened with the deployment keys given (the one before a rotation and the
 * current one, as a desk keeps both) and checked against those keys. An op sealed to a deployment key of this
 * deployment that was not given is not skipped silently: it is counted under that key's id, apart.
 * Version-1 ops read as they stand, so a base from before the deployment key needs no key file.
 */
import type { Kysely } from 'kysely';
import type { AgreementKeyPair } from '../../domain/crypto/keys.ts';
import { PairKeyCache } from '../../domain/crypto/pair-keys.ts';
import { SEALED_OP_VERSION } from '../../domain/op/header.ts';
import { sealedBodySchema } from '../../domain/op/sealed.ts';
import { isReportId, type KeyId, type OpId, type ReportId, type TargetId } from '../../domain/ids.ts';
import { KeyDirectory } from '../../domain/key-directory.ts';
import { mergeOps, viewOf, type MergedState } from '../../domain/merge.ts';
import type { Op } from '../../domain/op/op.ts';
import { readArrived, type ArrivedOp, type Reader } from '../../domain/op/read.ts';
import { QUARANTINE_REASONS } from '../../domain/quarantine.ts';
import { authorityOf, entriesWritten, rosterOf, ROSTER_ID } from '../../domain/roster.ts';
import { authorityOfSummary, refusedByRule, standingAt, summaryOf, type TrustedRoster } from '../../domain/trusted-roster.ts';
import { needsVouching, proofHash, vouchedOps, vouchingOf, vouchKey, VOUCHES_ID, type Vouching } from '../../domain/vouching.ts';
import { profileFromState, profileNameOf, type StoredProfile } from '../../export/desk-settings.ts';
import { toExportRecord, type ExportRecord } from '../../export/record.ts';
import { rootOf } from '../store/authorship.ts';
import { wireOfRow } from '../store/pull.ts';
import type { Database, OpRow } from '../store/schema.ts';
import { trustedRosterAtBase } from '../store/trusted-keys.ts';

export type StoredOp = Pick<
  OpRow,
  'seq' | 'id' | 'v' | 'kind' | 'report_id' | 'device' | 'device_seq' | 'body' | 'sig' | 'osig' | 'blobs' | 'received_at'
>;

/**
 * The one place a stored op becomes an Op: version 1 as it stands, version 2 opened (a sealed
 * report or desk op needs the deployment key among `reader.mine`) and its signature checked.
 */
export function opFromStored(row: StoredOp, reader?: Reader): Promise<ArrivedOp> {
  return readArrived(wireOfRow(row), reader);
}

/** Whether the store holds ops only the deployment key opens: sealed report or desk ops. */
export async function holdsSealedOps(db: Kysely<Database>): Promise<boolean> {
  const row = await db
    .selectFrom('ops')
    .select('seq')
    .where('status', '=', 'ok')
    .where('v', '>=', SEALED_OP_VERSION)
    .where('kind', '!=', 'deployment')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export interface BaseReports {
  /** One record per report whose create op is here, oldest first. */
  records: ExportRecord[];
  /** Partner profiles by name, usable or not. */
  profiles: Map<string, StoredProfile>;
  /** Ops skipped because they could not be read, opened or checked (the desk quarantines them). */
  skippedOps: number;
  /**
   * Ops left unopened because they are sealed to a deployment key of this deployment that was not
   * given, by that key's id: how many reports and how many desk settings (partner profiles, export
   * log entries) have such an op. None of them is among `skippedOps`.
   */
  unopened: SealedToMissingKey[];
}

export interface SealedToMissingKey {
  kid: KeyId;
  reports: number;
  settings: number;
}

const PAGE = 5000;

/** The store's accepted ops, in its order, a page at a time; `roster` picks the roster's or all others. */
async function* pages(db: Kysely<Database>, roster: boolean): AsyncGenerator<StoredOp[]> {
  for (let after = 0; ;) {
    const rows = await db
      .selectFrom('ops')
      .select(['seq', 'id', 'v', 'kind', 'report_id', 'device', 'device_seq', 'body', 'sig', 'osig', 'blobs', 'received_at'])
      .where('status', '=', 'ok')
      .where('report_id', roster ? '=' : '!=', ROSTER_ID)
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(PAGE)
      .execute();
    if (rows.length > 0) yield rows;
    if (rows.length < PAGE) return;
    after = Number(rows.at(-1)!.seq);
  }
}

/**
 * Reads the roster's ops, adding the keys of the devices each one names to the reader's directory.
 * An op signed by a coordinator whom a later op names is read on the next round: the store's order
 * need not be the order in which coordinators named each other.
 */
async function readRoster(db: Kysely<Database>, reader: Reader): Promise<{ read: { op: Op; row: StoredOp }[]; failed: number }> {
  let waiting: StoredOp[] = [];
  for await (const rows of pages(db, true)) waiting.push(...rows);
  const read: { op: Op; row: StoredOp }[] = [];
  for (;;) {
    const still: StoredOp[] = [];
    for (const row of waiting) {
      const arrived = await opFromStored(row, reader);
      if (!arrived.ok) {
        still.push(row);
        continue;
      }
      read.push({ op: arrived.op, row });
      for (const entry of entriesWritten(arrived.op.body.changes)) await reader.directory.add(entry);
    }
    if (still.length === waiting.length || still.length === 0) return { read, failed: still.length };
    waiting = still;
  }
}

/**
 * Reads the roster's ops of a base with a root: the reader's directory holds the keys the trust rule
 * gives, the root's own included, so every statement the rule counts reads now; one it ignores
 * (an unknown author, a bad signature, written after its author's cut-off) is skipped.
 */
async function readTrustedRoster(
  db: Kysely<Database>,
  reader: Reader,
  trusted: TrustedRoster,
): Promise<{ read: { op: Op; row: StoredOp }[]; failed: number }> {
  const ignored = new Set<string>(trusted.ignored.map((g) => g.statement.opId));
  const read: { op: Op; row: StoredOp }[] = [];
  let failed = 0;
  for await (const rows of pages(db, true)) {
    for (const row of rows) {
      const arrived = await opFromStored(row, reader);
      if (arrived.ok && !ignored.has(arrived.op.id)) read.push({ op: arrived.op, row });
      else failed++;
    }
  }
  return { read, failed };
}

/** The deployment keys among an op's recipients that the reader lacks: why it was not for this reader. */
function missingRecipients(row: StoredOp, missing: ReadonlySet<string>): KeyId[] {
  let json: unknown;
  try {
    json = JSON.parse(row.body);
  } catch {
    return [];
  }
  const sealed = sealedBodySchema.safeParse(json);
  return sealed.success ? sealed.data.to.map((t) => t.k).filter((k) => missing.has(k)) : [];
}

/**
 * `deploymentKeys`: the key pairs from the key files given; without them sealed report ops are not
 * opened. `deploymentKids`: the key ids of every deployment key of this deployment, so that an op
 * sealed to one not given is counted under it.
 */
export async function readBaseReports(
  db: Kysely<Database>,
  { deploymentKeys = [], deploymentKids = [] }: { deploymentKeys?: readonly AgreementKeyPair[]; deploymentKids?: readonly KeyId[] } = {},
): Promise<BaseReports> {
  const root = await rootOf(db);
  const trusted = await trustedRosterAtBase(db, root && { device: root.device, signing: root.text }, []);
  const extra = deploymentKeys.map((k) => k.publicKey);
  const reader: Reader = {
    mine: deploymentKeys,
    directory: trusted ? await KeyDirectory.fromTrust(trusted, extra) : await KeyDirectory.of([], extra),
    pairs: new PairKeyCache(),
  };
  const held = new Set<string>(deploymentKeys.map((k) => k.publicKey.kid));
  const missing = new Set<string>(deploymentKids.filter((kid) => !held.has(kid)));
  const unopened = new Map<KeyId, { reports: Set<TargetId>; settings: Set<TargetId> }>();
  const byId = new Map<TargetId, Op[]>();
  const receivedAt = new Map<OpId, number>();
  const keep = (op: Op, row: StoredOp) => {
    const list = byId.get(op.reportId);
    if (list) list.push(op);
    else byId.set(op.reportId, [op]);
    receivedAt.set(op.id, Number(row.received_at));
  };

  const roster = trusted ? await readTrustedRoster(db, reader, trusted) : await readRoster(db, reader);
  for (const { op, row } of roster.read) keep(op, row);
  let skippedOps = roster.failed;
  // Ops from before the root wait for the vouchings, which may come later in the store's order.
  const unproven: { op: Op; row: StoredOp; hash: string }[] = [];
  const vouchings: Vouching[] = [];
  for await (const rows of pages(db, false)) {
    // Opening is WebCrypto work off the main thread: a page at a time keeps it busy.
    const read = await Promise.all(rows.map((row) => opFromStored(row, reader)));
    for (const [i, arrived] of read.entries()) {
      const row = rows[i]!;
      if (arrived.ok) {
        // As a desk that pinned the root quarantines it: its author does not stand, or may not write it.
        if (trusted && refusedByRule(trusted, arrived.op) !== undefined) skippedOps++;
        else if (trusted && needsVouching({ v: Number(row.v), osig: row.osig ?? undefined })) {
          unproven.push({ op: arrived.op, row, hash: await proofHash({ ...wireOfRow(row) }) });
        } else {
          if (arrived.op.reportId === VOUCHES_ID) vouchings.push(vouchingOf(arrived.op, await proofHash({ ...wireOfRow(row) })));
          keep(arrived.op, row);
        }
        continue;
      }
      const kid = arrived.reason === QUARANTINE_REASONS.notForThisDevice ? missingRecipients(row, missing)[0] : undefined;
      if (kid === undefined) skippedOps++;
      else {
        let count = unopened.get(kid);
        if (!count) unopened.set(kid, (count = { reports: new Set(), settings: new Set() }));
        (isReportId(row.report_id) ? count.reports : count.settings).add(row.report_id as TargetId);
      }
    }
  }
  // Step 6 of the rule, as on a desk: an op from before the root counts once its author's vouching,
  // countersigned, lists it.
  if (trusted) {
    const vouched = vouchedOps(vouchings, (device, deviceSeq) => standingAt(trusted, device, deviceSeq)?.role === 'coordinator');
    for (const { op, row, hash } of unproven) {
      if (vouched.has(vouchKey(op.device, hash))) keep(op, row);
      else skippedOps++;
    }
  }

  // Who counts as coordinator, as of each op: the trusted roster; before roots, the roster merged as every device merges it.
  const authority = trusted
    ? authorityOfSummary(summaryOf(trusted))
    : authorityOf(rosterOf(mergeOps(ROSTER_ID, byId.get(ROSTER_ID) ?? [])));
  const reports: { state: MergedState<ReportId>; record: ExportRecord }[] = [];
  const profiles = new Map<string, StoredProfile>();
  for (const [id, ops] of byId) {
    if (isReportId(id)) {
      const state = mergeOps(id, ops, authority);
      const created = state.created;
      const record = toExportRecord(viewOf(state), { device: created?.device, receivedAt: created && receivedAt.get(created.op) });
      if (record) reports.push({ state, record });
      continue;
    }
    const name = profileNameOf(id);
    if (name !== undefined) profiles.set(name, profileFromState(mergeOps(id, ops))!);
  }
  reports.sort((a, b) => compare(a.state.created!.hlc, b.state.created!.hlc) || compare(a.state.id, b.state.id));
  return {
    records: reports.map((r) => r.record),
    profiles,
    skippedOps,
    unopened: [...unopened].map(([kid, c]) => ({ kid, reports: c.reports.size, settings: c.settings.size })),
  };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
