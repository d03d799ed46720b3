/** A year of invented reports at scale: the same ops for the same seed, every op valid, the shares as designed. */
import { describe, expect, it } from 'vitest';
import { hasNoAdminArea } from '../../../src/app/desk/filter.ts';
import { decodeHlc } from '../../../src/domain/hlc.ts';
import { mergeOps, viewOf, type ReportView } from '../../../src/domain/merge.ts';
import { opSchema, type Op } from '../../../src/domain/op/op.ts';
import { MAX_BATCH } from '../../../src/domain/op/sync.ts';
import { validateReport } from '../../../src/domain/report.ts';
import { INVENTED_SHARES, inventedDevices, inventedReports } from '../../../src/server/demo/invented-reports.ts';
import { sampleGazetteer } from '../../../src/server/demo/seed.ts';
import { reportId } from '../../ids.ts';

const NOW = Date.UTC(2026, 11, 5, 9, 30);
const DAY = 86_400_000;
const N = 4000;
const gazetteer = sampleGazetteer();
const generate = (seed: number, reports = N) => [...inventedReports({ seed, reports, now: NOW, gazetteer })];

const batches = generate(3);
const all = batches.flatMap((b) => b.ops);
const wall = (op: Op) => decodeHlc(op.body.hlc).wall;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const creates = all.filter((o) => o.kind === 'create');
const coordinators = new Set<string>(inventedDevices().flatMap((d) => (d.role === 'coordinator' ? [d.device] : [])));
const opsByReport = new Map<string, Op[]>();
for (const op of all) opsByReport.set(op.reportId, [...(opsByReport.get(op.reportId) ?? []), op]);
const views: ReportView[] = creates.map((c) =>
  viewOf(mergeOps(reportId(c.reportId), opsByReport.get(c.reportId)!, (d) => coordinators.has(d))),
);
const share = (count: number) => count / creates.length;

describe('invented reports', () => {
  it('the same seed and count give the same ops, byte for byte; another seed gives others', () => {
    expect(JSON.stringify(generate(3))).toBe(JSON.stringify(batches));
    expect(JSON.stringify(generate(4))).not.toBe(JSON.stringify(batches));
  });

  it('makes exactly the reports asked for, over a year ending before now, from forty monitors', () => {
    expect(creates).toHaveLength(N);
    expect(
      generate(5, 123)
        .flatMap((b) => b.ops)
        .filter((o) => o.kind === 'create'),
    ).toHaveLength(123);
    const days = creates.map((c) => wall(c));
    expect(Math.max(...days) - Math.min(...days)).toBeGreaterThan(330 * DAY);
    expect(Math.max(...all.map(wall))).toBeLessThan(NOW);
    expect(new Set(creates.map((c) => c.device)).size).toBe(40);
    for (const c of creates) expect(coordinators.has(c.device)).toBe(false);
  });

  it('every op is valid, every report passes validateReport as written and as merged', () => {
    for (const op of all) expect(opSchema.safeParse(op).success).toBe(true);
    for (const create of creates) {
      const result = validateReport(create.body.changes, isoDay(wall(create)));
      expect(result.success, JSON.stringify(result.error?.issues)).toBe(true);
    }
    for (const view of views) {
      const result = validateReport({ type: view.type, ...view.values }, isoDay(NOW));
      expect(result.success, JSON.stringify(result.error?.issues)).toBe(true);
    }
  });

  it('each device pushes its ops in order, in batches a sync takes, each after the ops it carries were written', () => {
    const seqs = new Map<string, number>();
    let last = 0;
    for (const batch of batches) {
      expect(batch.ops.length).toBeLessThanOrEqual(MAX_BATCH);
      expect(batch.at).toBeGreaterThanOrEqual(last);
      last = batch.at;
      for (const op of batch.ops) {
        expect(op.device).toBe(batch.device);
        expect(op.deviceSeq).toBe((seqs.get(op.device) ?? 0) + 1);
        seqs.set(op.device, op.deviceSeq);
        expect(wall(op)).toBeLessThanOrEqual(batch.at);
      }
    }
  });

  it('the report types, dates, points, admin areas and narratives in the shares intended', () => {
    for (const [type, intended] of Object.entries(INVENTED_SHARES.type))
      expect(share(views.filter((v) => v.type === type).length)).toBeCloseTo(intended, 1);
    expect(share(views.filter((v) => v.values.eventDate?.precision === 'approximate').length)).toBeCloseTo(
      INVENTED_SHARES.approximateDate,
      1,
    );
    expect(share(views.filter((v) => v.values.point !== undefined).length)).toBeCloseTo(INVENTED_SHARES.point, 1);
    const noArea = share(views.filter((v) => hasNoAdminArea(v.values.admin)).length);
    expect(noArea).toBeGreaterThan(0.02);
    expect(noArea).toBeLessThan(0.07);
    const narratives = views.map((v) => v.values.narrative ?? '');
    expect(share(narratives.filter((n) => /[\u0600-\u06ff]/.test(n)).length)).toBeGreaterThan(0.7);
    expect(share(narratives.filter((n) => n.length > 160).length)).toBeGreaterThan(0.1);
  });

  it('some reports corrected by their monitor, many verified by a coordinator, a few in conflict between the two', () => {
    const editedBy = (v: ReportView, who: (device: string) => boolean) =>
      opsByReport.get(v.id)!.some((o) => o.kind === 'edit' && who(o.device));
    const corrected = share(views.filter((v) => editedBy(v, (d) => !coordinators.has(d))).length);
    expect(corrected).toBeGreaterThan(0.04);
    expect(corrected).toBeLessThan(0.12);
    expect(share(views.filter((v) => v.values.verification !== undefined).length)).toBeCloseTo(INVENTED_SHARES.verified, 1);
    const conflicted = views.filter((v) => v.conflicts.length > 0);
    expect(conflicted.length).toBeGreaterThanOrEqual(2);
    expect(share(conflicted.length)).toBeLessThan(0.01);
    for (const v of conflicted) {
      expect(editedBy(v, (d) => coordinators.has(d))).toBe(true);
      expect(editedBy(v, (d) => !coordinators.has(d))).toBe(true);
    }
  });
});
