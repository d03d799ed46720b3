import { describe, expect, test } from 'vitest';
import { encodeHlc, nodeIdOf } from '../../src/domain/hlc.ts';
import { reportHistory, type HistoryOp } from '../../src/domain/history.ts';
import { deleteBody, editBody, mergeOps, noCoordinators, viewOf, type Authority } from '../../src/domain/merge.ts';
import { opSchema } from '../../src/domain/op/op.ts';
import type { FieldName } from '../../src/domain/report.ts';
import type { DeviceId, OpId } from '../../src/domain/ids.ts';
import { deviceId, opId, reportId } from '../ids.ts';

const REPORT = reportId('01957a3c-1f00-7000-8000-00000000cafe');
const OTHER_REPORT = reportId('01957a3c-1f00-7000-8000-00000000d00d');
const T0 = Date.UTC(2025, 2, 8, 9, 0, 0);
const PHONE_A = deviceId('phone-A-0001');
const PHONE_B = deviceId('phone-B-0002');
const DESK = deviceId('coord-C-0003');
const deskIsCoordinator: Authority = (d) => d === DESK;

let counter = 0;
/** Op ids sort in the order ops are made, as uuidv7 ids do. */
function nextId(): OpId {
  counter += 1;
  return opId(`01957a3c-2000-7000-8000-${counter.toString(16).padStart(12, '0')}`);
}

function op(
  device: DeviceId,
  minute: number,
  changes: Record<string, unknown>,
  supersedes: Record<string, OpId[]> = {},
  extra: Partial<HistoryOp> = {},
): HistoryOp {
  const o: HistoryOp = {
    v: 1,
    id: nextId(),
    kind: 'type' in changes ? 'create' : 'edit',
    reportId: REPORT,
    device,
    deviceSeq: minute + 1,
    body: { hlc: encodeHlc({ wall: T0 + minute * 60_000, counter: 0, node: nodeIdOf(device) }), changes, supersedes },
    ...extra,
  };
  expect(opSchema.safeParse({ ...o, seq: undefined, receivedAt: undefined, rejected: undefined }).success).toBe(true);
  return o;
}

/** An edit as the app writes it: superseding every head of each field as the ops so far merge. */
function edit(
  device: DeviceId,
  minute: number,
  seen: HistoryOp[],
  changes: Partial<Record<FieldName, unknown>>,
  authority: Authority = noCoordinators,
): HistoryOp {
  const body = editBody(mergeOps(REPORT, seen, authority), changes, 'x');
  return op(device, minute, body.changes, body.supersedes);
}

const create = () =>
  op(
    PHONE_A,
    0,
    { type: 'damage', placeName: 'سوق جبلة', structures: 7, narrative: 'احترقت المحلات ليلًا' },
    {},
    { seq: 1, receivedAt: T0 + 5 * 60_000 },
  );

