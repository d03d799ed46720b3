/**
 * Boundary layers: the shapes of admin areas, read from OCHA's COD-AB GeoJSON as published for each
 * country, for the desk's map. Each feature's admin level is read from its properties (the deepest
 * `ADMn_PCODE` it has), so one file may hold one level or several.
 *
 * A layer runs to megabytes at survey detail; what is kept is simplified to what a screen can show.
 * A feature that cannot be drawn (no polygon, no p-code, a repeat) is counted and skipped; a file
 * with nothing to draw is refused whole, so it never replaces a layer that works.
 */
import { z } from 'zod/mini';
import { adminLevelSchema, PCODE_PATTERN, type AdminLevel } from './gazetteer.ts';
import { simplifyRing, type Position } from './simplify.ts';

/** What Settings reads at most: a country's sub-districts at full detail are some tens of megabytes. */
export const MAX_BOUNDARY_MB = 50;
export const MAX_BOUNDARY_BYTES = MAX_BOUNDARY_MB * 1_000_000;

/**
 * The simplification's tolerance as a share of the layer's larger side: about one pixel of a map two
 * thousand pixels across, finer than a coordinator's screen shows.
 */
const TOLERANCE_SHARE = 1 / 2000;
/** Decimal places kept in a position: about a metre, far below the tolerance. */
const DECIMALS = 5;

const positionSchema = z.tuple([z.number(), z.number()], z.number());
const ringSchema = z.array(positionSchema);
const geometrySchema = z.union([
  z.object({ type: z.literal('Polygon'), coordinates: z.array(ringSchema) }),
  z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(ringSchema)) }),
]);
const featureSchema = z.object({
  type: z.literal('Feature'),
  properties: z.nullish(z.record(z.string(), z.unknown())),
  geometry: z.nullish(z.unknown()),
});
const collectionSchema = z.object({ type: z.literal('FeatureCollection'), features: z.array(z.unknown()) });

const storedPosition = z.tuple([z.number(), z.number()]);
export const boundaryAreaSchema = z.object({
  pcode: z.string().check(z.regex(PCODE_PATTERN)),
  level: adminLevelSchema,
  en: z.optional(z.string()),
  ar: z.optional(z.string()),
  /** Polygons, each an outer ring then its holes; positions `[lon, lat]`. */
  polygons: z.array(z.array(z.array(storedPosition))),
});
export type BoundaryArea = z.infer<typeof boundaryAreaSchema>;

/** The simplified areas as kept on this device; `name` is the file they came from. */
export const boundaryLayerSchema = z.object({ name: z.string(), areas: z.array(boundaryAreaSchema) });
export type BoundaryLayer = z.infer<typeof boundaryLayerSchema>;

export type BoundaryError = { key: 'err.boundaries.tooLarge' | 'err.boundaries.notGeoJson' | 'err.boundaries.noAreas' };
export type BoundaryImport = { ok: true; layer: BoundaryLayer; skipped: number } | { ok: false; error: BoundaryError };

/** Property names compared without case, `_` or spaces: `ADM2_PCODE`, `adm2_pcode`, `admin2Pcode`. */
const normalise = (name: string) => name.toLowerCase().replace(/[\s_]/g, '');
const PCODE_PROPERTY = /^adm(?:in)?([123])pcode$/;
const NAME_PROPERTY = /^adm(?:in)?([123])(?:name)?(en|ar)$/;

interface Described {
  pcode: string;
  level: AdminLevel;
  en?: string;
  ar?: string;
}

/** The deepest level whose p-code the feature carries, and its names at that level. */
export function describeFeature(properties: Record<string, unknown>): Described | undefined {
  const pcodes = new Map<number, string>();
  const names = new Map<string, string>();
  for (const [raw, value] of Object.entries(properties)) {
    if (typeof value !== 'string' || value.trim() === '') continue;
    const key = normalise(raw);
    const p = PCODE_PROPERTY.exec(key);
    if (p) pcodes.set(Number(p[1]), value.trim().toUpperCase());
    const n = NAME_PROPERTY.exec(key);
    if (n && !names.has(`${n[1]}${n[2]}`)) names.set(`${n[1]}${n[2]}`, value.trim());
  }
  const level = ([3, 2, 1] as const).find((l) => pcodes.has(l));
  if (!level) return undefined;
  const pcode = pcodes.get(level)!;
  if (!PCODE_PATTERN.test(pcode)) return undefined;
  const en = names.get(`${level}en`);
  const ar = names.get(`${level}ar`);
  return { pcode, level, ...(en && { en }), ...(ar && { ar }) };
}

