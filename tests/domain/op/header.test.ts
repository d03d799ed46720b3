/**
 * The one reader of an arrived op's header: what it takes, what it refuses and why, and what it
 * still tells of a header it refuses (the id the quarantine lists, the slot a base stores a refusal
 * under, the fields as sent).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { claimsOf, idOf, readWireHeader, wireHeaderSchema } from '../../../src/domain/op/header.ts';
import { HEADER } from '../crypto/fixtures.ts';

const SLOT = { id: HEADER.id, device: HEADER.device, deviceSeq: HEADER.deviceSeq };

describe('reading the header of an op that arrived', () => {
  test('a header of either format reads as its six fields, whatever else the op carries', () => {
    for (const v of [1, 2] as const) {
      const read = readWireHeader({ ...HEADER, v, body: '{}', sig: 'x', osig: 'y', extra: true });
      expect(read).toEqual({ ok: true, header: { ...HEADER, v } });
      expect(read.ok && Object.keys(read.header)).toEqual(['v', 'id', 'kind', 'reportId', 'device', 'deviceSeq']);
    }
  });

  test('a whole version above the newest the reader knows is an unknown version, named by its id and slot', () => {
    expect(readWireHeader({ ...HEADER, v: 3 })).toMatchObject({
      ok: false,
      reason: 'quarantine.unknownVersion',
      id: HEADER.id,
      slot: SLOT,
    });
    expect(readWireHeader({ ...HEADER, v: 2 }, 1)).toMatchObject({ ok: false, reason: 'quarantine.unknownVersion' });
    expect(readWireHeader({ ...HEADER, v: 1 }, 1)).toMatchObject({ ok: true });
  });

  test.each([
    ['a version that is no whole number', { v: 2.5 }],
    ['a version as text', { v: '2' }],
    ['version 0', { v: 0 }],
    ['no version', { v: undefined }],
    ['an unknown kind', { kind: 'delete' }],
    ['a report id that is neither a UUID nor a setting name', { reportId: 'a b' }],
  ])('%s is a bad header, whose slot still reads', (_what, change) => {
    expect(readWireHeader({ ...HEADER, ...change })).toMatchObject({
      ok: false,
      reason: 'quarantine.badHeader',
      id: HEADER.id,
      slot: SLOT,
    });
  });

  test.each([
    ['an op id that is no UUID v7', { id: 'not-an-id' }],
    ['a device id too short', { device: 'abc' }],
    ['device sequence number 0', { deviceSeq: 0 }],
    ['a device sequence number that is no whole number', { deviceSeq: 1.5 }],
    ['a device sequence number past the safe integers', { deviceSeq: 2 ** 53 }],
  ])('%s is a bad header with no slot', (_what, change) => {
    const read = readWireHeader({ ...HEADER, ...change });
    expect(read).toMatchObject({ ok: false, reason: 'quarantine.badHeader' });
    expect(read.ok || read.slot).toBeUndefined();
  });

  test('an id is named as sent when it is text, cut to 64 characters; otherwise not at all', () => {
    const long = 'x'.repeat(100);
    expect(idOf(readWireHeader({ ...HEADER, id: long }))).toBe('x'.repeat(64));
    expect(idOf(readWireHeader({ ...HEADER, id: 42 }))).toBeUndefined();
    expect(idOf(readWireHeader(HEADER))).toBe(HEADER.id);
  });

  test('what is not even an object is a bad header, with nothing to name', () => {
    for (const input of [null, undefined, 'op', 42, [HEADER]]) {
      const read = readWireHeader(input);
      expect(read).toMatchObject({ ok: false, reason: 'quarantine.badHeader' });
      expect(read.ok || [read.id, read.slot]).toEqual([undefined, undefined]);
    }
  });

  test('the claims of a header are its fields as sent, read or not', () => {
    expect(claimsOf(readWireHeader({ ...HEADER, kind: 7, extra: true }))).toEqual({ ...HEADER, kind: 7 });
    expect(claimsOf(readWireHeader(HEADER))).toEqual(HEADER);
  });

  test('whatever arrives, the reader answers without throwing, and takes exactly what the header schema takes', () => {
    const field = fc.oneof(
      fc.anything(),
      fc.integer(),
      fc.string(),
      fc.constantFrom(1, 2, 3, 'create', 'roster', HEADER.id, HEADER.device),
    );
    const header = fc.record({ v: field, id: field, kind: field, reportId: field, device: field, deviceSeq: field }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.oneof(fc.anything(), header), (input) => {
        const read = readWireHeader(input);
        const schema = wireHeaderSchema.safeParse(input);
        expect(read.ok).toBe(schema.success);
        if (read.ok && schema.success) expect(read.header).toEqual(schema.data);
      }),
    );
  });
});
