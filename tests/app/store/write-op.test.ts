// Must come first: Dexie looks for IndexedDB when it is first imported.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { keepDraft } from '../../../src/app/store/drafts.ts';
import { createReport, editReport } from '../../../src/app/store/reports.ts';
import { OpRejectedError, writeOp } from '../../../src/app/store/write-op.ts';
import { decodeHlc, encodeHlc, type Hlc } from '../../../src/domain/hlc.ts';
import { viewOf } from '../../../src/domain/merge.ts';
import { MAX_BODY_BYTES } from '../../../src/domain/op/op.ts';
import type { RasidDb } from '../../../src/app/store/db.ts';
import type { OpId, ReportId } from '../../../src/domain/ids.ts';
import { DEVICE, T0, damageReport, displacementReport, freshDb, snapshot, writer } from './store-fixtures.ts';
import { deviceId, reportId } from '../../ids.ts';

const open: RasidDb[] = [];
function db(label: string): RasidDb {
  const d = freshDb(label);
  open.push(d);
  return d;
}
afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  for (const d of open.splice(0)) await d.delete();
});

const draft = (id: string, reportId?: ReportId) => ({
  id,
  reportId,
  type: 'damage',
  values: { placeName: 'بانياس', structures: '٧' },
  updatedAt: T0,
});

async function ownSeqs(d: RasidDb): Promise<number[]> {
  return (await d.ops.where('[device+deviceSeq]').between([DEVICE, 0], [DEVICE, Infinity]).toArray()).map((o) => o.deviceSeq);
}

describe('writeOp: the report and its op are written together or not at all', () => {
  test('saving a new report stores the report and its create op', async () => {
    const d = db('create');
    const ctx = writer(d);
    const id = await createReport(ctx, damageReport);
    const ops = await d.ops.toArray();
    const row = await d.reports.get(id);
    expect(ops).toHaveLength(1);
    expect(ops[0]).toMatchObject({ v: 1, kind: 'create', reportId: id, device: DEVICE, deviceSeq: 1 });
    expect(row).toMatchObject({ id, type: 'damage', lastOwnSeq: 1, createdAt: ops[0]!.body.hlc });
    expect(row!.state.applied).toEqual([ops[0]!.id]);
    const { type: _t, ...values } = damageReport;
    expect(viewOf(row!.state).values).toEqual(values);
  });

  test('an op too large to send writes neither op nor report, and the draft is still there', async () => {
    const d = db('too-large');
    const ctx = writer(d);
    const existing = await createReport(ctx, damageReport);
    await keepDraft(d, draft('draft-1'));
    const before = await snapshot(d);

    const huge = { ...displacementReport, narrative: 'ن'.repeat(MAX_BODY_BYTES / 2 + 10) };
    const failure = createReport(ctx, huge, 'draft-1');
    await expect(failure).rejects.toBeInstanceOf(OpRejectedError);
    await expect(failure).rejects.toMatchObject({ code: 'err.op.invalid', message: 'err.op.tooLarge' });

    expect(await snapshot(d)).toEqual(before);
    expect(await d.drafts.get('draft-1')).toBeDefined();
    expect(await d.reports.get(existing)).toBeDefined();
  });

  test('an edit too large to send leaves the saved report exactly as it was', async () => {
    const d = db('edit-too-large');
    const ctx = writer(d);
    const id = await createReport(ctx, damageReport);
    await keepDraft(d, draft('draft-edit', id));
    const before = await snapshot(d);
    await expect(editReport(ctx, id, { narrative: 'ن'.repeat(MAX_BODY_BYTES) }, 'draft-edit')).rejects.toBeInstanceOf(OpRejectedError);
    expect(await snapshot(d)).toEqual(before);
  });

  test('an error while preparing the change writes nothing and keeps the draft', async () => {
    const d = db('intend-throws');
    const ctx = writer(d);
    await createReport(ctx, damageReport);
    await keepDraft(d, draft('draft-2'));
    const before = await snapshot(d);
    await expect(
      writeOp(
        ctx,
        reportId('01957a3c-1f00-7000-8000-00000000beef'),
        () => {
          throw new Error('encryption failed');
        },
        { draftId: 'draft-2' },
      ),
    ).rejects.toThrow('encryption failed');
    expect(await snapshot(d)).toEqual(before);
  });

  test('an op with a malformed body is refused before anything is written', async () => {
    const d = db('bad-body');
    const ctx = writer(d);
    const before = await snapshot(d);
    await expect(
      writeOp(ctx, reportId('01957a3c-1f00-7000-8000-00000000beef'), (_s, hlc) => ({
        kind: 'edit',
        // Not an op id on purpose: the writer's own parse must refuse it.
        body: { hlc, changes: {}, supersedes: { households: ['not-an-id' as OpId] } },
      })),
    ).rejects.toBeInstanceOf(OpRejectedError);
    expect(await snapshot(d)).toEqual(before);
  });

  test('when storing the report fails after the op was added, the op is taken back too', async () => {
    const d = db('report-put-fails');
    const ctx = writer(d);
    const id = await createReport(ctx, damageReport);
    await keepDraft(d, draft('draft-3', id));
    const before = await snapshot(d);
    vi.spyOn(d.reports, 'put').mockRejectedValueOnce(new Error('QuotaExceededError'));
    await expect(editReport(ctx, id, { structures: 9 }, 'draft-3')).rejects.toThrow('QuotaExceededError');
    expect(await snapshot(d)).toEqual(before);
  });

  test('when storing the clock fails at the very end, neither op nor report is kept', async () => {
    const d = db('meta-put-fails');
    const ctx = writer(d);
    await keepDraft(d, draft('draft-4'));
    const before = await snapshot(d);
    vi.spyOn(d.meta, 'put').mockRejectedValueOnce(new Error('disk full'));
    await expect(createReport(ctx, damageReport, 'draft-4')).rejects.toThrow('disk full');
    expect(await snapshot(d)).toEqual(before);
  });

  test('saving removes the draft it came from in the same transaction', async () => {
    const d = db('draft-removed');
    const ctx = writer(d);
    await keepDraft(d, draft('draft-5'));
    await keepDraft(d, draft('draft-other'));
    await createReport(ctx, damageReport, 'draft-5');
    expect((await d.drafts.toArray()).map((r) => r.id)).toEqual(['draft-other']);
    expect(await d.ops.count()).toBe(1);
  });
});