type Rings = readonly (readonly Position[])[];

function polygonsOf(geometry: unknown): Rings[] | undefined {
  const g = geometrySchema.safeParse(geometry);
  if (!g.success) return undefined;
  const positions = (rings: readonly (readonly (readonly number[])[])[]): Rings =>
    rings.map((ring) => ring.map((p): Position => [p[0]!, p[1]!]));
  return g.data.type === 'Polygon' ? [positions(g.data.coordinates)] : g.data.coordinates.map(positions);
}

function bounds(polygons: Iterable<Rings>): { width: number; height: number } {
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const rings of polygons)
    for (const [x, y] of rings[0] ?? [])
      [minX, minY, maxX, maxY] = [Math.min(minX, x), Math.min(minY, y), Math.max(maxX, x), Math.max(maxY, y)];
  return { width: maxX - minX, height: maxY - minY };
}

const round = (n: number) => Math.round(n * 10 ** DECIMALS) / 10 ** DECIMALS;

/**
 * A ring simplified at the tolerance, or at a finer one when that would flatten it: a small island is
 * kept at its own scale rather than lost.
 */
function simplified(ring: readonly Position[], tolerance: number): [number, number][] | undefined {
  for (let t = tolerance; t > tolerance / 1000; t /= 8) {
    const out = simplifyRing(ring, t);
    if (out) return out.map(([x, y]) => [round(x), round(y)]);
  }
  return undefined;
}

/** Outer rings that keep a shape, each with the holes that do; undefined when none is left. */
function simplifyPolygons(polygons: readonly Rings[], tolerance: number): [number, number][][][] | undefined {
  const kept = polygons.flatMap((rings) => {
    const [outer, ...holes] = rings;
    const shell = outer && simplified(outer, tolerance);
    if (!shell) return [];
    const inner = holes.map((h) => simplifyRing(h, tolerance)).filter((h) => h !== undefined);
    return [[shell, ...inner.map((h) => h.map(([x, y]): [number, number] => [round(x), round(y)]))]];
  });
  return kept.length > 0 ? kept : undefined;
}

/**
 * A COD-AB GeoJSON file read into a simplified layer. `bytes` is the file's size, checked before
 * anything is parsed. The first feature of a p-code wins; later ones are counted as skipped.
 */
export function parseBoundaries(text: string, name: string, bytes = text.length): BoundaryImport {
  if (bytes > MAX_BOUNDARY_BYTES) return { ok: false, error: { key: 'err.boundaries.tooLarge' } };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: { key: 'err.boundaries.notGeoJson' } };
  }
  const collection = collectionSchema.safeParse(json);
  if (!collection.success) return { ok: false, error: { key: 'err.boundaries.notGeoJson' } };

  const found: { area: Described; polygons: Rings[] }[] = [];
  const seen = new Set<string>();
  let skipped = 0;
  for (const raw of collection.data.features) {
    const feature = featureSchema.safeParse(raw);
    const area = feature.success ? describeFeature(feature.data.properties ?? {}) : undefined;
    const polygons = feature.success ? polygonsOf(feature.data.geometry) : undefined;
    if (!area || !polygons || seen.has(area.pcode)) {
      skipped++;
      continue;
    }
    seen.add(area.pcode);
    found.push({ area, polygons });
  }

  const { width, height } = bounds(found.flatMap((f) => f.polygons));
  const tolerance = Math.max(width, height) * TOLERANCE_SHARE;
  const areas: BoundaryArea[] = [];
  for (const { area, polygons } of found) {
    const kept = simplifyPolygons(polygons, tolerance);
    if (kept) areas.push({ ...area, polygons: kept });
    else skipped++;
  }
  if (areas.length === 0) return { ok: false, error: { key: 'err.boundaries.noAreas' } };
  return { ok: true, layer: { name, areas }, skipped };
}

/** An import's levels replace the same levels of the layer already kept; its other levels stay. */
export function mergeLayers(kept: BoundaryLayer | undefined, added: BoundaryLayer): BoundaryLayer {
  const levels = new Set(added.areas.map((a) => a.level));
  const others = kept?.areas.filter((a) => !levels.has(a.level)) ?? [];
  return { name: added.name, areas: [...others, ...added.areas] };
}

/** How many areas the layer has at each level it has, shallowest first. */
export function layerLevels(layer: BoundaryLayer): { level: AdminLevel; count: number }[] {
  const counts = new Map<AdminLevel, number>();
  for (const a of layer.areas) counts.set(a.level, (counts.get(a.level) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a - b).map(([level, count]) => ({ level, count }));
}
