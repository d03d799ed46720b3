import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { encodeHlc, nodeIdOf, tick, type Hlc } from '../../src/domain/hlc.ts';
import { newOpId, type DeviceId, type OpId } from '../../src/domain/ids.ts';
import {
  applyOp,
  attachmentChanges,
  attachmentsOf,
  deleteBody,
  distinctHeads,
  editBody,
  emptyState,
  mergeOps,
  viewOf,
  noCoordinators,
  readsAuthority,
  type Authority,
  type MergedState,
} from '../../src/domain/merge.ts';
import type { OpKind } from '../../src/domain/op/header.ts';
import { sealedBlobSize } from '../../src/domain/crypto/blob-seal.ts';
import { opBodySchema, opSchema, type Attachment, type Op } from '../../src/domain/op/op.ts';
import type { FieldName } from '../../src/domain/report.ts';
import { seededRandom } from '../seeded-random.ts';
import { deviceId, opId, reportId } from '../ids.ts';

const REPORT = reportId('01957a3c-1f00-7000-8000-00000000beef');
const T0 = Date.UTC(2025, 2, 8, 9, 0, 0);

// ----- a small notation for op histories: ops are named by labels, ids follow the order labels appear -----

const labels = new Map<string, OpId>();
/** A stable op id per label; ids sort in the order labels were first used. */
function id(label: string): OpId {
  let v = labels.get(label);
  if (!v) {
    v = opId(`01957a3c-2000-7000-8000-${(labels.size + 1).toString(16).padStart(12, '0')}`);
    labels.set(label, v);
  }
  return v;
}
const labelOf = (opId: string) => [...labels].find(([, v]) => v === opId)?.[0] ?? opId;

const hlcAt = (ms: number, node: string) => encodeHlc({ wall: ms, counter: 0, node });

/** [label, device, changes, supersedes (by label), minutes after T0 for the HLC] */
type Row = [label: string, device: DeviceId, changes: Record<string, unknown>, supersedes?: Record<string, string[]>, minute?: number];

function op(row: Row, kind?: OpKind): Op {
  const [label, device, changes, supersedes = {}, minute] = row;
  const k = kind ?? ('type' in changes ? 'create' : 'edit');
  const sup = Object.fromEntries(Object.entries(supersedes).map(([f, ls]) => [f, ls.map(id)]));
  const o: Op = {
    v: 1,
    id: id(label),
    kind: k,
    reportId: REPORT,
    device,
    deviceSeq: 1,
    body: { hlc: hlcAt(T0 + (minute ?? labels.size) * 60_000, nodeIdOf(device)), changes, supersedes: sup },
  };
  expect(opSchema.safeParse(o).success).toBe(true);
  return o;
}

const DEVICE_A = deviceId('phone-A-0001');
const DEVICE_B = deviceId('phone-B-0002');
const COORD = deviceId('coord-C-0003');
const coordinatorC: Authority = (d) => d === COORD;

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

/** Merges in every order and checks they all agree; returns the state of the first order. */
function mergeEveryOrder(ops: Op[], authority?: Authority): MergedState {
  const first = mergeOps(REPORT, ops, authority);
  for (const order of permutations(ops)) {
    const s = mergeOps(REPORT, order, authority);
    expect(viewOf(s)).toEqual(viewOf(first));
    expect(headsOf(s)).toEqual(headsOf(first));
  }
  return first;
}

/** Per field, the labels of its heads, sorted. */
function headsOf(s: MergedState): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(s.fields)
      .filter(([, f]) => f.heads.length > 0)
      .map(([name, f]) => [name, f.heads.map((h) => labelOf(h.op)).sort()]),
  );
}

const create: Row = ['c', DEVICE_A, { type: 'displacement', households: 10, placeName: 'جبلة' }, {}, 0];

// ----- table of merge cases: ops (in any order) → heads per field, shown values, conflicts -----

interface Expect {
  heads: Record<string, string[]>;
  values: Record<string, unknown>;
  conflicts: string[];
  deleted?: boolean;
}

