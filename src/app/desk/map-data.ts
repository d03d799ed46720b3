/**
 * The numbers behind the desk's map: reports counted by the admin areas of the boundary layer, at one
 * admin level, under the desk's filters. The map's shades, the names of its areas and the table beside
 * it all read `areaCounts`, so what is drawn and what is written cannot differ.
 */
import type { BoundaryArea, BoundaryLayer } from '../../domain/boundaries.ts';
import type { AdminLevel } from '../../domain/gazetteer.ts';
import type { Point } from '../../domain/report.ts';
import type { IndexedReport, ResolvedArea } from './filter.ts';

export interface AreaCount {
  area: BoundaryArea;
  count: number;
}

export interface AreaCounts {
  /** Every area of the layer at the level, reports or none, in the layer's order. */
  areas: AreaCount[];
  /** Reports filed under no admin area at this level. */
  noArea: number;
  /** Reports filed under an admin area of this level that the layer does not have. */
  notInLayer: number;
}

function areaAt(r: IndexedReport, level: AdminLevel): ResolvedArea | undefined {
  return level === 1 ? r.adm1 : level === 2 ? r.adm2 : r.adm3;
}

export function areaCounts(reports: readonly IndexedReport[], layer: BoundaryLayer, level: AdminLevel): AreaCounts {
  const counts = new Map<string, number>();
  const areas = layer.areas.filter((a) => a.level === level);
  for (const a of areas) counts.set(a.pcode, 0);
  let noArea = 0;
  let notInLayer = 0;
  for (const r of reports) {
    const at = areaAt(r, level);
    if (!at) noArea++;
    else if (at.pcode !== undefined && counts.has(at.pcode)) counts.set(at.pcode, counts.get(at.pcode)! + 1);
    else notInLayer++;
  }
  return { areas: areas.map((area) => ({ area, count: counts.get(area.pcode)! })), noArea, notInLayer };
}

/**
 * The level the map opens at: the deepest one of the layer that has a report in one of its areas,
 * else the deepest it has. Undefined for an empty layer.
 */
export function defaultLevel(reports: readonly IndexedReport[], layer: BoundaryLayer): AdminLevel | undefined {
  const levels = [...new Set(layer.areas.map((a) => a.level))].sort((a, b) => b - a);
  const pcodes = new Set(layer.areas.map((a) => `${a.level}:${a.pcode}`));
  return levels.find((l) => reports.some((r) => pcodes.has(`${l}:${areaAt(r, l)?.pcode}`))) ?? levels[0];
}

export interface PlacedReport {
  report: IndexedReport;
  point: Point;
}

/** The reports that carry a point: the map's dots. */
export function placedReports(reports: readonly IndexedReport[]): PlacedReport[] {
  return reports.flatMap((report) => {
    const point = report.report.view.values.point;
    return point ? [{ report, point }] : [];
  });
}

/**
 * The legend's steps: none, then up to four ranges of equal width up to the largest count. Equal
 * ranges read plainly in a table of numbers, which carries the exact counts anyway.
 */
export interface Step {
  from: number;
  to: number;
}

export function legendSteps(max: number): Step[] {
  if (max <= 0) return [{ from: 0, to: 0 }];
  const width = Math.ceil(max / 4);
  const steps: Step[] = [{ from: 0, to: 0 }];
  for (let from = 1; from <= max; from += width) steps.push({ from, to: Math.min(max, from + width - 1) });
  return steps;
}

/** Which step a count falls in. */
export function stepOf(steps: readonly Step[], count: number): number {
  const i = steps.findIndex((s) => count >= s.from && count <= s.to);
  return i === -1 ? steps.length - 1 : i;
}
