/**
 * Merge: the merged state of a report, or of a setting (the roster, the gazetteer, a profile, an
 * export log entry), is a pure function of the set of its ops. Each field is a multi-value register:
 * a field version is named by the op that wrote it, an op lists per field the versions it had seen
 * (`supersedes`), and the versions nothing supersedes are the field's heads. Two or more heads with
 * different values are a conflict, and all are kept.
 *
 * A report's photos (attachments) merge the same way, one register per original (by its SHA-256):
 * an op adding a photo writes a version of it, an op removing it supersedes the adds it had seen
 * (`detach`). A photo stays while any add of it is a head, so two devices adding photos never
 * conflict, the same photo added twice is one, and an add no removal saw outlives the removal.
 *
 * `applyOp` is commutative and idempotent (superseded ids are remembered per field, so an op arriving
 * after the op that superseded it never becomes a head): any order, duplication or delay of delivery
 * gives the same state.
 */
import { canonicalJson } from './canonical-json.ts';
import type { DeviceId, OpId, ReportId, TargetId } from './ids.ts';
import type { Attachment, Op } from './op/op.ts';
import { COORDINATOR_ONLY_FIELDS, isReportType, type ReportType } from './report-types.ts';
import type { FieldName, FieldValues } from './report.ts';

export interface FieldVersion {
  op: OpId;
  hlc: string;
  device: DeviceId;
  value: unknown;
}

export interface FieldState {
  /** Newest first by HLC: the order versions are shown in, nothing more. */
  heads: FieldVersion[];
  /** Op ids superseded for this field, so a late arrival of one stays dead. */
  dead: OpId[];
  /**
   * Coordinator-only fields: versions a monitor's delete saw but may not supersede. They stay heads,
   * yet they are no edit the delete crossed.
   */
  seenByDelete?: OpId[];
}

/** `Id` says which: a report's state (a ReportId), a setting's (a SettingId), or either. */
export interface MergedState<Id extends TargetId = TargetId> {
  id: Id;
  /** Set by the create op; undefined until it has arrived. */
  type?: ReportType;
  /** The raw type the create op named, kept when it is not one this app knows. */
  unknownType?: string;
  created?: { op: OpId; hlc: string; device: DeviceId };
  fields: Record<string, FieldState>;
  /** A report's photos, by the original's SHA-256: each head an op that added it. Absent until one is added or removed. */
  attachments?: Record<string, FieldState>;
  /** Ids of every op applied, sorted. */
  applied: OpId[];
  /** Changes to coordinator-only fields by a device that is not a coordinator: ignored, listed for review. */
  ignored: { op: OpId; field: string }[];
}

/** Whether a device is a coordinator in the roster. The merge never trusts an op's own claim. */
/** Whether a device counted as coordinator when it wrote its op at `deviceSeq`: roles are judged as of each op. */
export type Authority = (device: DeviceId, deviceSeq: number) => boolean;
export const noCoordinators: Authority = () => false;

const COORDINATOR_FIELD_NAMES: readonly string[] = COORDINATOR_ONLY_FIELDS;
const COORDINATOR_ONLY = new Set<string>(COORDINATOR_FIELD_NAMES);

/** The field a delete writes; a delete also supersedes every head it saw, of every field. */
export const DELETED_FIELD = 'deleted';
/** Written once, by the create op. */
export const TYPE_FIELD = 'type';

export function emptyState<Id extends TargetId>(id: Id): MergedState<Id> {
  return { id, fields: {}, applied: [], ignored: [] };
}

function insertSorted(list: OpId[], id: OpId): OpId[] {
  let i = list.length;
  while (i > 0 && list[i - 1]! > id) i--;
  return [...list.slice(0, i), id, ...list.slice(i)];
}