const CASES: [string, Row[], Expect][] = [
  [
    'one phone creating then editing twice shows its last values',
    [
      create,
      ['a1', DEVICE_A, { households: 12 }, { households: ['c'] }, 1],
      ['a2', DEVICE_A, { households: 14, narrative: 'وصلت عائلات إضافية' }, { households: ['a1'] }, 2],
    ],
    {
      heads: { households: ['a2'], placeName: ['c'], narrative: ['a2'] },
      values: { households: 14, placeName: 'جبلة', narrative: 'وصلت عائلات إضافية' },
      conflicts: [],
    },
  ],
  [
    'two phones editing different fields at once both keep their edits',
    [
      create,
      ['a1', DEVICE_A, { households: 12 }, { households: ['c'] }, 1],
      ['b1', DEVICE_B, { placeName: 'جبلة - حي الجبيبات' }, { placeName: ['c'] }, 1],
    ],
    { heads: { households: ['a1'], placeName: ['b1'] }, values: { households: 12, placeName: 'جبلة - حي الجبيبات' }, conflicts: [] },
  ],
  [
    'two phones setting one field to different values is a conflict keeping both',
    [
      create,
      ['a1', DEVICE_A, { households: 12 }, { households: ['c'] }, 1],
      ['b1', DEVICE_B, { households: 20 }, { households: ['c'] }, 2],
    ],
    { heads: { households: ['a1', 'b1'], placeName: ['c'] }, values: { households: 20, placeName: 'جبلة' }, conflicts: ['households'] },
  ],
  [
    'two phones setting one field to the same value show one value with no conflict',
    [
      create,
      ['a1', DEVICE_A, { households: 12 }, { households: ['c'] }, 1],
      ['b1', DEVICE_B, { households: 12 }, { households: ['c'] }, 2],
    ],
    { heads: { households: ['a1', 'b1'], placeName: ['c'] }, values: { households: 12, placeName: 'جبلة' }, conflicts: [] },
  ],
  [
    'equal values written with keys in another order are still one value',
    [
      create,
      ['a1', DEVICE_A, { point: { lat: 35.36, lon: 35.92 } }, {}, 1],
      ['b1', DEVICE_B, { point: { lon: 35.92, lat: 35.36 } }, {}, 2],
    ],
    {
      heads: { households: ['c'], placeName: ['c'], point: ['a1', 'b1'] },
      values: { households: 10, placeName: 'جبلة', point: { lat: 35.36, lon: 35.92 } },
      conflicts: [],
    },
  ],
  [
    'first writes of a field on two phones, neither superseding anything, are a conflict',
    [create, ['a1', DEVICE_A, { shelter: 'camp' }, {}, 1], ['b1', DEVICE_B, { shelter: 'host_family' }, {}, 2]],
    {
      heads: { households: ['c'], placeName: ['c'], shelter: ['a1', 'b1'] },
      values: { households: 10, placeName: 'جبلة', shelter: 'host_family' },
      conflicts: ['shelter'],
    },
  ],
  [
    'an edit that supersedes both heads resolves the conflict',
    [
      create,
      ['a1', DEVICE_A, { households: 12 }, { households: ['c'] }, 1],
      ['b1', DEVICE_B, { households: 20 }, { households: ['c'] }, 2],
      ['k1', COORD, { households: 16 }, { households: ['a1', 'b1'] }, 3],
    ],
    { heads: { households: ['k1'], placeName: ['c'] }, values: { households: 16, placeName: 'جبلة' }, conflicts: [] },
  ],
  [
    'an edit that saw only one of two heads leaves the conflict open',
    [
      create,
      ['a1', DEVICE_A, { households: 12 }, { households: ['c'] }, 1],
      ['b1', DEVICE_B, { households: 20 }, { households: ['c'] }, 2],
      ['a2', DEVICE_A, { households: 13 }, { households: ['a1'] }, 3],
    ],
    { heads: { households: ['a2', 'b1'], placeName: ['c'] }, values: { households: 13, placeName: 'جبلة' }, conflicts: ['households'] },
  ],
  [
    'a phone whose clock is a year fast overwrites no one',
    [
      create,
      ['a1', DEVICE_A, { households: 12 }, { households: ['c'] }, 525_600],
      ['b1', DEVICE_B, { households: 20 }, { households: ['c'] }, 2],
    ],
    { heads: { households: ['a1', 'b1'], placeName: ['c'] }, values: { households: 12, placeName: 'جبلة' }, conflicts: ['households'] },
  ],
  [
    'an edit with an old clock that saw the newer version replaces it',
    [
      create,
      ['b1', DEVICE_B, { households: 20 }, { households: ['c'] }, 600],
      ['a1', DEVICE_A, { households: 12 }, { households: ['b1'] }, 1],
    ],
    { heads: { households: ['a1'], placeName: ['c'] }, values: { households: 12, placeName: 'جبلة' }, conflicts: [] },
  ],
  [
    'clearing a field removes it from the report',
    [create, ['a1', DEVICE_A, {}, { placeName: ['c'] }, 1]],
    { heads: { households: ['c'] }, values: { households: 10 }, conflicts: [] },
  ],
  [
    'a delete that saw everything removes every value without a conflict',
    [
      create,
      ['a1', DEVICE_A, { households: 12 }, { households: ['c'] }, 1],
      ['d', DEVICE_A, { deleted: true }, { households: ['a1'], placeName: ['c'] }, 2],
    ],
    { heads: { deleted: ['d'] }, values: {}, conflicts: [], deleted: true },
  ],
  [
    'an edit the delete did not see stays visible and makes the deletion a conflict',
    [
      create,
      ['d', DEVICE_A, { deleted: true }, { households: ['c'], placeName: ['c'] }, 2],
      ['b1', DEVICE_B, { households: 25 }, { households: ['c'] }, 1],
    ],
    { heads: { deleted: ['d'], households: ['b1'] }, values: { households: 25 }, conflicts: ['deleted'], deleted: true },
  ],
  [
    'two phones deleting at once is one deletion, not a conflict',
    [
      create,
      ['d1', DEVICE_A, { deleted: true }, { households: ['c'], placeName: ['c'] }, 1],
      ['d2', DEVICE_B, { deleted: true }, { households: ['c'], placeName: ['c'] }, 2],
    ],
    { heads: { deleted: ['d1', 'd2'] }, values: {}, conflicts: [], deleted: true },
  ],
];

describe('merge cases, in every delivery order', () => {
  test.each(CASES)('%s', (_name, rows, want) => {
    const ops = rows.map((r) => op(r));
    const state = mergeEveryOrder(ops);
    const view = viewOf(state);
    expect(headsOf(state)).toEqual(want.heads);
    expect(view.values).toEqual(want.values);
    expect(view.conflicts).toEqual(want.conflicts);
    expect(view.deleted).toBe(want.deleted ?? false);
    expect(view.type).toBe('displacement');
  });
});

