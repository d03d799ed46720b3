/**
 * A merged state as its row is sealed at rest (at-rest.ts): each version's op, clock and device
 * written once, in `by`, and every head naming its version by place. Written out in full, a report
 * made by one op repeats that op's id, clock and device beside each of its fields' values: for the
 * invented year's reports, 3.7 KB a row sealed against 1.6 KB packed, and a row is sealed whole at
 * each write and opened whole at each read (decision 100).
 *
 * Packing is exact: `unpackState(packState(s))` reads as `s` after the round trip through JSON that
 * a row makes anyway (a property `undefined` is dropped; a head's `undefined` value stays absent).
 */
import type { DeviceId, OpId, TargetId } from '../../domain/ids.ts';
import type { FieldState, FieldVersion, MergedState } from '../../domain/merge.ts';

/** One head: the place of its version in `by`, then its value (absent when the value is undefined). */
type PackedHead = [number, unknown?];
/** A field: its heads, the ids it superseded, and for a coordinator-only field those a monitor's delete saw. */
type PackedField = [PackedHead[], OpId[], OpId[]?];

export interface PackedState {
  /** The packing's version, so that a later packing can tell its rows from these. */
  p: 1;
  id: TargetId;
  type?: string;
  unknownType?: string;
  /** The op, clock and device of every version the state names, each once. */
  by: [OpId, string, DeviceId][];
  /** The create op's place in `by`. */
  created?: number;
  fields: Record<string, PackedField>;
  attachments?: Record<string, PackedField>;
  applied: OpId[];
  ignored: MergedState['ignored'];
}

export function packState(state: MergedState): PackedState {
  const by: PackedState['by'] = [];
  const places = new Map<string, number>();
  const place = (v: { op: OpId; hlc: string; device: DeviceId }): number => {
    const key = `${v.op}\u0000${v.hlc}\u0000${v.device}`;
    let at = places.get(key);
    if (at === undefined) {
      at = by.push([v.op, v.hlc, v.device]) - 1;
      places.set(key, at);
    }
    return at;
  };
  const field = (f: FieldState): PackedField => {
    const heads = f.heads.map((h): PackedHead => (h.value === undefined ? [place(h)] : [place(h), h.value]));
    return f.seenByDelete ? [heads, f.dead, f.seenByDelete] : [heads, f.dead];
  };
  const registers = (of: Record<string, FieldState>) => Object.fromEntries(Object.entries(of).map(([name, f]) => [name, field(f)]));
  const packed: PackedState = { p: 1, id: state.id, by, fields: registers(state.fields), applied: state.applied, ignored: state.ignored };
  if (state.type !== undefined) packed.type = state.type;
  if (state.unknownType !== undefined) packed.unknownType = state.unknownType;
  if (state.created) packed.created = place(state.created);
  if (state.attachments) packed.attachments = registers(state.attachments);
  return packed;
}

export class PackedStateError extends Error {}

/** The state `packState` packed. Throws PackedStateError on anything else: the row is then read as damaged. */
export function unpackState(packed: unknown): MergedState {
  const p = packed as PackedState;
  if (typeof p !== 'object' || p === null || p.p !== 1 || !Array.isArray(p.by) || typeof p.fields !== 'object' || p.fields === null) {
    throw new PackedStateError('not a packed state');
  }
  const version = (at: unknown) => {
    const v = typeof at === 'number' ? p.by[at] : undefined;
    if (!Array.isArray(v)) throw new PackedStateError('a head names no version');
    return { op: v[0], hlc: v[1], device: v[2] };
  };
  const field = (f: PackedField): FieldState => {
    if (!Array.isArray(f) || !Array.isArray(f[0])) throw new PackedStateError('not a packed field');
    const heads = f[0].map((h): FieldVersion => {
      const v = version(h[0]) as FieldVersion;
      if (h.length > 1) v.value = h[1];
      return v;
    });
    return f[2] ? { heads, dead: f[1], seenByDelete: f[2] } : { heads, dead: f[1] };
  };
  // Own properties whatever the name, `__proto__` included: a field's name comes from an op.
  const registers = (of: Record<string, PackedField>) => Object.fromEntries(Object.entries(of).map(([name, f]) => [name, field(f)]));
  const state: MergedState = { id: p.id, fields: registers(p.fields), applied: p.applied, ignored: p.ignored };
  if (p.type !== undefined) state.type = p.type as MergedState['type'];
  if (p.unknownType !== undefined) state.unknownType = p.unknownType;
  if (p.created !== undefined) state.created = version(p.created);
  if (p.attachments) state.attachments = registers(p.attachments);
  return state;
}
