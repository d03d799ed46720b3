// Must come first: Dexie looks for IndexedDB when it is first imported.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, test } from 'vitest';
import type { RasidDb } from '../../../src/app/store/db.ts';
import { keepDraft } from '../../../src/app/store/drafts.ts';
import { createReport, createReports, deleteReport, editReport } from '../../../src/app/store/reports.ts';
import { OpRejectedError } from '../../../src/app/store/write-op.ts';
import { MAX_BODY_BYTES } from '../../../src/domain/op/op.ts';
import type { ReportContent } from '../../../src/domain/report.ts';
import { mergeOps, viewOf } from '../../../src/domain/merge.ts';
import { UUID_PATTERN, type ReportId } from '../../../src/domain/ids.ts';
import { DEVICE, T0, damageReport, displacementReport, freshDb, snapshot, writer } from './store-fixtures.ts';

const open: RasidDb[] = [];
function db(label: string): RasidDb {
  const d = freshDb(label);
  open.push(d);
  return d;
}
afterEach(async () => {
  for (const d of open.splice(0)) await d.delete();
});

async function viewIn(d: RasidDb, id: ReportId) {
  const row = await d.reports.get(id);
  expect(row).toBeDefined();
  return viewOf(row!.state);
}

describe('createReport, editReport, deleteReport', () => {
  test('a new report gets a UUID v7 id and reads back with what was entered', async () => {
    const d = db('create');
    const id = await createReport(writer(d), displacementReport);
    expect(id).toMatch(UUID_PATTERN);
    expect(id[14]).toBe('7');
    const view = await viewIn(d, id);
    expect(view.type).toBe('displacement');
    const { type: _t, ...values } = displacementReport;
    expect(view.values).toEqual(values);
    expect(view.conflicts).toEqual([]);
  });

  test('an edit writes only the fields given, superseding what the editor saw', async () => {
    const d = db('edit');
    const ctx = writer(d);
    const id = await createReport(ctx, damageReport);
    const create = (await d.ops.toArray())[0]!;
    ctx.clock.ms = T0 + 60_000;
    await editReport(ctx, id, { structures: 9, looted: undefined });
    const edit = (await d.ops.toArray()).find((o) => o.kind === 'edit')!;
    expect(edit.body.changes).toEqual({ structures: 9 });
    expect(edit.body.supersedes).toEqual({ structures: [create.id], looted: [create.id] });
    const view = await viewIn(d, id);
    expect(view.values.structures).toBe(9);
    expect(view.values).not.toHaveProperty('looted');
    expect(view.values.placeName).toBe(damageReport.placeName);
  });

  test('a deleted report stays stored, shown as deleted, with no values and no conflict', async () => {
    const d = db('delete');
    const ctx = writer(d);
    const id = await createReport(ctx, damageReport);
    await editReport(ctx, id, { structures: 9 });
    await deleteReport(ctx, id);
    const view = await viewIn(d, id);
    expect(view.deleted).toBe(true);
    expect(view.values).toEqual({});
    expect(view.conflicts).toEqual([]);
    expect(await d.ops.count()).toBe(3);
  });

  test('the stored state is the merge of the stored ops', async () => {
    const d = db('state-is-merge');
    const ctx = writer(d);
    const id = await createReport(ctx, damageReport);
    await editReport(ctx, id, { structures: 9, narrative: 'تحديث: تسعة محلات' });
    await editReport(ctx, id, { damageLevel: 'severe' });
    const row = (await d.reports.get(id))!;
    const ops = await d.ops.where('reportId').equals(id).toArray();
    expect(row.state).toEqual(mergeOps(id, ops));
  });
});

describe('createReports: one form, one report per service', () => {
  const cut = (service: 'bread' | 'water' | 'electricity'): ReportContent => ({
    type: 'access_cut',
    eventDate: { precision: 'exact', date: '2025-03-09' },
    placeName: 'قرية الدالية',
    service,
    serviceState: 'cut',
    period: { since: '2025-03-07' },
  });
  const draft = {
    id: 'draft-cuts',
    type: 'access_cut',
    values: { placeName: 'قرية الدالية', 'service.more': '["water","electricity"]' },
    updatedAt: T0,
  };

  test('bread, water and electricity are three reports, each with its own create op, and the draft goes', async () => {
    const d = db('create-many');
    await keepDraft(d, draft);
    const ids = await createReports(writer(d), [cut('bread'), cut('water'), cut('electricity')], draft.id);
    expect(new Set(ids).size).toBe(3);
    const services = await Promise.all(ids.map(async (id) => (await viewIn(d, id)).values.service));
    expect(services).toEqual(['bread', 'water', 'electricity']);
    const ops = (await d.ops.toArray()).sort((a, b) => a.deviceSeq - b.deviceSeq);
    expect(ops.map((o) => [o.kind, o.reportId, o.device, o.deviceSeq])).toEqual(ids.map((id, i) => ['create', id, DEVICE, i + 1]));
    expect(await d.drafts.get(draft.id)).toBeUndefined();
  });

  test('one report that cannot be written stops them all, and the draft stays', async () => {
    const d = db('create-many-fails');
    await keepDraft(d, draft);
    const before = await snapshot(d);
    const huge = { ...cut('electricity'), narrative: 'ن'.repeat(MAX_BODY_BYTES / 2 + 10) } as ReportContent;
    await expect(createReports(writer(d), [cut('bread'), cut('water'), huge], draft.id)).rejects.toBeInstanceOf(OpRejectedError);
    expect(await snapshot(d)).toEqual(before);
    expect(await d.drafts.get(draft.id)).toBeDefined();
  });
});