describe('merge', () => {
  test('the newest head by clock is the one shown first, whatever arrived first', () => {
    const ops = [
      op(create),
      op(['a1', DEVICE_A, { households: 12 }, { households: ['c'] }, 5]),
      op(['b1', DEVICE_B, { households: 20 }, { households: ['c'] }, 3]),
    ];
    for (const order of permutations(ops)) {
      const s = mergeOps(REPORT, order);
      expect(s.fields.households!.heads.map((h) => labelOf(h.op))).toEqual(['a1', 'b1']);
      expect(viewOf(s).values.households).toBe(12);
    }
  });

  test('equal heads show as one value, but the next edit supersedes every head id', () => {
    const ops = [
      op(create),
      op(['a1', DEVICE_A, { households: 12 }, { households: ['c'] }, 1]),
      op(['b1', DEVICE_B, { households: 12 }, { households: ['c'] }, 2]),
    ];
    const s = mergeOps(REPORT, ops);
    expect(distinctHeads(s.fields.households)).toHaveLength(1);
    expect(s.fields.households!.heads).toHaveLength(2);
    const body = editBody(s, { households: 13 }, hlcAt(T0 + 600_000, 'a'));
    expect([...body.supersedes.households!].sort()).toEqual([id('a1'), id('b1')].sort());
    expect(body.changes).toEqual({ households: 13 });
  });

  test('an edit arriving before the op it supersedes never brings that op back', () => {
    const c = op(create);
    const old = op(['a1', DEVICE_A, { households: 12 }, { households: ['c'] }, 1]);
    const newer = op(['a2', DEVICE_A, { households: 14 }, { households: ['a1'] }, 2]);
    let s = mergeOps(REPORT, [c, newer]);
    expect(viewOf(s).values.households).toBe(14);
    // c's households and a1 arrive late, in either order
    s = applyOp(s, old);
    expect(headsOf(s).households).toEqual(['a2']);
    expect(viewOf(s).conflicts).toEqual([]);
    expect(viewOf(mergeOps(REPORT, [newer, old, c])).values.households).toBe(14);
    expect(headsOf(mergeOps(REPORT, [newer, old, c])).households).toEqual(['a2']);
  });

  test('a late op still brings the fields nobody superseded', () => {
    const c = op(create);
    const a1 = op(['a1', DEVICE_A, { households: 12, shelter: 'camp' }, { households: ['c'] }, 1]);
    const a2 = op(['a2', DEVICE_A, { households: 14 }, { households: ['a1'] }, 2]);
    const v = viewOf(mergeOps(REPORT, [c, a2, a1]));
    expect(v.values).toMatchObject({ households: 14, shelter: 'camp' });
  });

  test('the same op delivered twice changes nothing the second time', () => {
    const c = op(create);
    const a1 = op(['a1', DEVICE_A, { households: 12 }, { households: ['c'] }, 1]);
    const once = mergeOps(REPORT, [c, a1]);
    expect(applyOp(once, a1)).toBe(once);
    expect(mergeOps(REPORT, [c, a1, c, a1, a1])).toEqual(once);
  });

  test('an op of another report is not applied', () => {
    const s = mergeOps(REPORT, [op(create)]);
    const other = { ...op(['x1', DEVICE_A, { households: 99 }, {}, 1]), reportId: reportId('01957a3c-1f00-7000-8000-00000000f00d') };
    expect(applyOp(s, other)).toBe(s);
  });

  test('the type comes from the create op, and an edit cannot change it', () => {
    const c = op(create);
    const e = op(['a1', DEVICE_A, { type: 'damage', households: 11 }, { households: ['c'] }, 1], 'edit');
    for (const order of [
      [c, e],
      [e, c],
    ]) {
      const s = mergeOps(REPORT, order);
      expect(s.type).toBe('displacement');
      expect(viewOf(s).type).toBe('displacement');
      expect(viewOf(s).values).not.toHaveProperty('type');
      expect(s.fields).not.toHaveProperty('type');
    }
  });

  test('until the create op arrives the report has no type', () => {
    const e = op(['a1', DEVICE_A, { households: 11 }, { households: ['c'] }, 1]);
    expect(viewOf(mergeOps(REPORT, [e])).type).toBeUndefined();
  });

  test('a type this app does not know is kept as unknown, not dropped', () => {
    const c = op(['c9', DEVICE_A, { type: 'flood', placeName: 'اللاذقية' }, {}, 0]);
    const v = viewOf(mergeOps(REPORT, [c]));
    expect(v.type).toBeUndefined();
    expect(v.unknownType).toBe('flood');
  });

  test('two create ops for one report: the lower id decides the type on every replica', () => {
    const low = op(['c-low', DEVICE_A, { type: 'damage', placeName: 'بانياس' }, {}, 5]);
    const high = op(['c-high', DEVICE_B, { type: 'access_cut', placeName: 'بانياس' }, {}, 0]);
    expect(mergeOps(REPORT, [low, high]).type).toBe('damage');
    expect(mergeOps(REPORT, [high, low]).type).toBe('damage');
  });

  test('created and updated clocks come from the create op and the newest version', () => {
    const s = mergeOps(REPORT, [op(create), op(['a1', DEVICE_A, { households: 12 }, { households: ['c'] }, 7])]);
    const v = viewOf(s);
    expect(v.createdHlc).toBe(hlcAt(T0, nodeIdOf(DEVICE_A)));
    expect(v.updatedHlc).toBe(hlcAt(T0 + 7 * 60_000, nodeIdOf(DEVICE_A)));
  });
});

