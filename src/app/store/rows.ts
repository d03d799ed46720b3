/**
 * Where a merged state is kept and how its row looks: reports in `reports` (with the conflict
 * marker the queue's index reads), deployment and desk settings in `settings`. Shared by the one op
 * writer and by sync, which merges ops that arrive.
 */
import { isReportId, isSettingId, type DeviceId, type ReportId, type SettingId, type TargetId } from '../../domain/ids.ts';
import { mergeOps, viewOf, type Authority, type MergedState } from '../../domain/merge.ts';
import { authorityOf, changedAuthority, rosterOf, ROSTER_ID } from '../../domain/roster.ts';
import { authorityOfSummary } from '../../domain/trusted-roster.ts';
import type { Role } from '../../domain/roles.ts';
import type { RasidDb, ReportRow } from './db.ts';

/** A setting's state, told by its id: reports are named by UUID, settings by a fixed name. */
function isSettingState(state: MergedState): state is MergedState<SettingId> {
  return isSettingId(state.id);
}

function isReportState(state: MergedState): state is MergedState<ReportId> {
  return isReportId(state.id);
}

export function reportRow(state: MergedState<ReportId>, lastOwnSeq: number): ReportRow {
  const row: ReportRow = {
    id: state.id,
    type: state.type ?? state.unknownType ?? '',
    createdAt: state.created?.hlc ?? '',
    state,
    lastOwnSeq,
  };
  if (viewOf(state).conflicts.length > 0) row.hasConflict = 1;
  return row;
}

/**
 * Who the merge counts as coordinator on this device now: the trusted roster once it pinned a root,
 * before that the roster it holds. Call inside a transaction that includes `settings` and `meta`.
 */
export async function currentAuthority(db: RasidDb): Promise<Authority> {
  // One read after the other: this runs inside the caller's Promise.all, in its transaction, and a
  // Promise.all nested in there let the transaction commit early now and then.
  const trust = await db.getMeta('trust');
  if (trust) return authorityOfSummary(trust);
  return authorityOf(rosterOf((await db.settings.get(ROSTER_ID))?.state));
}

/** A state no op is left in (its only ops were rejected) leaves no row behind: an empty row would read as damaged. */
export async function saveState(db: RasidDb, state: MergedState, lastOwnSeq: number): Promise<void> {
  if (state.applied.length === 0) {
    if (isSettingState(state)) await db.settings.delete(state.id);
    else if (isReportState(state)) await db.reports.delete(state.id);
    return;
  }
  if (isSettingState(state)) await db.settings.put({ id: state.id, state });
  else if (isReportState(state)) await db.reports.put(reportRow(state, lastOwnSeq));
}

/** A report's state and this device's last own seq on it, merged again from all its ops that were not rejected. */
export async function rebuild<Id extends TargetId>(
  db: RasidDb,
  reportId: Id,
  device: DeviceId,
  authority: Authority,
): Promise<{ state: MergedState<Id>; lastOwnSeq: number }> {
  const ops = await db.ops.where('reportId').equals(reportId).toArray();
  const lastOwnSeq = ops.reduce((m, o) => (o.device === device && o.deviceSeq > m ? o.deviceSeq : m), 0);
  return {
    state: mergeOps(
      reportId,
      ops.filter((o) => !o.rejected),
      authority,
    ),
    lastOwnSeq,
  };
}

/**
 * After the roster changed: the reports holding ops of devices whose coordinator standing changed,
 * merged again under the new roster (their coordinator-only fields now count, or no longer do).
 * Call inside a transaction over ops, reports and settings. Returns the ids it merged again.
 */
export async function remergeForRoster(
  db: RasidDb,
  device: DeviceId,
  before: ReadonlyMap<DeviceId, Role>,
  after: ReadonlyMap<DeviceId, Role>,
  skip: ReadonlySet<TargetId> = new Set(),
): Promise<Set<TargetId>> {
  return remergeFor(db, device, changedAuthority(before, after), authorityOf(after), skip);
}

/** The same, for devices whose standing changed (`changed`), merged again under `authority`. */
export async function remergeFor(
  db: RasidDb,
  device: DeviceId,
  changed: readonly DeviceId[],
  authority: Authority,
  skip: ReadonlySet<TargetId> = new Set(),
): Promise<Set<TargetId>> {
  const ids = new Set<TargetId>();
  for (const d of changed) {
    const theirs = await db.ops.where('[device+deviceSeq]').between([d, 0], [d, Infinity]).toArray();
    for (const o of theirs) if (o.reportId !== ROSTER_ID && !skip.has(o.reportId)) ids.add(o.reportId);
  }
  for (const id of ids) {
    const { state, lastOwnSeq } = await rebuild(db, id, device, authority);
    await saveState(db, state, lastOwnSeq);
  }
  return ids;
}
