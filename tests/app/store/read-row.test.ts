// Must come first: Dexie looks for IndexedDB when it is first imported.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, test } from 'vitest';
import type { RasidDb, ReportRow } from '../../../src/app/store/db.ts';
import { readRow } from '../../../src/app/store/read-row.ts';
import { createReport, editReport } from '../../../src/app/store/reports.ts';
import { reportRow } from '../../../src/app/store/write-op.ts';
import { applyOp, emptyState, type MergedState } from '../../../src/domain/merge.ts';
import { DEVICE, damageReport, displacementReport, freshDb, writer } from './store-fixtures.ts';
import { opId, reportId } from '../../ids.ts';
import type { ReportId } from '../../../src/domain/ids.ts';

const open: RasidDb[] = [];
function db(label: string): RasidDb {
  const d = freshDb(label);
  open.push(d);
  return d;
}
afterEach(async () => {
  for (const d of open.splice(0)) await d.delete();
});

describe('readRow', () => {
  const state = (): MergedState<ReportId> =>
    applyOp(emptyState(reportId('01957a3c-1f00-7000-8000-00000000beef')), {
      v: 1,
      id: opId('01957a3c-2000-7000-8000-000000000001'),
      kind: 'create',
      reportId: reportId('01957a3c-1f00-7000-8000-00000000beef'),
      device: DEVICE,
      deviceSeq: 1,
      body: { hlc: '2025-03-08T09:00:00.000Z-0000-phonejableh01', changes: { type: 'damage', placeName: 'بانياس' }, supersedes: {} },
    });

  test('a good row reads as its view', () => {
    const item = readRow(reportRow(state(), 1), 1);
    expect(item).toMatchObject({ ok: true, unsynced: false, view: { type: 'damage', values: { placeName: 'بانياس' } } });
  });

  test('a row of a type this app does not know is an unreadable entry, not a crash', () => {
    const row: ReportRow = { ...reportRow(state(), 2), type: 'flood' };
    expect(readRow(row, 0)).toEqual({ ok: false, id: row.id, unsynced: true });
  });

  test.each<[string, (row: ReportRow) => unknown]>([
    ['no state at all', (r) => ({ ...r, state: undefined })],
    ['a state that is a string', (r) => ({ ...r, state: 'garbage' })],
    ['fields set to null', (r) => ({ ...r, state: { ...r.state, fields: null } })],
    ['a field whose heads are not a list', (r) => ({ ...r, state: { ...r.state, fields: { placeName: { heads: 7, dead: [] } } } })],
    ['a field with no heads entry', (r) => ({ ...r, state: { ...r.state, fields: { placeName: {} } } })],
  ])('a row with %s is an unreadable entry instead of throwing', (_what, damage) => {
    const row = damage(reportRow(state(), 1)) as ReportRow;
    let item: ReturnType<typeof readRow> | undefined;
    expect(() => (item = readRow(row, 0))).not.toThrow();
    expect(item).toEqual({ ok: false, id: row.id, unsynced: true });
  });

  test('a report is unsynced while its last own op is above the watermark', () => {
    const row = reportRow(state(), 3);
    expect(readRow(row, 0).unsynced).toBe(true);
    expect(readRow(row, 2).unsynced).toBe(true);
    expect(readRow(row, 3).unsynced).toBe(false);
    expect(readRow(row, 7).unsynced).toBe(false);
  });

  test('a report with none of this phone’s ops is never unsynced', () => {
    expect(readRow(reportRow(state(), 0), 0).unsynced).toBe(false);
  });

  test('a watermark lowered by the server makes a report unsynced again', async () => {
    const d = db('watermark');
    const ctx = writer(d);
    const a = await createReport(ctx, damageReport);
    const b = await createReport(ctx, displacementReport);
    await d.setMeta('watermark', 2);
    const unsynced = async () => {
      const w = (await d.getMeta('watermark')) ?? 0;
      return (await d.reports.toArray()).filter((r) => readRow(r, w).unsynced).map((r) => r.id);
    };
    expect(await unsynced()).toEqual([]);
    await editReport(ctx, a, { structures: 3 });
    expect(await unsynced()).toEqual([a]);
    await d.setMeta('watermark', 1);
    expect((await unsynced()).sort()).toEqual([a, b].sort());
  });
});