describe('editBody and deleteBody', () => {
  test('an edit supersedes exactly the heads the editor saw, field by field', () => {
    const s = mergeOps(REPORT, [op(create), op(['a1', DEVICE_A, { households: 12 }, { households: ['c'] }, 1])]);
    const body = editBody(s, { households: 15, shelter: 'camp' }, hlcAt(T0 + 120_000, 'a'));
    expect(body).toEqual({
      hlc: hlcAt(T0 + 120_000, 'a'),
      changes: { households: 15, shelter: 'camp' },
      supersedes: { households: [id('a1')] },
    });
  });

  test('an edit clearing a field supersedes its heads and writes nothing', () => {
    const s = mergeOps(REPORT, [op(create)]);
    const body = editBody(s, { placeName: undefined }, hlcAt(T0 + 60_000, 'a'));
    expect(body.changes).toEqual({});
    expect(body.supersedes).toEqual({ placeName: [id('c')] });
  });

  test('a delete supersedes every head of every field it saw', () => {
    const s = mergeOps(REPORT, [
      op(create),
      op(['a1', DEVICE_A, { households: 12 }, { households: ['c'] }, 1]),
      op(['b1', DEVICE_B, { households: 20, shelter: 'camp' }, { households: ['c'] }, 2]),
    ]);
    const body = deleteBody(s, hlcAt(T0 + 600_000, 'a'));
    expect(body.changes).toEqual({ deleted: true });
    expect(Object.fromEntries(Object.entries(body.supersedes).map(([f, ids]) => [f, ids.map(labelOf).sort()]))).toEqual({
      households: ['a1', 'b1'],
      placeName: ['c'],
      shelter: ['b1'],
    });
  });
});

describe('coordinator-only fields', () => {
  test.each([
    ['verification', 'verified'],
    ['duplicateOf', '01957a3c-1f00-7000-8000-00000000cafe'],
  ])('%s set by a monitor is ignored on every replica and listed for review', (field, value) => {
    const c = op(create);
    const m = op(['a1', DEVICE_A, { [field]: value, households: 12 }, { households: ['c'] }, 1]);
    for (const order of [
      [c, m],
      [m, c],
    ]) {
      const s = mergeOps(REPORT, order, coordinatorC);
      expect(viewOf(s).values).not.toHaveProperty(field);
      expect(viewOf(s).values.households).toBe(12);
      expect(s.ignored).toEqual([{ op: id('a1'), field }]);
    }
    // the author's own replica knows no coordinators at all and still ignores it
    expect(viewOf(mergeOps(REPORT, [c, m])).values).not.toHaveProperty(field);
  });

  test.each([
    ['verification', 'disputed'],
    ['duplicateOf', '01957a3c-1f00-7000-8000-00000000cafe'],
  ])('%s set by a coordinator in the roster is applied', (field, value) => {
    const s = mergeOps(REPORT, [op(create), op(['k1', COORD, { [field]: value }, {}, 1])], coordinatorC);
    expect(viewOf(s).values).toHaveProperty(field, value);
    expect(s.ignored).toEqual([]);
  });

  test('a save asks who is coordinator exactly when the answer changes what it merges to', () => {
    // A save that skips reading the roster must merge as one that read it: the op writer relies on this.
    const base = mergeOps(REPORT, [op(create), op(['k1', COORD, { verification: 'verified' }, {}, 1])], coordinatorC);
    const ops = [
      op(['k2', COORD, { households: 14 }, { households: ['c'] }, 2]),
      op(['k3', COORD, { verification: 'disputed' }, { verification: ['k1'] }, 2]),
      op(['k4', COORD, {}, { verification: ['k1'] }, 2]),
      op(['k5', COORD, { duplicateOf: '01957a3c-1f00-7000-8000-00000000cafe' }, {}, 2]),
      { ...op(['k6', COORD, {}, {}, 2]), body: deleteBody(base, hlcAt(T0 + 600_000, 'c')) },
    ];
    expect(ops.map(readsAuthority)).toEqual([false, true, true, true, true]);
    for (const o of ops) {
      const differs = JSON.stringify(applyOp(base, o, coordinatorC)) !== JSON.stringify(applyOp(base, o, noCoordinators));
      expect(differs).toBe(readsAuthority(o));
    }
  });

  test('the same coordinator op is ignored where the roster does not list its device as coordinator', () => {
    const ops = [op(create), op(['k1', COORD, { verification: 'verified' }, {}, 1])];
    expect(viewOf(mergeOps(REPORT, ops, () => false)).values).not.toHaveProperty('verification');
    expect(viewOf(mergeOps(REPORT, ops, coordinatorC)).values).toHaveProperty('verification', 'verified');
  });

  test('a monitor cannot supersede a coordinator verification either', () => {
    const ops = [op(create), op(['k1', COORD, { verification: 'verified' }, {}, 1]), op(['a1', DEVICE_A, {}, { verification: ['k1'] }, 2])];
    const s = mergeOps(REPORT, ops, coordinatorC);
    expect(viewOf(s).values.verification).toBe('verified');
  });

  test('a monitor deleting a report a coordinator had verified leaves it deleted without a conflict', () => {
    let s = mergeOps(REPORT, [op(create), op(['k1', COORD, { verification: 'verified' }, {}, 1])], coordinatorC);
    const del: Op = {
      v: 1,
      id: id('a-del'),
      kind: 'edit',
      reportId: REPORT,
      device: DEVICE_A,
      deviceSeq: 2,
      body: deleteBody(s, hlcAt(T0 + 600_000, 'a')),
    };
    s = applyOp(s, del, coordinatorC);
    const v = viewOf(s);
    expect(v.deleted).toBe(true);
    // the delete saw every version there was: nothing concurrent survives it
    expect(v.conflicts).toEqual([]);
  });

  test("a monitor's ordinary delete of a verified report is not listed as a forbidden change", () => {
    let s = mergeOps(REPORT, [op(create), op(['k1', COORD, { verification: 'verified' }, {}, 1])], coordinatorC);
    const del: Op = {
      v: 1,
      id: id('a-del2'),
      kind: 'edit',
      reportId: REPORT,
      device: DEVICE_A,
      deviceSeq: 2,
      body: deleteBody(s, hlcAt(T0 + 600_000, 'a')),
    };
    s = applyOp(s, del, coordinatorC);
    expect(s.ignored).toEqual([]);
  });

  test('a coordinator edit the delete did not see makes the deletion a conflict', () => {
    const ops = [
      op(create),
      op(['k-households', COORD, { households: 11 }, { households: ['c'] }, 2]),
      op(['a-del-seen-c', DEVICE_A, { deleted: true }, { households: ['c'], placeName: ['c'] }, 3]),
    ];
    const v = viewOf(mergeEveryOrder(ops, coordinatorC));
    expect(v.deleted).toBe(true);
    expect(v.conflicts).toEqual(['deleted']);
  });

  test('a coordinator verification the delete did not see makes the deletion a conflict', () => {
    const ops = [
      op(create),
      op(['k-verify-concurrent', COORD, { verification: 'verified' }, {}, 2]),
      op(['a-del-concurrent', DEVICE_A, { deleted: true }, { households: ['c'], placeName: ['c'] }, 3]),
    ];
    const v = viewOf(mergeEveryOrder(ops, coordinatorC));
    expect(v.deleted).toBe(true);
    // the delete never saw the verification: a concurrent edit, so a conflict, not a silent loss
    expect(v.conflicts).toEqual(['deleted']);
  });

  test('the list of ignored changes is the same whatever order the ops arrive in', () => {
    const ops = [
      op(create),
      op(['m1', DEVICE_A, { verification: 'verified' }, {}, 1]),
      op(['m2', DEVICE_B, { duplicateOf: REPORT }, {}, 2]),
    ];
    const reference = mergeOps(REPORT, ops);
    for (const order of permutations(ops)) expect(mergeOps(REPORT, order).ignored).toEqual(reference.ignored);
  });
});

