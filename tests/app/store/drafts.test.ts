// Must come first: Dexie looks for IndexedDB when it is first imported.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { DraftRow, RasidDb } from '../../../src/app/store/db.ts';
import { discardDraft, keepDraft, listDrafts, settledAllDrafts, settledDrafts } from '../../../src/app/store/drafts.ts';
import { createReport } from '../../../src/app/store/reports.ts';
import { T0, damageReport, freshDb, writer } from './store-fixtures.ts';
import { reportId } from '../../ids.ts';

const open: RasidDb[] = [];
function db(label: string): RasidDb {
  const d = freshDb(label);
  open.push(d);
  return d;
}
afterEach(async () => {
  vi.restoreAllMocks();
  for (const d of open.splice(0)) await d.delete();
});

const draft = (id: string, values: Record<string, string>, updatedAt: number, report?: string): DraftRow => ({
  id,
  reportId: report === undefined ? undefined : reportId(report),
  type: 'damage',
  values,
  updatedAt,
});

/** The next draft write fails as it does when the phone's storage is full. */
function diskFull(d: RasidDb) {
  vi.spyOn(d.drafts, 'put').mockRejectedValueOnce(new Error('QuotaExceededError'));
}

describe('drafts', () => {
  test('a draft keeps the form exactly as typed, even when it is not valid yet', async () => {
    const d = db('as-typed');
    const values = { structures: '٧ تقريباً', 'point.lat': '٣٥٫', placeName: '  بانياس ' };
    await keepDraft(d, draft('d1', values, T0));
    expect((await listDrafts(d))[0]!.values).toEqual(values);
  });

  test('rapid keystrokes written without waiting end with the last one stored', async () => {
    const d = db('last-wins');
    const writes = ['ب', 'با', 'بان', 'بانياس'].map((name, i) => keepDraft(d, draft('d1', { placeName: name }, T0 + i)));
    await Promise.all(writes);
    const drafts = await listDrafts(d);
    expect(drafts).toHaveLength(1);
    expect(drafts[0]!.values.placeName).toBe('بانياس');
  });

  test('a save waiting on settledDrafts removes the draft for good, even with writes still queued', async () => {
    const d = db('settled');
    const ctx = writer(d);
    void keepDraft(d, draft('d1', { placeName: 'ب' }, T0));
    void keepDraft(d, draft('d1', { placeName: 'بانياس' }, T0 + 1));
    await settledDrafts('d1');
    await createReport(ctx, damageReport, 'd1');
    expect(await listDrafts(d)).toEqual([]);
  });

  test('an update waiting on settledAllDrafts finds every draft as last typed', async () => {
    const d = db('all-settled');
    void keepDraft(d, draft('d1', { placeName: 'ب' }, T0));
    void keepDraft(d, draft('d1', { placeName: 'بانياس' }, T0 + 1));
    void keepDraft(d, draft('d2', { placeName: 'جبلة' }, T0 + 2));
    await settledAllDrafts();
    // Read without Dexie's queue: what a page opened after the reload would find.
    const rows = await new Promise<DraftRow[]>((resolve) => {
      const request = d.backendDB().transaction('drafts').objectStore('drafts').getAll();
      request.onsuccess = () => resolve(request.result as DraftRow[]);
    });
    expect(rows.map((r) => [r.id, r.values.placeName])).toEqual([
      ['d1', 'بانياس'],
      ['d2', 'جبلة'],
    ]);
  });

  test('the list shows the most recently touched draft first', async () => {
    const d = db('order');
    await keepDraft(d, draft('old', { placeName: 'جبلة' }, T0));
    await keepDraft(d, draft('new', { placeName: 'بانياس' }, T0 + 60_000));
    await keepDraft(d, draft('middle', { placeName: 'طرطوس' }, T0 + 30_000));
    expect((await listDrafts(d)).map((r) => r.id)).toEqual(['new', 'middle', 'old']);
  });

  test('a draft of an edit remembers which report it edits', async () => {
    const d = db('edit-draft');
    await keepDraft(d, draft('e1', { structures: '٩' }, T0, '01957a3c-1f00-7000-8000-00000000beef'));
    expect((await listDrafts(d))[0]!.reportId).toBe('01957a3c-1f00-7000-8000-00000000beef');
  });

  test('a discarded draft is gone from the list', async () => {
    const d = db('discard');
    await keepDraft(d, draft('d1', { placeName: 'جبلة' }, T0));
    await keepDraft(d, draft('d2', { placeName: 'بانياس' }, T0 + 1));
    await discardDraft(d, 'd1');
    expect((await listDrafts(d)).map((r) => r.id)).toEqual(['d2']);
  });

  test('a failed draft write is reported to its caller, never as an unhandled rejection', async () => {
    const d = db('unhandled');
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      diskFull(d);
      const bad = keepDraft(d, draft('d1', { placeName: 'جبلة' }, T0));
      await expect(bad).rejects.toThrow('QuotaExceededError');
      // unhandled rejections are reported once the microtasks have run: let the event loop turn
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', listener);
    }
  });

  test('a failed draft write does not stop the next one', async () => {
    const d = db('after-failure');
    diskFull(d);
    const bad = keepDraft(d, draft('d1', { placeName: 'ج' }, T0));
    const good = keepDraft(d, draft('d1', { placeName: 'جبلة' }, T0 + 1));
    await expect(bad).rejects.toThrow('QuotaExceededError');
    await good;
    expect((await listDrafts(d))[0]!.values).toEqual({ placeName: 'جبلة' });
  });
});
