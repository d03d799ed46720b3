/**
 * The push rules as a pure function: which answer an op gets, and whether it is stored, given what
 * the store holds. No database here; push.test.ts runs the same rules through both dialects.
 */
import { describe, expect, it } from 'vitest';
import { decide, REJECT, RETRY, type Caller, type HeldOp, type HeldState, type IncomingOp } from '../../../src/server/store/rules.ts';
import { COORDINATOR, MONITOR_A, MONITOR_B, newId, op } from './dialects.ts';

const monitorA: Caller = { device: MONITOR_A, role: 'monitor' };
const coordinator: Caller = { device: COORDINATOR, role: 'coordinator' };

function holding(state: Partial<{ slots: Record<string, HeldOp>; ids: string[]; owners: Record<string, string>; roles: Record<string, 'monitor' | 'coordinator'>; watermarks: Record<string, number> }>): HeldState {
  return {
    atSlot: (device, seq) => state.slots?.[`${device}:${seq}`],
    holdsId: (id) => state.ids?.includes(id) ?? false,
    ownerOf: (reportId) => state.owners?.[reportId],
    roleOf: (device) => state.roles?.[device] ?? 'monitor',
    watermarkOf: (device) => state.watermarks?.[device] ?? 0,
  };
}

const heldAs = (o: IncomingOp, status: 'ok' | 'rejected' = 'ok', rejectReason: string | null = null): HeldOp => ({
  id: o.header.id,
  v: o.header.v,
  kind: o.header.kind,
  reportId: o.header.reportId,
  body: o.body,
  sig: o.sig ?? null,
  status,
  rejectReason,
});

describe('deciding one pushed op', () => {
  const report = newId();
  const edit = op(MONITOR_A, 5, 'edit', report);

  it.each([
    ['the owner edits its report', monitorA, holding({ owners: { [report]: MONITOR_A } }), { answer: 'ack', store: true }],
    ['another monitor owns the report', monitorA, holding({ owners: { [report]: MONITOR_B } }), { answer: 'rejected', reason: REJECT.notReportOwner, store: true }],
    ['no create yet, ops 1..3 decided, 4 still open', monitorA, holding({ watermarks: { [MONITOR_A]: 3 } }), { answer: 'retry', reason: RETRY.createPending, store: false }],
    ['no create yet and ops 1..4 all decided', monitorA, holding({ watermarks: { [MONITOR_A]: 4 } }), { answer: 'rejected', reason: REJECT.notReportOwner, store: true }],
    ['a coordinator relays it; the author is a monitor with no create', coordinator, holding({ watermarks: { [MONITOR_A]: 4 } }), { answer: 'rejected', reason: REJECT.notReportOwner, store: true }],
    ['a coordinator relays it; the roster says the author is a coordinator', coordinator, holding({ roles: { [MONITOR_A]: 'coordinator' } }), { answer: 'ack', store: true }],
    ['its slot holds it already', monitorA, holding({ slots: { [`${MONITOR_A}:5`]: heldAs(edit) } }), { answer: 'ack', store: false }],
    ['its slot holds it, rejected', monitorA, holding({ slots: { [`${MONITOR_A}:5`]: heldAs(edit, 'rejected', REJECT.notReportOwner) } }), { answer: 'rejected', reason: REJECT.notReportOwner, store: false }],
    ['its slot holds another op', monitorA, holding({ slots: { [`${MONITOR_A}:5`]: { ...heldAs(edit), id: newId() } } }), { answer: 'rejected', reason: REJECT.seqTaken, store: false }],
    ['its id is held at another slot', monitorA, holding({ ids: [edit.header.id], owners: { [report]: MONITOR_A } }), { answer: 'rejected', reason: REJECT.idReused, store: true }],
  ] as const)('an edit when %s', (_, caller, held, expected) => {
    expect(decide(edit, caller, held)).toMatchObject(expected);
  });

  it('a newer format version is refused for retry before anything else is looked at', () => {
    const future = op(MONITOR_B, 1, 'desk', 'x');
    (future.header as { v: number }).v = 2;
    expect(decide(future, monitorA, holding({}))).toEqual({ answer: 'retry', reason: RETRY.unknownVersion, store: false });
  });

  it("a monitor's op for another device is rejected without looking at, or storing into, that device's slot", () => {
    const forged = op(MONITOR_B, 1, 'create', newId());
    const held = holding({ slots: { [`${MONITOR_B}:1`]: heldAs(forged) } });
    expect(decide(forged, monitorA, held)).toEqual({ answer: 'rejected', reason: REJECT.notOwnDevice, store: false });
  });
});
