/**
 * The push rules as a pure function: which answer an op gets, and whether it is stored, given what
 * the store holds. No database here; push.test.ts runs the same rules through both dialects.
 */
import { describe, expect, it } from 'vitest';
import type { DeviceId } from '../../../src/domain/ids.ts';
import { canonicalJson } from '../../../src/domain/canonical-json.ts';
import type { Authorship } from '../../../src/server/store/authorship.ts';
import {
  blobsText,
  decide,
  REJECT,
  RETRY,
  type Caller,
  type HeldOp,
  type HeldState,
  type PushedOp,
} from '../../../src/server/store/rules.ts';
import { COORDINATOR, MONITOR_A, MONITOR_B, newId, op } from './dialects.ts';
import { opId } from '../../ids.ts';

const monitorA: Caller = { device: MONITOR_A, role: 'monitor' };
/** Authorship as the base finds it for an honest op: proven when sealed, in clear otherwise. */
const shown = (o: PushedOp): Authorship => (o.header.v === 2 ? 'proven' : 'clear');
const coordinator: Caller = { device: COORDINATOR, role: 'coordinator' };

function holding(
  state: Partial<{
    slots: Record<string, HeldOp>;
    ids: string[];
    owners: Record<string, DeviceId>;
    roles: Record<string, 'monitor' | 'coordinator'>;
    watermarks: Record<string, number>;
    sealedOnly: boolean;
  }>,
): HeldState {
  return {
    sealedOnly: state.sealedOnly ?? false,
    atSlot: (device, seq) => state.slots?.[`${device}:${seq}`],
    holdsId: (id) => state.ids?.includes(id) ?? false,
    ownerOf: (reportId) => state.owners?.[reportId],
    roleOf: (device) => state.roles?.[device] ?? 'monitor',
    watermarkOf: (device) => state.watermarks?.[device] ?? 0,
  };
}

const heldAs = (o: PushedOp, status: 'ok' | 'rejected' = 'ok', rejectReason: string | null = null): HeldOp => ({
  id: o.header.id,
  v: o.header.v,
  kind: o.header.kind,
  reportId: o.header.reportId,
  body: o.body,
  sig: o.sig ?? null,
  blobs: blobsText(o.blobs),
  status,
  rejectReason,
});

describe('deciding one pushed op', () => {
  const report = newId();
  const edit = op(MONITOR_A, 5, 'edit', report);

  it.each([
    ['the owner edits its report', monitorA, holding({ owners: { [report]: MONITOR_A } }), { answer: 'ack', store: true }],
    [
      'another monitor owns the report',
      monitorA,
      holding({ owners: { [report]: MONITOR_B } }),
      { answer: 'rejected', reason: REJECT.notReportOwner, store: true },
    ],
    [
      'no create yet, ops 1..3 decided, 4 still open',
      monitorA,
      holding({ watermarks: { [MONITOR_A]: 3 } }),
      { answer: 'retry', reason: RETRY.createPending, store: false },
    ],
    [
      'no create yet and ops 1..4 all decided',
      monitorA,
      holding({ watermarks: { [MONITOR_A]: 4 } }),
      { answer: 'rejected', reason: REJECT.notReportOwner, store: true },
    ],
    [
      'a coordinator relays it; the author is a monitor with no create',
      coordinator,
      holding({ watermarks: { [MONITOR_A]: 4 } }),
      { answer: 'rejected', reason: REJECT.notReportOwner, store: true },
    ],
    [
      'a coordinator relays it; the roster says the author is a coordinator',
      coordinator,
      holding({ roles: { [MONITOR_A]: 'coordinator' } }),
      { answer: 'ack', store: true },
    ],
    ['its slot holds it already', monitorA, holding({ slots: { [`${MONITOR_A}:5`]: heldAs(edit) } }), { answer: 'ack', store: false }],
    [
      'its slot holds it, rejected',
      monitorA,
      holding({ slots: { [`${MONITOR_A}:5`]: heldAs(edit, 'rejected', REJECT.notReportOwner) } }),
      { answer: 'rejected', reason: REJECT.notReportOwner, store: false },
    ],
    [
      'its slot holds another op',
      monitorA,
      holding({ slots: { [`${MONITOR_A}:5`]: { ...heldAs(edit), id: opId(newId()) } } }),
      { answer: 'rejected', reason: REJECT.seqTaken, store: false },
    ],
    [
      'its id is held at another slot',
      monitorA,
      holding({ ids: [edit.header.id], owners: { [report]: MONITOR_A } }),
      { answer: 'rejected', reason: REJECT.idReused, store: true },
    ],
  ] as const)('an edit when %s', (_, caller, held, expected) => {
    expect(decide(edit, caller, held, shown(edit))).toMatchObject(expected);
  });

  it('a newer format version is refused for retry before anything else is looked at', () => {
    const future = op(MONITOR_B, 1, 'desk', 'x');
    (future.header as { v: number }).v = 3;
    expect(decide(future, monitorA, holding({}), shown(future))).toEqual({ answer: 'retry', reason: RETRY.unknownVersion, store: false });
  });

  it("a monitor's op for another device is rejected without looking at, or storing into, that device's slot", () => {
    const forged = op(MONITOR_B, 1, 'create', newId());
    const held = holding({ slots: { [`${MONITOR_B}:1`]: heldAs(forged) } });
    expect(decide(forged, monitorA, held, shown(forged))).toEqual({ answer: 'rejected', reason: REJECT.notOwnDevice, store: false });
  });
});

