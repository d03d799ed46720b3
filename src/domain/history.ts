/**
 * A report's history, the chain of custody: every op on it in HLC order, who wrote it, when (the
 * device's clock, and the base's receive time once known), and what each field held before and
 * after. "Before" is the versions the op itself superseded, as its author saw them: not what the
 * op listed just above it held, for with edits made apart or arriving late the op above may be one
 * its author never saw. Conflicts and values that never took effect come from folding the ops in
 * HLC order with the same merge every device runs, so a coordinator reads the same history on any
 * device.
 *
 * Ops the base rejected never entered the merged state; they are listed where their clock puts
 * them, with what they tried to change and why they were refused, and left out of the fold.
 */
import { decodeHlc } from './hlc.ts';
import type { DeviceId, OpId, ReportId } from './ids.ts';
import {
  applyOp,
  byDisplayOrder,
  DELETED_FIELD,
  distinctHeads,
  emptyState,
  TYPE_FIELD,
  type Authority,
  type FieldVersion,
  type MergedState,
} from './merge.ts';
import type { OpKind } from './op/header.ts';
import type { Op } from './op/op.ts';
import { COORDINATOR_ONLY_FIELDS } from './report-codes.ts';

/** An op as a device stores it: the base's seq and receive time once pulled, a rejection once refused. */
export type HistoryOp = Op & { seq?: number; receivedAt?: number; rejected?: string };

/**
 * How an op touched a field:
 * - `set`: a value that superseded nothing (the field's first value, or one written beside another);
 * - `change`: a value replacing the versions it superseded;
 * - `clear`: versions superseded and no value written;
 * - `ignored`: a coordinator-only field written by a device that is not a coordinator: the merge skips it;
 * - `delete` / `restore`: the report deleted, or brought back.
 */
export type ChangeKind = 'set' | 'change' | 'clear' | 'ignored' | 'delete' | 'restore';

export interface FieldChange {
  field: string;
  kind: ChangeKind;
  /**
   * The distinct values of the versions the op superseded, newest first: several when its author
   * saw competing values, none when it superseded nothing.
   */
  before: unknown[];
  /** How many of the versions it superseded are not on this device, so their values cannot be shown. */
  unseen?: number;
  /** The value the op wrote; absent for `clear`. */
  after?: unknown;
  /** After the op the field holds competing values (it was written beside a version it did not see). */
  conflict: boolean;
  /**
   * The value never took effect: an op listed earlier had already superseded it, which happens
   * only when the writer's clock was behind the one that replaced it.
   */
  replaced?: true;
}

export interface HistoryEntry {
  op: OpId;
  kind: OpKind;
  device: DeviceId;
  /** The author's standing in the roster this history was read with. */
  coordinator: boolean;
  hlc: string;
  /** The device's own clock when it wrote the op (ms). */
  deviceTime: number;
  /** When the base received it (ms); absent until this device pulled it back from the base. */
  receivedAt?: number;
  seq?: number;
  /** Why the base refused it (a catalog key, `err.op.*`): it is not part of the report. */
  rejected?: string;
  changes: FieldChange[];
}

const COORDINATOR_ONLY = new Set<string>(COORDINATOR_ONLY_FIELDS);