// ----- property: simulated phones, each with its own replica, random delivery -----

type Value = { cls: string; value: unknown };
/** Small value sets so equal values and conflicts both come up; `cls` names equal values. */
const VALUES: Partial<Record<FieldName, Value[]>> = {
  households: [
    { cls: 'h1', value: 1 },
    { cls: 'h2', value: 2 },
    { cls: 'h3', value: 3 },
  ],
  placeName: [
    { cls: 'p-jableh', value: 'جبلة' },
    { cls: 'p-banyas', value: 'بانياس' },
  ],
  point: [
    { cls: 'pt1', value: { lat: 35.36, lon: 35.92 } },
    { cls: 'pt1', value: { lon: 35.92, lat: 35.36 } },
    { cls: 'pt2', value: { lat: 35.18, lon: 35.95, accuracy: 30 } },
  ],
  eventDate: [
    { cls: 'd1', value: { precision: 'exact', date: '2025-03-07' } },
    { cls: 'd1', value: { date: '2025-03-07', precision: 'exact' } },
    { cls: 'd2', value: { precision: 'range', date: '2025-03-06', end: '2025-03-09' } },
  ],
  shelter: [
    { cls: 's-camp', value: 'camp' },
    { cls: 's-host', value: 'host_family' },
  ],
};
const PROP_FIELDS = Object.keys(VALUES) as FieldName[];
/** Only the last simulated phone is a coordinator; everyone may try to set verification. */
const COORDINATOR_VALUES: Partial<Record<FieldName, Value[]>> = {
  verification: [
    { cls: 'v-verified', value: 'verified' },
    { cls: 'v-disputed', value: 'disputed' },
  ],
};
const valuesOf = (f: FieldName) => VALUES[f] ?? COORDINATOR_VALUES[f]!;

/** Op histories over the given fields: a change is a field and the index of its value, or null to clear it. */
function historyArb(fields: FieldName[]) {
  const changeArb = fc.tuple(fc.constantFrom(...fields), fc.option(fc.nat({ max: 2 }), { freq: 5 }));
  const writeArb = fc.record({
    kind: fc.constant('write' as const),
    device: fc.nat({ max: 3 }),
    // about one write in twenty is a delete
    del: fc.integer({ min: 0, max: 19 }).map((r) => r === 0),
    changes: fc.uniqueArray(changeArb, { minLength: 1, maxLength: 3, selector: (c) => c[0] }),
    clockStep: fc.integer({ min: -120_000, max: 120_000 }),
  });
  const deliverArb = fc.record({
    kind: fc.constant('deliver' as const),
    from: fc.nat({ max: 3 }),
    to: fc.nat({ max: 3 }),
    picks: fc.array(fc.boolean(), { minLength: 1, maxLength: 24 }),
    reversed: fc.boolean(),
  });
  return fc.record({
    devices: fc.integer({ min: 2, max: 4 }),
    initial: fc.uniqueArray(
      changeArb.filter(([f, v]) => v !== null && f in VALUES),
      { maxLength: 3, selector: (c) => c[0] },
    ),
    /** Which phones received the new report before the history starts. */
    hasReport: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    actions: fc.array(fc.oneof({ weight: 5, arbitrary: writeArb }, { weight: 3, arbitrary: deliverArb }), {
      minLength: 1,
      maxLength: 40,
      size: 'medium',
    }),
    seed: fc.integer(),
  });
}
const plainHistories = historyArb(PROP_FIELDS);
const coordinatorHistories = historyArb([...PROP_FIELDS, 'verification']);
type History = { devices: number; initial: [FieldName, number | null][]; hasReport: boolean[]; actions: Action[]; seed: number };
const deviceName = (i: number) => deviceId(`phone-${i}-sim0000`);
/** In coordinator histories the last phone is the roster's coordinator. */
const lastIsCoordinator =
  (h: History): Authority =>
  (d) =>
    d === deviceName(h.devices - 1);

interface Device {
  name: DeviceId;
  known: Map<string, Op>;
  state: MergedState;
  clock: Hlc;
  wall: number;
  seq: number;
}

