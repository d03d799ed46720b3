/**
 * The base's store read the way a desk reads its synced copy: every op the store accepted, turned
 * into an Op, folded per report with mergeOps under the roster's authority, then into export
 * records; partner profiles from their desk settings. An op that cannot be read is skipped and
 * counted (the desk lists it under quarantine), never a reason to stop.
 */
import type { Kysely } from 'kysely';
import { UUID_PATTERN } from '../../domain/ids.ts';
import { mergeOps, viewOf, type ReportState } from '../../domain/merge.ts';
import type { Op } from '../../domain/op.ts';
import { authorityOf, rosterOf, ROSTER_ID } from '../../domain/roster.ts';
import { fromWire, type ReadOp } from '../../domain/wire-op.ts';
import { profileFromState, profileNameOf, type StoredProfile } from '../../export/desk-settings.ts';
import { toExportRecord, type ExportRecord } from '../../export/record.ts';
import type { Database, OpRow } from '../store/schema.ts';

export type StoredOp = Pick<OpRow, 'seq' | 'id' | 'v' | 'kind' | 'report_id' | 'device' | 'device_seq' | 'body' | 'sig' | 'received_at'>;

/**
 * The one place a stored op becomes an Op. Bodies are canonical JSON text today; once they are
 * sealed, opening one with the coordinator's key belongs here, and every reader below is unchanged.
 */
export function opFromStored(row: StoredOp): ReadOp {
  const wire: Record<string, unknown> = {
    v: Number(row.v),
    id: row.id,
    kind: row.kind,
    reportId: row.report_id,
    device: row.device,
    deviceSeq: Number(row.device_seq),
    body: row.body,
  };
  if (row.sig !== null) wire.sig = row.sig;
  return fromWire(wire);
}

export interface BaseReports {
  /** One record per report whose create op is here, oldest first. */
  records: ExportRecord[];
  /** Partner profiles by name, usable or not. */
  profiles: Map<string, StoredProfile>;
  /** Ops skipped because they could not be read. */
  unreadable: number;
}

const PAGE = 5000;

export async function readBaseReports(db: Kysely<Database>): Promise<BaseReports> {
  const byId = new Map<string, Op[]>();
  const receivedAt = new Map<string, number>();
  let unreadable = 0;
  for (let after = 0; ; ) {
    const rows = await db
      .selectFrom('ops')
      .select(['seq', 'id', 'v', 'kind', 'report_id', 'device', 'device_seq', 'body', 'sig', 'received_at'])
      .where('status', '=', 'ok')
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      const read = opFromStored(row);
      if (!read.ok) {
        unreadable++;
        continue;
      }
      const list = byId.get(read.op.reportId);
      if (list) list.push(read.op);
      else byId.set(read.op.reportId, [read.op]);
      receivedAt.set(read.op.id, Number(row.received_at));
    }
    if (rows.length < PAGE) break;
    after = Number(rows.at(-1)!.seq);
  }

  // Who counts as coordinator is the roster, merged as every device merges it, and nothing else.
  const authority = authorityOf(rosterOf(mergeOps(ROSTER_ID, byId.get(ROSTER_ID) ?? [])));
  const reports: { state: ReportState; record: ExportRecord }[] = [];
  const profiles = new Map<string, StoredProfile>();
  for (const [id, ops] of byId) {
    if (UUID_PATTERN.test(id)) {
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
  return { records: reports.map((r) => r.record), profiles, unreadable };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