describe('the history of a report', () => {
  test('lists every op oldest first, with its device, its own time and the time the base received it', () => {
    const c = create();
    const e1 = { ...edit(PHONE_A, 10, [c], { structures: 9 }), seq: 4, receivedAt: T0 + 30 * 60_000 };
    const e2 = edit(DESK, 20, [c, e1], { damageLevel: 'severe' }, deskIsCoordinator);
    // Given in another order and with a duplicate: the history is the same.
    const history = reportHistory(REPORT, [e2, e1, c, e1], deskIsCoordinator);
    expect(history.map((h) => [h.op, h.kind, h.device, h.coordinator, h.deviceTime, h.receivedAt, h.seq])).toEqual([
      [c.id, 'create', PHONE_A, false, T0, T0 + 5 * 60_000, 1],
      [e1.id, 'edit', PHONE_A, false, T0 + 10 * 60_000, T0 + 30 * 60_000, 4],
      [e2.id, 'edit', DESK, true, T0 + 20 * 60_000, undefined, undefined],
    ]);
    expect(history[2]!.hlc).toBe(e2.body.hlc);
  });

  test("a create sets each field it names; the report's type is no field change", () => {
    const [entry] = reportHistory(REPORT, [create()], noCoordinators);
    expect(entry!.changes).toEqual([
      { field: 'placeName', kind: 'set', before: [], after: 'سوق جبلة', conflict: false },
      { field: 'structures', kind: 'set', before: [], after: 7, conflict: false },
      { field: 'narrative', kind: 'set', before: [], after: 'احترقت المحلات ليلًا', conflict: false },
    ]);
  });

  test('an edit shows each field it changed from the value the report held to the new one', () => {
    const c = create();
    const e1 = edit(PHONE_A, 10, [c], { structures: 9, narrative: 'رواية المراقب' });
    const e2 = edit(PHONE_A, 11, [c, e1], { structures: 11 });
    const history = reportHistory(REPORT, [c, e1, e2], noCoordinators);
    expect(history[1]!.changes).toEqual([
      { field: 'structures', kind: 'change', before: [7], after: 9, conflict: false },
      { field: 'narrative', kind: 'change', before: ['احترقت المحلات ليلًا'], after: 'رواية المراقب', conflict: false },
    ]);
    expect(history[2]!.changes).toEqual([{ field: 'structures', kind: 'change', before: [9], after: 11, conflict: false }]);
  });

  test('a field written for the first time after creation is set, and a field cleared shows what it held', () => {
    const c = create();
    const e1 = edit(PHONE_A, 10, [c], { damageCause: 'burning', narrative: undefined });
    const [, entry] = reportHistory(REPORT, [c, e1], noCoordinators);
    expect(entry!.changes).toEqual([
      { field: 'damageCause', kind: 'set', before: [], after: 'burning', conflict: false },
      { field: 'narrative', kind: 'clear', before: ['احترقت المحلات ليلًا'], conflict: false },
    ]);
  });

  test('two devices editing one field apart: each change is from the value both saw, the second is marked as a conflict, and the choice resolving it starts from both values', () => {
    const c = create();
    const fromPhone = edit(PHONE_A, 10, [c], { narrative: 'رواية المراقب' });
    const fromDesk = edit(DESK, 12, [c], { narrative: 'Coordinator account' }, deskIsCoordinator);
    const choice = edit(DESK, 30, [c, fromPhone, fromDesk], { narrative: 'رواية المراقب' }, deskIsCoordinator);
    const history = reportHistory(REPORT, [c, fromPhone, fromDesk, choice], deskIsCoordinator);
    expect(history[1]!.changes).toEqual([
      { field: 'narrative', kind: 'change', before: ['احترقت المحلات ليلًا'], after: 'رواية المراقب', conflict: false },
    ]);
    // The desk never saw the phone's edit: its change is from the value it replaced, not the one listed above it.
    expect(history[2]!.changes).toEqual([
      { field: 'narrative', kind: 'change', before: ['احترقت المحلات ليلًا'], after: 'Coordinator account', conflict: true },
    ]);
    expect(history[3]!.changes).toEqual([
      { field: 'narrative', kind: 'change', before: ['Coordinator account', 'رواية المراقب'], after: 'رواية المراقب', conflict: false },
    ]);
  });

  test('a delete shows as one deletion, and a restore as the report brought back with the values it writes', () => {
    const c = create();
    const body = deleteBody(mergeOps(REPORT, [c]), 'x');
    const del = op(PHONE_A, 10, body.changes, body.supersedes);
    const restore = edit(
      DESK,
      20,
      [c, del],
      { deleted: false, placeName: 'سوق جبلة' } as Partial<Record<FieldName, unknown>>,
      deskIsCoordinator,
    );
    const history = reportHistory(REPORT, [c, del, restore], deskIsCoordinator);
    expect(history[1]!.changes).toEqual([{ field: 'deleted', kind: 'delete', before: [], after: true, conflict: false }]);
    expect(history[2]!.changes).toEqual([
      { field: 'deleted', kind: 'restore', before: [true], after: false, conflict: false },
      { field: 'placeName', kind: 'set', before: [], after: 'سوق جبلة', conflict: false },
    ]);
  });

  test("a monitor's delete that saw a coordinator's verification is a deletion, not an attempt to change the verification", () => {
    const c = create();
    const verified = edit(DESK, 10, [c], { verification: 'verified' }, deskIsCoordinator);
    const body = deleteBody(mergeOps(REPORT, [c, verified], deskIsCoordinator), 'x');
    expect(body.supersedes.verification).toEqual([verified.id]);
    const del = op(PHONE_A, 20, body.changes, body.supersedes);
    const [, , entry] = reportHistory(REPORT, [c, verified, del], deskIsCoordinator);
    expect(entry!.changes).toEqual([{ field: 'deleted', kind: 'delete', before: [], after: true, conflict: false }]);
  });

  test('a coordinator-only field set by a device that is not a coordinator is shown as ignored, and the fold ignores it too', () => {
    const c = create();
    const byPhone = op(PHONE_B, 10, { verification: 'verified', structures: 8 }, { structures: [c.id] });
    const byDesk = edit(DESK, 20, [c, byPhone], { verification: 'disputed' }, deskIsCoordinator);
    const history = reportHistory(REPORT, [c, byPhone, byDesk], deskIsCoordinator);
    expect(history[1]!.changes).toEqual([
      { field: 'verification', kind: 'ignored', before: [], after: 'verified', conflict: false },
      { field: 'structures', kind: 'change', before: [7], after: 8, conflict: false },
    ]);
    // The phone's value never entered the report, so the coordinator's value replaced nothing.
    expect(history[2]!.changes).toEqual([{ field: 'verification', kind: 'set', before: [], after: 'disputed', conflict: false }]);
  });

  test('the same field set by a coordinator is a change like any other', () => {
    const c = create();
    const first = edit(DESK, 10, [c], { verification: 'duplicate', duplicateOf: OTHER_REPORT }, deskIsCoordinator);
    const second = edit(DESK, 20, [c, first], { verification: 'verified', duplicateOf: undefined }, deskIsCoordinator);
    const history = reportHistory(REPORT, [c, first, second], deskIsCoordinator);
    expect(history[2]!.changes).toEqual([
      { field: 'verification', kind: 'change', before: ['duplicate'], after: 'verified', conflict: false },
      { field: 'duplicateOf', kind: 'clear', before: [OTHER_REPORT], conflict: false },
    ]);
  });

  test('an op the base rejected is listed with its reason and what it tried, and leaves the values after it untouched', () => {
    const c = create();
    const refused = { ...edit(PHONE_B, 10, [c], { structures: 70 }), rejected: 'err.op.notReportOwner' };
    const later = edit(PHONE_A, 20, [c], { structures: 9 });
    const history = reportHistory(REPORT, [c, refused, later], noCoordinators);
    expect(history[1]).toMatchObject({ op: refused.id, rejected: 'err.op.notReportOwner' });
    expect(history[1]!.changes).toEqual([{ field: 'structures', kind: 'change', before: [7], after: 70, conflict: false }]);
    expect(history[2]!.rejected).toBeUndefined();
    expect(history[2]!.changes).toEqual([{ field: 'structures', kind: 'change', before: [7], after: 9, conflict: false }]);
  });

  test('a value written with a clock behind the change that replaced it is marked as never taking effect', () => {
    const c = create();
    const late = edit(PHONE_B, 600, [c], { structures: 20 });
    const early = edit(PHONE_A, 1, [c, late], { structures: 12 });
    const history = reportHistory(REPORT, [c, late, early], noCoordinators);
    expect(history.map((h) => h.op)).toEqual([c.id, early.id, late.id]);
    // Each change is from the value its author replaced, whichever clock is ahead.
    expect(history[1]!.changes).toEqual([{ field: 'structures', kind: 'change', before: [20], after: 12, conflict: false }]);
    expect(history[2]!.changes).toEqual([{ field: 'structures', kind: 'change', before: [7], after: 20, conflict: false, replaced: true }]);
    // The history folds to the same report as the merge.
    expect(viewOf(mergeOps(REPORT, [c, late, early])).values.structures).toBe(12);
  });

  test('ops of another report are left out, and a report with no ops has no history', () => {
    const stray = { ...create(), reportId: OTHER_REPORT };
    expect(reportHistory(REPORT, [stray], noCoordinators)).toEqual([]);
    expect(reportHistory(REPORT, [], noCoordinators)).toEqual([]);
  });

  test('the value before each change is what the versions its op superseded held, for any delivery order', () => {
    const c = create();
    const ops = [c];
    const devices = [PHONE_A, PHONE_B, DESK];
    for (let i = 1; i <= 12; i++) {
      // Each device saw only the ops two steps back: some edits cross, as they do between phones.
      const seen = ops.slice(0, Math.max(1, ops.length - (i % 3)));
      ops.push(edit(devices[i % 3]!, i, seen, { structures: i, ...(i % 4 === 0 ? { narrative: `تحديث ${i}` } : {}) }, deskIsCoordinator));
    }
    const byId = new Map(ops.map((o) => [o.id, o]));
    const history = reportHistory(REPORT, [...ops].reverse(), deskIsCoordinator);
    let crossed = 0;
    history.slice(1).forEach((entry, n) => {
      const structures = entry.changes.find((ch) => ch.field === 'structures')!;
      const superseded = byId.get(entry.op)!.body.supersedes.structures!.map((id) => byId.get(id)!.body.changes.structures);
      expect([...structures.before].sort()).toEqual([...new Set(superseded)].sort());
      if (structures.before[0] !== n) crossed++;
    });
    // Edits crossed: for those the op listed just above is not what their author replaced.
    expect(crossed).toBeGreaterThan(0);
  });

  test('two edits made apart from one value each show that value before them, whichever reached the desk first', () => {
    const c = op(PHONE_A, 0, { type: 'displacement', individuals: 40 });
    const monitor = edit(PHONE_A, 10, [c], { individuals: 45 });
    const coordinator = edit(DESK, 12, [c], { individuals: 42 }, deskIsCoordinator);
    for (const arrived of [
      [c, monitor, coordinator],
      [coordinator, c, monitor],
      [monitor, coordinator, c],
    ]) {
      const history = reportHistory(REPORT, arrived, deskIsCoordinator);
      expect(history.map((h) => [h.op, h.changes])).toEqual([
        [c.id, [{ field: 'individuals', kind: 'set', before: [], after: 40, conflict: false }]],
        [monitor.id, [{ field: 'individuals', kind: 'change', before: [40], after: 45, conflict: false }]],
        [coordinator.id, [{ field: 'individuals', kind: 'change', before: [40], after: 42, conflict: true }]],
      ]);
    }
  });

  test('an edit whose superseded version is not on this device says so instead of showing the field empty', () => {
    const c = create();
    const e1 = edit(PHONE_A, 10, [c], { structures: 9 });
    const e2 = edit(PHONE_A, 20, [c, e1], { structures: 11 });
    const [, entry] = reportHistory(REPORT, [c, e2], noCoordinators);
    // Until the edit in between arrives, the create's value is one the later edit is not known to have seen.
    expect(entry!.changes).toEqual([{ field: 'structures', kind: 'change', before: [], unseen: 1, after: 11, conflict: true }]);
    const [, , later] = reportHistory(REPORT, [c, e1, e2], noCoordinators);
    expect(later!.changes).toEqual([{ field: 'structures', kind: 'change', before: [9], after: 11, conflict: false }]);
  });
});
