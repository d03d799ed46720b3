import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { packState, PackedStateError, unpackState } from '../../../src/app/store/packed-state.ts';
import { canonicalJson } from '../../../src/domain/canonical-json.ts';
import { mergeOps, viewOf, type MergedState } from '../../../src/domain/merge.ts';
import type { Op } from '../../../src/domain/op/op.ts';
import { inventedReports } from '../../../src/server/demo/invented-reports.ts';
import { sampleGazetteer } from '../../../src/server/demo/seed.ts';

/** What a row holds after the trip through JSON every sealed row makes. */
const throughJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const roundTrip = (state: MergedState) => unpackState(throughJson(packState(state)));

describe('a merged state packed for its row at rest', () => {
  test('every report and setting of an invented year reads back as merged, in well under half the text', () => {
    const byTarget = new Map<string, Op[]>();
    for (const batch of inventedReports({ seed: 7, reports: 400, now: Date.UTC(2026, 11, 1), gazetteer: sampleGazetteer() })) {
      for (const op of batch.ops) byTarget.set(op.reportId, [...(byTarget.get(op.reportId) ?? []), op]);
    }
    let full = 0;
    let packed = 0;
    let edited = 0;
    for (const [id, ops] of byTarget) {
      const state = mergeOps(id as MergedState['id'], ops);
      if (ops.length > 1) edited++;
      const back = roundTrip(state);
      expect(back).toStrictEqual(throughJson(state));
      expect(viewOf(back)).toStrictEqual(viewOf(throughJson(state)));
      full += JSON.stringify(state).length;
      packed += JSON.stringify(packState(state)).length;
    }
    // Edited reports, conflicts and settings among them, not only reports of one op.
    expect(edited).toBeGreaterThan(50);
    expect(packed / full).toBeLessThan(0.5);
  });

  test('any state reads back as it was: conflicts, superseded ids, deletes that saw coordinator fields, photos, odd names', () => {
    const id = fc.stringMatching(/^[0-9a-f]{8}$/);
    const version = fc.record(
      {
        op: id,
        hlc: fc.constantFrom('2026-01-02T03:04:05.000Z-0000-a', '2026-01-02T03:04:05.000Z-0001-b'),
        device: fc.constantFrom('d-1', 'd-2'),
        value: fc.jsonValue(),
      },
      // A value written as undefined is absent from the row, and stays absent.
      { requiredKeys: ['op', 'hlc', 'device'] },
    );
    const field = fc.record(
      { heads: fc.array(version, { maxLength: 3 }), dead: fc.array(id, { maxLength: 3 }), seenByDelete: fc.array(id, { maxLength: 2 }) },
      { requiredKeys: ['heads', 'dead'] },
    );
    const name = fc.oneof(fc.constantFrom('narrative', 'verification', '__proto__', 'constructor', ''), fc.string({ maxLength: 8 }));
    const registers = fc.dictionary(name, field, { maxKeys: 6 });
    const state = fc.record(
      {
        id: fc.constant('01957a3c-1f00-7000-8000-00000000beef'),
        type: fc.constantFrom('damage', 'displacement', 'access_cut'),
        unknownType: fc.string({ maxLength: 6 }),
        created: fc.record({ op: id, hlc: fc.constant('2026-01-02T03:04:05.000Z-0000-a'), device: fc.constant('d-1') }),
        fields: registers,
        attachments: registers,
        applied: fc.array(id, { maxLength: 4 }),
        ignored: fc.array(fc.record({ op: id, field: name }), { maxLength: 2 }),
      },
      { requiredKeys: ['id', 'fields', 'applied', 'ignored'] },
    ) as fc.Arbitrary<MergedState>;
    fc.assert(
      fc.property(state, (s) => {
        const expected = throughJson(s);
        const back = roundTrip(expected);
        // Not toStrictEqual: a field named `constructor` is an own property it would take for the class.
        expect(back).toEqual(expected);
        expect(canonicalJson(back)).toBe(canonicalJson(expected));
        const valued = (st: MergedState) =>
          [st.fields, st.attachments ?? {}].flatMap((r) => Object.values(r).flatMap((f) => f.heads.map((h) => Object.hasOwn(h, 'value'))));
        expect(valued(back)).toEqual(valued(expected));
        for (const names of [back.fields, back.attachments ?? {}]) {
          expect(Object.getPrototypeOf(names)).toBe(Object.prototype);
        }
      }),
    );
  });

  test('anything else is refused, so the row reads as damaged rather than as a report', () => {
    const good = packState(mergeOps('01957a3c-1f00-7000-8000-00000000beef' as MergedState['id'], []));
    for (const bad of [
      null,
      'text',
      { ...good, p: 2 },
      { ...good, by: 'x' },
      { ...good, fields: { narrative: [[[5, 'x']], []] } },
      { ...good, fields: { narrative: 'x' } },
    ]) {
      expect(() => unpackState(bad), JSON.stringify(bad)).toThrow(PackedStateError);
    }
  });
});