/** What the simulation itself recorded about each op, independent of the op's supersedes lists. */
interface Written {
  op: Op;
  /** Ids of every op the author's replica held when it wrote this one. */
  seen: Set<string>;
  /** Fields this op replaces what it saw of; 'all' for a delete. */
  touches: Set<string> | 'all';
  /** The versions this op writes: field → value and its equality class. */
  versions: Map<string, Value>;
}

function simulate(h: History, authority?: Authority) {
  const rnd = seededRandom(h.seed);
  const random = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
  const devices: Device[] = Array.from({ length: h.devices }, (_, i) => ({
    name: deviceName(i),
    known: new Map(),
    state: emptyState(REPORT),
    clock: { wall: 0, counter: 0, node: `p${i}` },
    wall: T0 + i * 7_000,
    seq: 0,
  }));
  const written: Written[] = [];
  const receiveOp = (d: Device, o: Op) => {
    if (d.known.has(o.id)) return;
    d.known.set(o.id, o);
    d.state = applyOp(d.state, o, authority);
  };
  const write = (
    d: Device,
    kind: OpKind,
    makeBody: (hlc: string) => Op['body'],
    touches: Written['touches'],
    versions: Written['versions'],
  ) => {
    d.clock = tick(d.clock, d.wall);
    const o: Op = {
      v: 1,
      id: newOpId(d.wall, random),
      kind,
      reportId: REPORT,
      device: d.name,
      deviceSeq: ++d.seq,
      body: makeBody(encodeHlc(d.clock)),
    };
    written.push({ op: o, seen: new Set(d.known.keys()), touches, versions });
    receiveOp(d, o);
  };

  // phone 0 creates the report
  const first = devices[0]!;
  const initial = new Map(h.initial.map(([f, i]) => [f, valuesOf(f)[i! % valuesOf(f).length]!]));
  write(
    first,
    'create',
    (hlc) => ({
      hlc,
      changes: { type: 'displacement', ...Object.fromEntries([...initial].map(([f, v]) => [f, v.value])) },
      supersedes: {},
    }),
    new Set(),
    initial,
  );

  for (const d of devices) if (h.hasReport[devices.indexOf(d)]) receiveOp(d, written[0]!.op);

  for (const a of h.actions) {
    if (a.kind === 'write') {
      const d = devices[a.device % devices.length]!;
      // a phone can only edit a report it holds
      if (d.state.created === undefined) continue;
      d.wall += a.clockStep;
      if (a.del) {
        write(d, 'edit', (hlc) => deleteBody(d.state, hlc), 'all', new Map([['deleted', { cls: 'deleted', value: true }]]));
      } else {
        const chosen = a.changes.map(([f, i]) => [f, i === null ? undefined : valuesOf(f)[i % valuesOf(f).length]!] as const);
        const changes = Object.fromEntries(chosen.map(([f, v]) => [f, v?.value]));
        const versions = new Map(chosen.filter((c): c is readonly [FieldName, Value] => c[1] !== undefined));
        write(d, 'edit', (hlc) => editBody(d.state, changes, hlc), new Set(chosen.map(([f]) => f)), versions);
      }
    } else {
      const from = devices[a.from % devices.length]!;
      const to = devices[a.to % devices.length]!;
      const ops = [...from.known.values()];
      if (a.reversed) ops.reverse();
      ops.forEach((o, i) => {
        if (a.picks[i % a.picks.length]) receiveOp(to, o);
      });
    }
  }
  return { devices, written, rnd };
}
type Action =
  | { kind: 'write'; device: number; del: boolean; changes: [FieldName, number | null][]; clockStep: number }
  | { kind: 'deliver'; from: number; to: number; picks: boolean[]; reversed: boolean };

/** The expected report, from what each phone had seen when it wrote. */
function expected(written: Written[]) {
  const survivors = new Map<string, { op: string; v: Value }[]>();
  for (const w of written) {
    for (const [field, v] of w.versions) {
      const superseded = written.some((p) => p.seen.has(w.op.id) && (p.touches === 'all' || p.touches.has(field)));
      if (superseded) continue;
      survivors.set(field, [...(survivors.get(field) ?? []), { op: w.op.id, v }]);
    }
  }
  const conflicts = [...survivors].filter(([, vs]) => new Set(vs.map((x) => x.v.cls)).size >= 2).map(([f]) => f);
  const deleted = (survivors.get('deleted')?.length ?? 0) > 0;
  if (deleted && [...survivors.keys()].some((f) => f !== 'deleted')) conflicts.push('deleted');
  return { survivors, conflicts: conflicts.sort(), deleted };
}

function shuffledWithRepeats<T>(xs: T[], rnd: () => number): T[] {
  const out = [...xs, ...xs.filter(() => rnd() < 0.3)];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function headIds(s: MergedState): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(s.fields)
      .filter(([, f]) => f.heads.length > 0)
      .map(([name, f]) => [name, f.heads.map((h) => h.op).sort()]),
  );
}

