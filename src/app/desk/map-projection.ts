/**
 * Longitude and latitude to the map's SVG coordinates: an equirectangular projection, its x scaled
 * by the cosine of the layer's middle latitude so areas keep their shape at a country's size, fitted
 * to the areas' bounds. No tiles and no projection library: a deployment covers a few degrees.
 */
import type { BoundaryArea } from '../../domain/boundaries.ts';

export interface Projection {
  width: number;
  height: number;
  project: (lon: number, lat: number) => [number, number];
}

/** Room around the areas, in SVG units, so an edge's stroke is not cut. */
const MARGIN = 8;

export function fitProjection(areas: readonly BoundaryArea[], width: number): Projection {
  let [minLon, minLat, maxLon, maxLat] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const a of areas)
    for (const polygon of a.polygons)
      for (const [lon, lat] of polygon[0] ?? []) {
        [minLon, maxLon] = [Math.min(minLon, lon), Math.max(maxLon, lon)];
        [minLat, maxLat] = [Math.min(minLat, lat), Math.max(maxLat, lat)];
      }
  if (!Number.isFinite(minLon)) return { width, height: width / 2, project: () => [width / 2, width / 4] };
  const k = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const spanX = Math.max((maxLon - minLon) * k, 1e-9);
  const spanY = Math.max(maxLat - minLat, 1e-9);
  const scale = (width - 2 * MARGIN) / spanX;
  const height = Math.round(spanY * scale + 2 * MARGIN);
  const at = (n: number) => Math.round(n * 10) / 10;
  return {
    width,
    height,
    // North up: SVG's y grows downwards, latitude upwards.
    project: (lon, lat) => [at(MARGIN + (lon - minLon) * k * scale), at(MARGIN + (maxLat - lat) * scale)],
  };
}

/** An area's SVG path: every ring closed, holes cut out by the even-odd rule the map draws with. */
export function areaPath(area: BoundaryArea, projection: Projection): string {
  return area.polygons
    .flatMap((rings) => rings.map((ring) => `M${ring.map(([lon, lat]) => projection.project(lon, lat).join(',')).join('L')}Z`))
    .join('');
}
