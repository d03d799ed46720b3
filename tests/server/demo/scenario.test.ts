/** The demo scenario: valid reports from several devices, with the conflicts, duplicates and cuts a newcomer should see. */
import { describe, expect, it } from 'vitest';
import { pathOf } from '../../../src/domain/gazetteer.ts';
import { decodeHlc, nodeIdOf } from '../../../src/domain/hlc.ts';
import { mergeOps, viewOf, type ReportView } from '../../../src/domain/merge.ts';
import { opSchema, type Op } from '../../../src/domain/op/op.ts';
import { validateReport, type AdminAreas } from '../../../src/domain/report.ts';
import { authorityOf, rosterOf, ROSTER_ID } from '../../../src/domain/roster.ts';
import { profileFromState } from '../../../src/export/desk-settings.ts';
import { DEFAULT_PARTNER_FIELDS } from '../../../src/export/profile.ts';
import { DEMO_COORDINATORS, DEMO_PROFILE, demoScenario } from '../../../src/server/demo/scenario.ts';
import { sampleGazetteer } from '../../../src/server/demo/seed.ts';
import { reportId, settingId } from '../../ids.ts';

const NOW = Date.UTC(2026, 2, 20, 9, 30);
const DAY = 86_400_000;
const gazetteer = sampleGazetteer();
const scenario = demoScenario({ seed: 11, now: NOW, gazetteer });
const all = Object.values(scenario.ops).flat();
const byId = new Map(all.map((o) => [o.id, o]));
const wall = (op: Op) => decodeHlc(op.body.hlc).wall;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

const opsOf = (reportId: string) => all.filter((o) => o.reportId === reportId);
const authority = authorityOf(rosterOf(mergeOps(ROSTER_ID, opsOf(ROSTER_ID))));
const creates = all.filter((o) => o.kind === 'create');
const views = new Map<string, ReportView>(
  creates.map((c) => [c.reportId, viewOf(mergeOps(reportId(c.reportId), opsOf(c.reportId), authority))]),
);
const live = [...views.values()].filter((v) => !v.deleted);
const roleOf = new Map(scenario.devices.map((d) => [d.device, d.role]));
const adm3 = (v: { admin?: AdminAreas }) => v.admin?.adm3?.pcode;