describe('writeOp: device sequence numbers', () => {
  test('this phone numbers its ops 1, 2, 3 with no gaps, across reports', async () => {
    const d = db('seq');
    const ctx = writer(d);
    const a = await createReport(ctx, damageReport);
    const b = await createReport(ctx, displacementReport);
    await editReport(ctx, a, { structures: 8 });
    await editReport(ctx, b, { households: 40 });
    expect(await ownSeqs(d)).toEqual([1, 2, 3, 4]);
    expect((await d.reports.get(a))!.lastOwnSeq).toBe(3);
    expect((await d.reports.get(b))!.lastOwnSeq).toBe(4);
  });

  test('a save that failed does not use up a number', async () => {
    const d = db('seq-after-failure');
    const ctx = writer(d);
    await createReport(ctx, damageReport);
    await expect(createReport(ctx, { ...damageReport, narrative: 'ن'.repeat(MAX_BODY_BYTES) })).rejects.toBeInstanceOf(OpRejectedError);
    await createReport(ctx, displacementReport);
    expect(await ownSeqs(d)).toEqual([1, 2]);
  });

  test('ops of another device stored here neither take nor shift this phone’s numbers', async () => {
    const d = db('seq-other-device');
    const ctx = writer(d);
    await createReport(ctx, damageReport);
    const other = { ...ctx, device: deviceId('phone-banyas-02') };
    await createReport(other, displacementReport);
    await createReport(ctx, displacementReport);
    expect(await ownSeqs(d)).toEqual([1, 2]);
    const others = (await d.ops.toArray()).filter((o) => o.device === 'phone-banyas-02');
    expect(others.map((o) => o.deviceSeq)).toEqual([1]);
  });

  test('twenty saves started at once still get distinct consecutive numbers', async () => {
    const d = db('concurrent');
    const ctx = writer(d);
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => createReport(ctx, { ...damageReport, structures: i })));
    expect(new Set(ids).size).toBe(20);
    expect((await ownSeqs(d)).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const rows = await d.reports.toArray();
    expect(rows.map((r) => r.lastOwnSeq).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  test('edits of one report started at once each see the one before, so no conflict appears', async () => {
    const d = db('concurrent-edits');
    const ctx = writer(d);
    const id = await createReport(ctx, damageReport);
    await Promise.all(Array.from({ length: 10 }, (_, i) => editReport(ctx, id, { structures: 10 + i })));
    const row = (await d.reports.get(id))!;
    expect(viewOf(row.state).conflicts).toEqual([]);
    expect(row.state.fields.structures!.heads).toHaveLength(1);
    expect(await ownSeqs(d)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    expect(row.lastOwnSeq).toBe(11);
  });
});

describe('writeOp: the clock', () => {
  test('the stored clock never goes backwards when the phone’s time does', async () => {
    const d = db('clock');
    const ctx = writer(d);
    const times = [T0, T0 - 3_600_000, T0 - 86_400_000, T0, T0 + 5, T0 - 1];
    let previous: Hlc | undefined;
    const id = await createReport(ctx, damageReport);
    previous = (await d.getMeta('writer'))?.clock;
    for (const [i, t] of times.entries()) {
      ctx.clock.ms = t;
      await editReport(ctx, id, { structures: i });
      const stored = (await d.getMeta('writer'))!.clock;
      expect(encodeHlc(stored) > encodeHlc(previous!)).toBe(true);
      previous = stored;
    }
    const hlcs = (await d.ops.toArray()).sort((a, b) => a.deviceSeq - b.deviceSeq).map((o) => o.body.hlc);
    expect([...hlcs].sort()).toEqual(hlcs);
    expect(new Set(hlcs).size).toBe(hlcs.length);
    // and each op carries the clock that was stored with it
    expect(decodeHlc(hlcs.at(-1)!)).toEqual(previous);
  });

  test('the first op takes the phone’s time and a node made from the device id', async () => {
    const d = db('clock-first');
    await createReport(writer(d), damageReport);
    expect((await d.getMeta('writer'))?.clock).toEqual({ wall: T0, counter: 0, node: 'phonejableh01' });
  });
});