function byClock(a: HistoryOp, b: HistoryOp): number {
  if (a.body.hlc !== b.body.hlc) return a.body.hlc < b.body.hlc ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

type Known = ReadonlyMap<OpId, HistoryOp>;

/** Every version the op's author had seen, through the ops it superseded and the ones they did, in any field. */
function seenBy(op: HistoryOp, known: Known): Set<OpId> {
  const seen = new Set<OpId>();
  const stack = [op];
  for (let o = stack.pop(); o; o = stack.pop()) {
    for (const ids of Object.values(o.body.supersedes)) {
      for (const id of ids) {
        if (seen.has(id)) continue;
        seen.add(id);
        const by = known.get(id);
        if (by) stack.push(by);
      }
    }
  }
  return seen;
}

/**
 * Whether after the op the field holds competing values: a version its author had not seen beside
 * its own. A version it had seen may still be a head when the op that replaced it has a clock behind
 * (it is folded later); that is no conflict.
 */
function conflictAfter(after: MergedState, field: string, seen: ReadonlySet<OpId>): boolean {
  const state = after.fields[field];
  if (!state) return false;
  return distinctHeads({ ...state, heads: state.heads.filter((h) => !seen.has(h.op)) }).length > 1;
}

/** What the op superseded in a field: the values of those versions this device holds, and how many it does not. */
function superseded(op: HistoryOp, field: string, known: Known): Pick<FieldChange, 'before' | 'unseen'> {
  const versions: FieldVersion[] = [];
  let unseen = 0;
  for (const id of op.body.supersedes[field] ?? []) {
    const by = known.get(id);
    // A version is a value an op wrote; an op that only superseded the field wrote none to supersede.
    if (by && Object.hasOwn(by.body.changes, field)) {
      versions.push({ op: id, hlc: by.body.hlc, device: by.device, value: by.body.changes[field] });
    } else if (!by) unseen++;
  }
  const before = distinctHeads({ heads: versions.sort(byDisplayOrder), dead: [] }).map((v) => v.value);
  return unseen > 0 ? { before, unseen } : { before };
}

function changesOf(op: HistoryOp, known: Known, after: MergedState, coordinator: boolean): FieldChange[] {
  const { changes } = op.body;
  const seen = seenBy(op, known);
  const inConflict = (field: string) => conflictAfter(after, field, seen);
  if (Object.hasOwn(changes, DELETED_FIELD)) {
    const deleting = changes[DELETED_FIELD] === true;
    const change: FieldChange = {
      field: DELETED_FIELD,
      kind: deleting ? 'delete' : 'restore',
      ...superseded(op, DELETED_FIELD, known),
      after: changes[DELETED_FIELD],
      conflict: inConflict(DELETED_FIELD),
    };
    // A delete supersedes every head of every field: the deletion says it all. A restore also
    // writes back the values the delete had superseded; those are listed after it.
    if (deleting) return [change];
    return [change, ...fieldChanges(op, known, after, coordinator, inConflict).filter((c) => c.field !== DELETED_FIELD)];
  }
  return fieldChanges(op, known, after, coordinator, inConflict);
}

function fieldChanges(
  op: HistoryOp,
  known: Known,
  after: MergedState,
  coordinator: boolean,
  inConflict: (field: string) => boolean,
): FieldChange[] {
  const { changes, supersedes } = op.body;
  const names = [...new Set([...Object.keys(changes), ...Object.keys(supersedes)])].filter((n) => n !== TYPE_FIELD);
  const out: FieldChange[] = [];
  for (const field of names) {
    const written = Object.hasOwn(changes, field);
    const seen = supersedes[field] ?? [];
    const prior = superseded(op, field, known);
    const conflict = inConflict(field);
    if (COORDINATOR_ONLY.has(field) && !coordinator) {
      if (written) out.push({ field, kind: 'ignored', ...prior, after: changes[field], conflict });
      continue;
    }
    if (written) {
      const change: FieldChange = { field, kind: seen.length === 0 ? 'set' : 'change', ...prior, after: changes[field], conflict };
      if (!op.rejected && !(after.fields[field]?.heads ?? []).some((h) => h.op === op.id)) change.replaced = true;
      out.push(change);
    } else if (seen.length > 0) {
      out.push({ field, kind: 'clear', ...prior, conflict });
    }
  }
  return out;
}

/**
 * The history of one report from its ops (in any order, duplicates allowed) under an authority
 * (who counts as coordinator). Entries come oldest first by HLC, then by op id.
 */
export function reportHistory(reportId: ReportId, ops: Iterable<HistoryOp>, isCoordinator: Authority): HistoryEntry[] {
  const unique = new Map<OpId, HistoryOp>();
  for (const op of ops) if (op.reportId === reportId && !unique.has(op.id)) unique.set(op.id, op);
  let state = emptyState(reportId);
  const entries: HistoryEntry[] = [];
  for (const op of [...unique.values()].sort(byClock)) {
    const coordinator = isCoordinator(op.device, op.deviceSeq);
    const next = op.rejected ? state : applyOp(state, op, isCoordinator);
    const entry: HistoryEntry = {
      op: op.id,
      kind: op.kind,
      device: op.device,
      coordinator,
      hlc: op.body.hlc,
      deviceTime: decodeHlc(op.body.hlc).wall,
      // A refused op changed nothing, so it put no field in conflict either.
      changes: changesOf(op, unique, next, coordinator).map((c) => (op.rejected ? { ...c, conflict: false } : c)),
    };
    if (op.receivedAt !== undefined) entry.receivedAt = op.receivedAt;
    if (op.seq !== undefined) entry.seq = op.seq;
    if (op.rejected !== undefined) entry.rejected = op.rejected;
    entries.push(entry);
    state = next;
  }
  return entries;
}