// Shapes only: the rules never open a seal nor check a signature, so made-up base64url will do.
const KID = 'kid-AAAAAAAA';
const sealedText = (to = 1) =>
  canonicalJson({
    ct: 'Y2lwaGVydGV4dC1hbmQtdGFn',
    from: KID,
    iv: 'aXYtMTItYnl0ZXMA',
    to: Array.from({ length: to }, () => ({ k: KID, w: 'w'.repeat(54) })),
    v: 2,
  });
const SIG = `${'s'.repeat(85)}g`;

/** A version-2 op as it would arrive: the header says 2, body and sig as given. */
function v2(device: string, deviceSeq: number, kind: PushedOp['header']['kind'], reportId: string, body: string, sig?: string): PushedOp {
  const o = op(device, deviceSeq, kind, reportId, { body, ...(sig !== undefined && { sig }) });
  return { ...o, header: { ...o.header, v: 2 } };
}

describe('deciding a version-2 op', () => {
  const report = newId();
  const clearBody = JSON.stringify({ hlc: '1', changes: { narrative: 'in clear' }, supersedes: {} });

  it.each([
    ['a sealed create', monitorA, v2(MONITOR_A, 1, 'create', report, sealedText()), { answer: 'ack', store: true, owner: true }],
    [
      'a sealed desk op of a coordinator',
      coordinator,
      v2(COORDINATOR, 1, 'desk', 'partners', sealedText(3)),
      { answer: 'ack', store: true, owner: false },
    ],
    [
      'a signed deployment op of a coordinator',
      coordinator,
      v2(COORDINATOR, 1, 'deployment', 'roster', clearBody, SIG),
      { answer: 'ack', store: true, owner: false },
    ],
  ] as const)('%s is acknowledged and stored', (_, caller, sent, expected) => {
    expect(decide(sent, caller, holding({}), shown(sent))).toEqual(expected);
  });

  it.each([
    ['a clear body', v2(MONITOR_A, 1, 'create', report, clearBody)],
    ['a body that is not JSON', v2(MONITOR_A, 1, 'create', report, 'c2VhbGVk')],
    ['a sealed body beside a signature', v2(MONITOR_A, 1, 'create', report, sealedText(), SIG)],
    ['a sealed body with no recipient', v2(MONITOR_A, 1, 'create', report, sealedText(0))],
    ['a sealed body with nine recipients', v2(MONITOR_A, 1, 'create', report, sealedText(9))],
    ['a sealed body of another version', v2(MONITOR_A, 1, 'create', report, sealedText().replace('"v":2', '"v":3'))],
  ])('a report op with %s is rejected for good as not sealed, and its slot closed', (_, sent) => {
    expect(decide(sent, monitorA, holding({}), shown(sent))).toEqual({ answer: 'rejected', reason: REJECT.notSealed, store: true });
  });

  it.each([
    ['no signature', undefined, clearBody],
    ['a signature one character short', SIG.slice(1), clearBody],
    ['a signature one character long', `${SIG}A`, clearBody],
    ['a signature in plain base64', `+${SIG.slice(1)}`, clearBody],
    ['a signature whose last character carries bits past 64 bytes', `${SIG.slice(0, -1)}h`, clearBody],
    ['a body that is not JSON', SIG, '{"hlc":'],
    ['a body that is JSON but no object', SIG, '"roster"'],
  ])('a deployment op with %s is rejected for good as badly signed', (_, sig, body) => {
    expect(decide(v2(COORDINATOR, 1, 'deployment', 'roster', body, sig), coordinator, holding({}), 'proven')).toEqual({
      answer: 'rejected',
      reason: REJECT.badSignature,
      store: true,
    });
  });

  it('a sealed op by a monitor is still held to the rules of its kind', () => {
    const desk = v2(MONITOR_A, 1, 'desk', 'partners', sealedText());
    expect(decide(desk, monitorA, holding({}), shown(desk))).toEqual({ answer: 'rejected', reason: REJECT.coordinatorOnly, store: true });
  });

  it("a monitor's vouching for its own ops is taken; any other deployment op of a monitor is a coordinator's to write", () => {
    const vouching = v2(MONITOR_A, 1, 'deployment', 'vouches', clearBody, SIG);
    expect(decide(vouching, monitorA, holding({}), shown(vouching))).toEqual({ answer: 'ack', store: true, owner: false });
    const gazetteer = v2(MONITOR_A, 2, 'deployment', 'gazetteer', clearBody, SIG);
    expect(decide(gazetteer, monitorA, holding({}), shown(gazetteer))).toEqual({
      answer: 'rejected',
      reason: REJECT.coordinatorOnly,
      store: true,
    });
  });

  it('version 3 is refused for retry, whatever its body', () => {
    const future = v2(MONITOR_A, 1, 'create', report, 'anything');
    (future.header as { v: number }).v = 3;
    expect(decide(future, monitorA, holding({ sealedOnly: true }), shown(future))).toEqual({
      answer: 'retry',
      reason: RETRY.unknownVersion,
      store: false,
    });
  });
});