/** Kept sorted, so the list is the same whatever order the ops arrived in. */
function listIgnored(list: MergedState['ignored'], entry: MergedState['ignored'][number]): MergedState['ignored'] {
  const key = (e: MergedState['ignored'][number]) => `${e.op}\u0000${e.field}`;
  return [...list, entry].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Newest first by HLC, then by op id: the one order versions are shown in. */
export function byDisplayOrder(a: FieldVersion, b: FieldVersion): number {
  if (a.hlc !== b.hlc) return a.hlc < b.hlc ? 1 : -1;
  return a.op < b.op ? 1 : a.op > b.op ? -1 : 0;
}

/** Whether applyOp's result for `op` depends on its authority: only ops touching a coordinator-only field do. */
export function readsAuthority(op: Op): boolean {
  return COORDINATOR_FIELD_NAMES.some((name) => Object.hasOwn(op.body.changes, name) || Object.hasOwn(op.body.supersedes, name));
}

export function applyOp<Id extends TargetId>(state: MergedState<Id>, op: Op, isCoordinator: Authority = noCoordinators): MergedState<Id> {
  if (op.reportId !== state.id || state.applied.includes(op.id)) return state;
  const next: MergedState<Id> = { ...state, fields: { ...state.fields }, applied: insertSorted(state.applied, op.id) };
  const { changes, supersedes, hlc } = op.body;

  if (op.kind === 'create' && (!state.created || op.id < state.created.op)) {
    // Two creates of one report can only come from a faulty or hostile device: the lowest id wins, everywhere.
    next.created = { op: op.id, hlc, device: op.device };
    const type = changes[TYPE_FIELD];
    next.type = isReportType(type) ? type : undefined;
    next.unknownType = isReportType(type) ? undefined : String(type);
  }

  const touched = new Set([...Object.keys(changes), ...Object.keys(supersedes)]);
  touched.delete(TYPE_FIELD);
  const coordinator = isCoordinator(op.device, op.deviceSeq);
  const isDelete = changes[DELETED_FIELD] === true;
  for (const name of touched) {
    if (COORDINATOR_ONLY.has(name) && !coordinator) {
      // A monitor's delete supersedes every head it saw, these included: that is no attempt to set them.
      if (isDelete && !Object.hasOwn(changes, name)) {
        const current = next.fields[name] ?? { heads: [], dead: [] };
        const seen = [...new Set([...(current.seenByDelete ?? []), ...(supersedes[name] ?? [])])].sort();
        next.fields[name] = { ...current, seenByDelete: seen };
      } else {
        next.ignored = listIgnored(next.ignored, { op: op.id, field: name });
      }
      continue;
    }
    next.fields[name] = written(next.fields[name], op, supersedes[name] ?? [], Object.hasOwn(changes, name), changes[name]);
  }
  const { attachments = [], detach = {} } = op.body;
  if (attachments.length > 0 || Object.keys(detach).length > 0) {
    const photos = { ...next.attachments };
    const added = new Map(attachments.map((a) => [a.sha256, a]));
    for (const sha256 of new Set([...added.keys(), ...Object.keys(detach)])) {
      photos[sha256] = written(photos[sha256], op, detach[sha256] ?? [], added.has(sha256), added.get(sha256));
    }
    next.attachments = photos;
  }
  return next;
}

/** One register after `op`: the versions it saw superseded, and its own value added unless something superseded it already. */
function written(field: FieldState | undefined, op: Op, seen: readonly OpId[], writes: boolean, value: unknown): FieldState {
  const current = field ?? { heads: [], dead: [] };
  const dead = seen.length ? [...new Set([...current.dead, ...seen])].sort() : current.dead;
  let heads = seen.length ? current.heads.filter((h) => !dead.includes(h.op)) : current.heads;
  if (writes && !dead.includes(op.id)) {
    heads = [...heads, { op: op.id, hlc: op.body.hlc, device: op.device, value }].sort(byDisplayOrder);
  }
  return { ...current, heads, dead };
}

export function mergeOps<Id extends TargetId>(id: Id, ops: Iterable<Op>, isCoordinator: Authority = noCoordinators): MergedState<Id> {
  let state = emptyState(id);
  for (const op of ops) state = applyOp(state, op, isCoordinator);
  return state;
}

/** Heads with equal values shown as one; the first of each value in display order stands for it. */
export function distinctHeads(field: FieldState | undefined): FieldVersion[] {
  if (!field) return [];
  const seen = new Set<string>();
  return field.heads.filter((h) => {
    const key = canonicalJson(h.value);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Read for screens: a report's, unless `Id` says a setting's (whose values are then no report fields). */
export interface ReportView<Id extends TargetId = ReportId> {
  id: Id;
  type?: ReportType;
  unknownType?: string;
  /** For a field in conflict, the first head in display order. */
  values: Partial<FieldValues>;
  /** Fields with two or more distinct heads, and `deleted` when a delete crossed an edit it did not see. */
  conflicts: string[];
  deleted: boolean;
  createdHlc?: string;
  /** The newest version of any field. */
  updatedHlc?: string;
  /** The report's photos, when it has any, in the order they were taken. */
  attachments?: AttachmentVersion[];
}

/** A photo as a report shows it: the attachment, and the op (and its author) that added it. */
export interface AttachmentVersion {
  attachment: Attachment;
  op: OpId;
  device: DeviceId;
}

/** The photos a state holds: of each original, the first add in display order stands for it. */
export function attachmentsOf(state: MergedState): AttachmentVersion[] {
  const order = (a: AttachmentVersion) => `${a.attachment.capturedAt ?? ''}\u0000${a.attachment.sha256}`;
  return Object.values(state.attachments ?? {})
    .flatMap((photo) => photo.heads.slice(0, 1))
    .map((h) => ({ attachment: h.value as Attachment, op: h.op, device: h.device }))
    .sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

export function viewOf<Id extends TargetId>(state: MergedState<Id>): ReportView<Id> {
  const values: Record<string, unknown> = {};
  const conflicts: string[] = [];
  let liveFields = 0;
  let updatedHlc = state.created?.hlc;
  for (const [name, field] of Object.entries(state.fields)) {
    const heads = distinctHeads(field);
    if (heads.length === 0) continue;
    if (heads.length > 1) conflicts.push(name);
    for (const h of field.heads) if (!updatedHlc || h.hlc > updatedHlc) updatedHlc = h.hlc;
    if (name === DELETED_FIELD) continue;
    // Verification outlives a monitor's delete that saw it (only a coordinator can supersede it).
    if (field.heads.some((h) => !field.seenByDelete?.includes(h.op))) liveFields++;
    values[name] = heads[0]!.value;
  }
  const deleted = distinctHeads(state.fields[DELETED_FIELD]).some((h) => h.value === true);
  if (deleted && liveFields > 0 && !conflicts.includes(DELETED_FIELD)) conflicts.push(DELETED_FIELD);
  const attachments = attachmentsOf(state);
  return {
    id: state.id,
    type: state.type,
    unknownType: state.unknownType,
    values: values,
    conflicts: conflicts.sort(),
    deleted,
    createdHlc: state.created?.hlc,
    updatedHlc,
    ...(attachments.length > 0 && { attachments }),
  };
}

/**
 * The body of an edit: the new values, each superseding every head of its field as the editor saw it.
 * A value of `undefined` clears the field (the heads are superseded, nothing new is written).
 */
export function editBody(state: MergedState, changes: Partial<Record<FieldName, unknown>>, hlc: string): Op['body'] {
  const out: Op['body'] = { hlc, changes: {}, supersedes: {} };
  for (const [name, value] of Object.entries(changes)) {
    const heads = state.fields[name]?.heads.map((h) => h.op) ?? [];
    if (value !== undefined) out.changes[name] = value;
    if (heads.length) out.supersedes[name] = heads;
  }
  return out;
}

/**
 * The body of a change to a deployment or desk setting (the roster, the gazetteer, a partner
 * profile): named fields that are no report fields, each superseding every head the writer saw.
 */
export function settingBody(state: MergedState, changes: Record<string, unknown>, hlc: string): Op['body'] {
  return editBody(state, changes, hlc);
}

/**
 * The body of a change to a report's photos: the photos added, and each photo removed with every
 * add of it the writer saw. Spread into an edit's body.
 */
export function attachmentChanges(
  state: MergedState,
  change: { add?: readonly Attachment[]; remove?: readonly string[] },
): Pick<Op['body'], 'attachments' | 'detach'> {
  const detach: Record<string, OpId[]> = {};
  for (const sha256 of change.remove ?? []) {
    const heads = state.attachments?.[sha256]?.heads.map((h) => h.op) ?? [];
    if (heads.length) detach[sha256] = heads;
  }
  return {
    ...(change.add?.length && { attachments: [...change.add] }),
    ...(Object.keys(detach).length > 0 && { detach }),
  };
}

/** A delete supersedes every head it saw, of every field, so an edit it did not see stays visible. */
export function deleteBody(state: MergedState, hlc: string): Op['body'] {
  const supersedes: Record<string, OpId[]> = {};
  for (const [name, field] of Object.entries(state.fields)) {
    if (field.heads.length) supersedes[name] = field.heads.map((h) => h.op);
  }
  return { hlc, changes: { [DELETED_FIELD]: true }, supersedes };
}