describe('the demo scenario', () => {
  it('every report passes validateReport as written, on the day its monitor wrote it, and as merged now', () => {
    for (const create of creates) {
      const result = validateReport(create.body.changes, isoDay(wall(create)));
      expect(result.success, JSON.stringify(result.error?.issues)).toBe(true);
    }
    for (const view of live) {
      const result = validateReport({ type: view.type, ...view.values }, isoDay(NOW));
      expect(result.success, JSON.stringify(result.error?.issues)).toBe(true);
    }
  });

  it('a few hundred reports of each type, from six monitors and two coordinators, over about two weeks ending now', () => {
    expect(creates.length).toBeGreaterThanOrEqual(250);
    expect(creates.length).toBeLessThanOrEqual(350);
    for (const type of ['damage', 'displacement', 'access_cut'] as const)
      expect(live.filter((v) => v.type === type).length).toBeGreaterThan(40);
    expect(scenario.devices.filter((d) => d.role === 'monitor')).toHaveLength(6);
    expect(scenario.devices.filter((d) => d.role === 'coordinator').map((d) => d.device)).toEqual([...DEMO_COORDINATORS]);
    const writers = new Set(creates.map((c) => c.device));
    expect(writers.size).toBe(6);
    for (const w of writers) expect(roleOf.get(w)).toBe('monitor');
    const days = new Set(creates.map((c) => isoDay(wall(c))));
    expect(days.size).toBeGreaterThanOrEqual(12);
    for (const op of all) {
      expect(wall(op)).toBeLessThanOrEqual(NOW);
      expect(wall(op)).toBeGreaterThan(NOW - 17 * DAY);
    }
  });

  it('each device writes valid ops with deviceSeq 1, 2, 3 ... on its own clock, which only goes forward', () => {
    for (const { device } of scenario.devices) {
      const ops = scenario.ops[device]!;
      expect(ops.length).toBeGreaterThan(0);
      ops.forEach((op, i) => {
        expect(opSchema.safeParse(op).success).toBe(true);
        expect(op.device).toBe(device);
        expect(op.deviceSeq).toBe(i + 1);
        expect(decodeHlc(op.body.hlc).node).toBe(nodeIdOf(device));
        if (i > 0) expect(op.body.hlc > ops[i - 1]!.body.hlc).toBe(true);
      });
    }
  });

  it('an op reaches the base after it was written, and supersedes only versions its device had: its own, or received ones', () => {
    for (const op of all) {
      const received = scenario.receivedAt[op.id]!;
      expect(received).toBeGreaterThanOrEqual(wall(op));
      expect(received).toBeLessThanOrEqual(NOW);
      for (const ids of Object.values(op.body.supersedes)) {
        for (const id of ids) {
          const seen = byId.get(id)!;
          expect(seen.body.hlc < op.body.hlc).toBe(true);
          if (seen.device !== op.device) expect(scenario.receivedAt[seen.id]!).toBeLessThanOrEqual(wall(op));
        }
      }
    }
  });

  it('a few reports are in conflict: a monitor and a coordinator changed the same field apart', () => {
    const conflicted = live.filter((v) => v.conflicts.length > 0);
    expect(conflicted.length).toBeGreaterThanOrEqual(3);
    for (const view of conflicted) {
      const state = mergeOps(view.id, opsOf(view.id), authority);
      for (const field of view.conflicts) {
        const roles = new Set(state.fields[field]!.heads.map((h) => roleOf.get(h.device)));
        expect(roles).toEqual(new Set(['monitor', 'coordinator']));
      }
    }
  });

  it('the same event reported by two monitors: same type and village, dates within a day, similar counts; one already marked duplicate', () => {
    const count = (v: ReportView) => (v.type === 'damage' ? v.values.structures : v.values.households);
    const pairs = live.flatMap((a) =>
      live.filter((b) => {
        if (a.id >= b.id || a.type !== b.type || a.type === 'access_cut' || adm3(a.values) !== adm3(b.values)) return false;
        const days = Math.abs(Date.parse(a.values.eventDate!.date) - Date.parse(b.values.eventDate!.date)) / DAY;
        const [ca, cb] = [count(a), count(b)];
        const similar = typeof ca === 'number' && typeof cb === 'number' && Math.abs(ca - cb) <= Math.max(2, 0.2 * Math.max(ca, cb));
        const devices = new Set(
          opsOf(a.id)
            .concat(opsOf(b.id))
            .filter((o) => o.kind === 'create')
            .map((o) => o.device),
        );
        return days <= 1 && similar && devices.size === 2;
      }),
    );
    expect(pairs.length).toBeGreaterThanOrEqual(3);
    const marked = live.filter((v) => v.values.verification === 'duplicate');
    expect(marked.length).toBeGreaterThanOrEqual(1);
    for (const v of marked) {
      const original = views.get(v.values.duplicateOf!)!;
      expect(original.type).toBe(v.type);
      expect(adm3(original.values)).toBe(adm3(v.values));
    }
  });

  it('coordinators set every verification status, and only coordinators set one', () => {
    expect(new Set(live.map((v) => v.values.verification))).toEqual(
      new Set([undefined, 'unverified', 'verified', 'disputed', 'duplicate']),
    );
    for (const op of all) if ('verification' in op.body.changes) expect(roleOf.get(op.device)).toBe('coordinator');
  });

  it('a couple of reports are deleted, one by its monitor and one by a coordinator', () => {
    const deleted = [...views.values()].filter((v) => v.deleted);
    expect(deleted.length).toBeGreaterThanOrEqual(2);
    const deleters = all.filter((o) => o.body.changes.deleted === true).map((o) => roleOf.get(o.device));
    expect(new Set(deleters)).toEqual(new Set(['monitor', 'coordinator']));
  });

  it('bread, water and electricity are cut for three days, and some cut is still going on', () => {
    const cuts = live.filter((v) => v.type === 'access_cut');
    for (const service of ['bread', 'water', 'electricity']) {
      const threeDays = cuts.filter(
        (v) =>
          v.values.service === service &&
          v.values.serviceState === 'restored' &&
          v.values.period?.until !== undefined &&
          Date.parse(v.values.period.until) - Date.parse(v.values.period.since) === 3 * DAY,
      );
      expect(threeDays.length, service).toBeGreaterThanOrEqual(3);
    }
    expect(cuts.some((v) => v.values.serviceState === 'cut' && v.values.period?.until === undefined)).toBe(true);
    // Some were written while the service was cut and updated by their monitor when it came back.
    const updated = all.filter((o) => o.kind === 'edit' && o.body.changes.serviceState === 'restored');
    expect(updated.length).toBeGreaterThan(0);
    for (const o of updated) expect(roleOf.get(o.device)).toBe('monitor');
  });

  it('narratives are mostly in Arabic, some in English', () => {
    const narratives = creates.map((c) => String(c.body.changes.narrative));
    const arabic = narratives.filter((n) => /[\u0600-\u06FF]/.test(n)).length;
    const english = narratives.filter((n) => /^[\x20-\x7E]+$/.test(n)).length;
    expect(arabic + english).toBe(narratives.length);
    expect(arabic).toBeGreaterThan(narratives.length / 2);
    expect(english).toBeGreaterThan(narratives.length / 10);
  });

  it('places are sub-districts of the sample gazetteer, named as it names them, with points near the village', () => {
    const points = new Map<string, { lat: number; lon: number }[]>();
    for (const v of live) {
      const pcode = adm3(v.values)!;
      const path = pathOf(gazetteer, pcode);
      expect(path).toHaveLength(3);
      expect(v.values.admin).toEqual({
        adm1: { pcode: path[0]!.pcode, en: path[0]!.en, ar: path[0]!.ar },
        adm2: { pcode: path[1]!.pcode, en: path[1]!.en, ar: path[1]!.ar },
        adm3: { pcode: path[2]!.pcode, en: path[2]!.en, ar: path[2]!.ar },
      });
      if (v.values.point) points.set(pcode, [...(points.get(pcode) ?? []), v.values.point]);
    }
    expect(points.size).toBeGreaterThanOrEqual(8);
    for (const [pcode, list] of points) {
      const span = (xs: number[]) => Math.max(...xs) - Math.min(...xs);
      // About 2.7 km either way: one village and its edges, never another village.
      expect(span(list.map((p) => p.lat)), pcode).toBeLessThanOrEqual(0.025);
      expect(span(list.map((p) => p.lon)), pcode).toBeLessThanOrEqual(0.031);
    }
  });

  it('the roster names both coordinators, and the partner profile is a desk setting with the default fields', () => {
    const roster = rosterOf(mergeOps(ROSTER_ID, opsOf(ROSTER_ID)));
    for (const d of scenario.devices) expect(roster.get(d.device)).toBe(d.role);
    expect(opsOf(ROSTER_ID).map((o) => o.kind)).toEqual(['deployment']);

    const profileOps = opsOf(`profile:${DEMO_PROFILE}`);
    expect(profileOps.map((o) => [o.kind, roleOf.get(o.device)])).toEqual([['desk', 'coordinator']]);
    const stored = profileFromState(mergeOps(settingId(`profile:${DEMO_PROFILE}`), profileOps));
    expect(stored?.ok).toBe(true);
    if (!stored?.ok) return;
    expect(stored.profile.fields).toEqual(DEFAULT_PARTNER_FIELDS);
    expect(stored.profile.place).toEqual({ by: 'admin', level: 2 });
  });

  it('the same seed and time give the same scenario, another seed another one', () => {
    expect(demoScenario({ seed: 11, now: NOW, gazetteer })).toEqual(scenario);
    const other = demoScenario({ seed: 12, now: NOW, gazetteer });
    expect(other.ops[DEMO_COORDINATORS[0]]![0]!.id).not.toBe(scenario.ops[DEMO_COORDINATORS[0]]![0]!.id);
  });
});