describe('deciding on a base that has a deployment key', () => {
  const report = newId();
  const sealedOnly = holding({ sealedOnly: true, owners: { [report]: MONITOR_A } });

  it('an op in clear is refused for retry and stored nowhere, even one the rules would reject', () => {
    expect(decide(op(MONITOR_A, 2, 'edit', report), monitorA, sealedOnly, 'clear')).toEqual({
      answer: 'retry',
      reason: RETRY.unsealed,
      store: false,
    });
    expect(decide(op(MONITOR_A, 2, 'desk', 'partners'), monitorA, sealedOnly, 'clear')).toEqual({
      answer: 'retry',
      reason: RETRY.unsealed,
      store: false,
    });
  });

  it('a sealed op is taken', () => {
    expect(decide(v2(MONITOR_A, 2, 'edit', report, sealedText()), monitorA, sealedOnly, 'proven')).toEqual({
      answer: 'ack',
      store: true,
      owner: false,
    });
  });

  it('an op in clear stored before the key was set is acknowledged again when resent, and nothing is stored', () => {
    const before = op(MONITOR_A, 1, 'create', report);
    const held = holding({ sealedOnly: true, slots: { [`${MONITOR_A}:1`]: heldAs(before) } });
    expect(decide(before, monitorA, held, shown(before))).toEqual({ answer: 'ack', store: false });
  });

  it('an op stored in clear, its answer lost, then sent sealed under the same id and slot is acknowledged, and nothing is stored', () => {
    const before = op(MONITOR_A, 1, 'create', report);
    const held = holding({ sealedOnly: true, slots: { [`${MONITOR_A}:1`]: heldAs(before) } });
    const sealed = { ...v2(MONITOR_A, 1, 'create', report, sealedText()), header: { ...before.header, v: 2 as const } };
    expect(decide(sealed, monitorA, held, shown(sealed))).toEqual({ answer: 'ack', store: false });
    // Another kind or report under that id is another op: refused as before.
    const other = { ...sealed, header: { ...sealed.header, kind: 'edit' as const } };
    expect(decide(other, monitorA, held, shown(other))).toEqual({ answer: 'rejected', reason: REJECT.idReused, store: false });
  });

  it("an op the base cannot show to be its author's takes no slot: retry, stored nowhere, whatever the caller", () => {
    const sealed = v2(MONITOR_A, 1, 'create', report, sealedText());
    for (const authorship of ['unsigned', 'forged', 'unknownAuthor'] as const) {
      for (const caller of [monitorA, coordinator]) {
        expect(decide(sealed, caller, holding({ sealedOnly: true }), authorship)).toEqual({
          answer: 'retry',
          reason: RETRY[authorship],
          store: false,
        });
      }
    }
    // An op in clear relayed for a device never enrolled is held back too.
    expect(decide(op(MONITOR_B, 1, 'create', newId()), coordinator, holding({}), 'unknownAuthor')).toMatchObject({
      answer: 'retry',
      store: false,
    });
    // The op already held, sent again without its outer signature (an older app's outbox): the same op, acknowledged.
    expect(decide(sealed, monitorA, holding({ slots: { [`${MONITOR_A}:1`]: heldAs(sealed) } }), 'unsigned')).toEqual({
      answer: 'ack',
      store: false,
    });
  });

  it('without a key an op in clear is taken as before', () => {
    expect(decide(op(MONITOR_A, 2, 'edit', report), monitorA, holding({ owners: { [report]: MONITOR_A } }), 'clear')).toEqual({
      answer: 'ack',
      store: true,
      owner: false,
    });
  });
});