describe('merge over simulated phones (property)', () => {
  test.each([
    ['monitors only', plainHistories, (_h: History) => noCoordinators],
    ['a coordinator and monitors setting verification', coordinatorHistories, lastIsCoordinator],
  ] as const)(
    'every order and duplication of the same ops gives the same report and the same heads (%s)',
    (_who, histories, authorityOf) => {
      fc.assert(
        fc.property(histories, (h) => {
          const authority = authorityOf(h);
          const { written, devices, rnd } = simulate(h, authority);
          const all = written.map((w) => w.op);
          for (const w of all) expect(opSchema.safeParse(w).success).toBe(true);
          const reference = mergeOps(REPORT, all, authority);
          for (let k = 0; k < 4; k++) {
            const s = mergeOps(REPORT, shuffledWithRepeats(all, rnd), authority);
            expect(viewOf(s)).toEqual(viewOf(reference));
            expect(headIds(s)).toEqual(headIds(reference));
            expect(s).toEqual(reference);
          }
          // each phone, once it holds every op (delivered on top of what it already had), shows the same report
          for (const d of devices) {
            for (const o of shuffledWithRepeats(all, rnd)) d.state = applyOp(d.state, o, authority);
            expect(viewOf(d.state)).toEqual(viewOf(reference));
            expect(headIds(d.state)).toEqual(headIds(reference));
            expect(d.state.ignored).toEqual(reference.ignored);
          }
        }),
        { numRuns: 200 },
      );
    },
  );

  test('verification set or cleared by monitors changes nothing: it is what the coordinator alone made it', () => {
    fc.assert(
      fc.property(coordinatorHistories, (h) => {
        const authority = lastIsCoordinator(h);
        const all = simulate(h, authority).written.map((w) => w.op);
        // The same history with every monitor's attempt at verification taken out of its ops.
        const coordinatorOnly = all.map((o) => {
          if (authority(o.device, o.deviceSeq)) return o;
          const { verification: _c, ...changes } = o.body.changes;
          const { verification: _s, ...supersedes } = o.body.supersedes;
          return { ...o, body: { ...o.body, changes, supersedes } };
        });
        const withMonitors = viewOf(mergeOps(REPORT, all, authority));
        const without = viewOf(mergeOps(REPORT, coordinatorOnly, authority));
        expect(withMonitors.values.verification).toEqual(without.values.verification);
        expect(withMonitors.conflicts.includes('verification')).toBe(without.conflicts.includes('verification'));
      }),
      { numRuns: 200 },
    );
  });

  test('the conflicts are exactly the fields whose unsuperseded versions hold two or more distinct values', () => {
    fc.assert(
      fc.property(plainHistories, (h) => {
        const { written } = simulate(h);
        const state = mergeOps(
          REPORT,
          written.map((w) => w.op),
        );
        const view = viewOf(state);
        const want = expected(written);
        expect(view.conflicts).toEqual(want.conflicts);
        expect(view.deleted).toBe(want.deleted);
        expect(headIds(state)).toEqual(Object.fromEntries([...want.survivors].map(([f, vs]) => [f, vs.map((x) => x.op).sort()])));
        for (const f of PROP_FIELDS) {
          const vs = want.survivors.get(f) ?? [];
          if (vs.length === 0) expect(view.values).not.toHaveProperty(f);
          else if (!want.conflicts.includes(f)) expect(view.values[f]).toEqual(vs[0]!.v.value);
          else expect(vs.map((x) => x.v.value)).toContainEqual(view.values[f]);
        }
        expect(view.type).toBe('displacement');
      }),
      { numRuns: 200 },
    );
  });
});

// ----- photos: one register per original, adds win over removals that did not see them -----

/** An invented photo: its original's hash from `n`, a sealed blob of the size that follows from its own. */
function photo(n: number, at = '2025-03-08T08:55:00.000Z'): Attachment {
  const bytes = 1_200_000 + n;
  return {
    sha256: n.toString(16).padStart(64, 'a'),
    bytes,
    mime: 'image/jpeg',
    capturedAt: at,
    blob: { sha256: n.toString(16).padStart(64, 'b'), bytes: sealedBlobSize(bytes) },
    key: 'k'.repeat(43),
  };
}

/** An edit of the report that adds and removes photos, the removals naming the adds by label. */
function photoOp(label: string, device: DeviceId, add: Attachment[], detach: Record<string, string[]> = {}, minute?: number): Op {
  const o = op([label, device, {}, {}, minute]);
  o.body = {
    ...o.body,
    ...(add.length && { attachments: add }),
    ...(Object.keys(detach).length && { detach: Object.fromEntries(Object.entries(detach).map(([sha, ls]) => [sha, ls.map(id)])) }),
  };
  expect(opSchema.safeParse(o).success).toBe(true);
  return o;
}

const shown = (s: MergedState) => attachmentsOf(s).map((p) => `${p.attachment.sha256.slice(-2)}@${labelOf(p.op)}`);

describe('photos (attachments)', () => {
  test('photos added on two devices while apart are both kept, with no conflict, in every order', () => {
    const s = mergeEveryOrder([op(create), photoOp('pa', DEVICE_A, [photo(1)]), photoOp('pb', DEVICE_B, [photo(2), photo(3)])]);
    expect(shown(s)).toEqual(['a1@pa', 'a2@pb', 'a3@pb']);
    expect(viewOf(s).conflicts).toEqual([]);
    expect(viewOf(s).attachments?.map((p) => p.device)).toEqual([DEVICE_A, DEVICE_B, DEVICE_B]);
  });

  test('the same photo added on two devices is one photo', () => {
    const s = mergeEveryOrder([op(create), photoOp('pa', DEVICE_A, [photo(1)], {}, 5), photoOp('pb', DEVICE_B, [photo(1)], {}, 6)]);
    // The add shown is the newer, as for field versions; either opens the same original.
    expect(shown(s)).toEqual(['a1@pb']);
  });

  test('a photo removed after its add is gone, and a late add of it that the removal had not seen brings it back', () => {
    const p = photo(1);
    const removed = [op(create), photoOp('pa', DEVICE_A, [p]), photoOp('ra', DEVICE_A, [], { [p.sha256]: ['pa'] })];
    expect(shown(mergeEveryOrder(removed))).toEqual([]);
    expect(viewOf(mergeOps(REPORT, removed)).attachments).toBeUndefined();
    // Device B added the same photo while apart: its add wins over a removal that never saw it.
    const s = mergeEveryOrder([...removed, photoOp('pb', DEVICE_B, [p])]);
    expect(shown(s)).toEqual(['a1@pb']);
  });

  test('a removal that arrives before the add it names keeps that add from ever showing', () => {
    const p = photo(4);
    const remove = photoOp('r4', DEVICE_B, [], { [p.sha256]: ['p4'] });
    const add = photoOp('p4', DEVICE_A, [p]);
    let s = applyOp(emptyState(REPORT), op(create));
    s = applyOp(s, remove);
    expect(shown(s)).toEqual([]);
    s = applyOp(applyOp(s, add), add);
    expect(shown(s)).toEqual([]);
  });

  test("an edit's photo changes remove exactly the adds the writer saw, and leave the fields alone", () => {
    const s = mergeOps(REPORT, [op(create), photoOp('pa', DEVICE_A, [photo(1)]), photoOp('pb', DEVICE_B, [photo(1), photo(2)])]);
    const body = {
      ...editBody(s, {}, hlcAt(T0 + 3_600_000, 'x')),
      ...attachmentChanges(s, { add: [photo(3)], remove: [photo(1).sha256, photo(9).sha256] }),
    };
    expect(opBodySchema.safeParse(body).success).toBe(true);
    expect(body.attachments?.map((a) => a.sha256)).toEqual([photo(3).sha256]);
    expect(body.detach).toEqual({ [photo(1).sha256]: [id('pb'), id('pa')] });
    const after = applyOp(s, { ...op(['e', DEVICE_A, {}]), body });
    expect(shown(after)).toEqual(['a2@pb', 'a3@e']);
    expect(viewOf(after).values).toEqual(viewOf(s).values);
  });

  test('photos are listed in the order they were taken', () => {
    const s = mergeOps(REPORT, [
      op(create),
      photoOp('p', DEVICE_A, [photo(1, '2025-03-08T10:00:00.000Z'), photo(2, '2025-03-08T09:00:00.000Z')]),
    ]);
    expect(shown(s)).toEqual(['a2@p', 'a1@p']);
  });

  test('a body naming a photo wrongly is refused: a blob of another size, the same photo twice, too many, an empty removal', () => {
    const body = (extra: Partial<Op['body']>) => ({ hlc: hlcAt(T0, 'x'), changes: {}, supersedes: {}, ...extra });
    const ok = (extra: Partial<Op['body']>) => opBodySchema.safeParse(body(extra)).success;
    expect(ok({ attachments: [photo(1)] })).toBe(true);
    expect(ok({ attachments: [{ ...photo(1), blob: { ...photo(1).blob, bytes: photo(1).blob.bytes + 1 } }] })).toBe(false);
    expect(ok({ attachments: [photo(1), photo(1)] })).toBe(false);
    expect(ok({ attachments: Array.from({ length: 33 }, (_, i) => photo(i)) })).toBe(false);
    expect(ok({ attachments: [{ ...photo(1), key: 'short' }] })).toBe(false);
    expect(ok({ attachments: [{ ...photo(1), mime: 'image/svg+xml' as 'image/jpeg' }] })).toBe(false);
    expect(ok({ detach: { [photo(1).sha256]: [] } })).toBe(false);
    expect(ok({ detach: { ['A'.repeat(64)]: [id('pa')] } })).toBe(false);
  });

  test('property: a photo shows exactly when some add of it was named by no removal, whatever the order', () => {
    const opArb = fc.record({
      device: fc.constantFrom(DEVICE_A, DEVICE_B, COORD),
      add: fc.uniqueArray(fc.nat({ max: 4 }), { maxLength: 3 }),
      /** Each removal names a photo and some of the adds made before it. */
      remove: fc.uniqueArray(fc.tuple(fc.nat({ max: 4 }), fc.array(fc.nat(), { maxLength: 3 })), { maxLength: 2, selector: (r) => r[0] }),
    });
    fc.assert(
      fc.property(
        fc.array(opArb, { minLength: 1, maxLength: 10 }),
        fc.array(fc.nat(), { minLength: 10, maxLength: 10 }),
        (rows, shuffle) => {
          const adds: { label: string; n: number }[] = [];
          const named = new Set<string>();
          const ops = rows.map((r, i) => {
            const label = `prop-${i}-${rows.length}-${r.add.join('.')}-${r.remove.map((x) => x[0]).join('.')}`;
            const detach: Record<string, string[]> = {};
            for (const [n, picks] of r.remove) {
              const earlier = adds.filter((a) => a.n === n);
              const seen = [...new Set(picks.map((k) => earlier[k % Math.max(1, earlier.length)]?.label).filter((l) => l !== undefined))];
              if (seen.length) detach[photo(n).sha256] = seen;
              for (const l of seen) named.add(`${n}:${l}`);
            }
            const o = photoOp(
              label,
              r.device,
              r.add.map((n) => photo(n)),
              detach,
              i,
            );
            for (const n of r.add) adds.push({ label, n });
            return o;
          });
          const want = [...new Set(adds.filter((a) => !named.has(`${a.n}:${a.label}`)).map((a) => photo(a.n).sha256))].sort();
          const inOrder = mergeOps(REPORT, ops);
          expect(
            attachmentsOf(inOrder)
              .map((p) => p.attachment.sha256)
              .sort(),
          ).toEqual(want);
          const shuffled = [...ops].sort((a, b) => (shuffle[ops.indexOf(a)]! % 7) - (shuffle[ops.indexOf(b)]! % 7));
          expect(attachmentsOf(mergeOps(REPORT, [...shuffled, ...shuffled]))).toEqual(attachmentsOf(inOrder));
        },
      ),
      { numRuns: 200 },
    );
  });
});
