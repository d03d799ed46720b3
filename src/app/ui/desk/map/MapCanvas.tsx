/**
 * The map itself: the boundary layer's areas at one admin level, shaded by their number of reports,
 * and the reports with a point as dots, in SVG drawn on this device from the layer it keeps. No tile
 * and no request: the app makes none at run time. Each area is named with its count, so a screen
 * reader hears what the shades show. North stays up and west left in either language: a map is
 * never mirrored.
 */
import { useMemo } from 'preact/hooks';
import { areaLabel, type AdminLevel } from '../../../../domain/gazetteer.ts';
import { stepOf, type AreaCounts, type PlacedReport, type Step } from '../../../desk/map-data.ts';
import { areaPath, fitProjection } from '../../../desk/map-projection.ts';
import { useTr } from '../../context.ts';

/** SVG units across; the drawing scales to its box. */
const WIDTH = 800;

/**
 * Light to dark by number of reports, the first for none: a single hue, so more reads as darker in
 * any culture's colours, and the dark edge between areas keeps neighbours apart whatever their shade.
 */
export const SHADES = ['#f1f3f4', '#c6dbef', '#6baed6', '#2b7bba', '#08306b'] as const;

interface Props {
  level: AdminLevel;
  counts: AreaCounts;
  steps: readonly Step[];
  placed: readonly PlacedReport[];
}

export function MapCanvas({ level, counts, steps, placed }: Props) {
  const tr = useTr();
  const projection = useMemo(
    () =>
      fitProjection(
        counts.areas.map((a) => a.area),
        WIDTH,
      ),
    [counts.areas],
  );
  const paths = useMemo(() => counts.areas.map((a) => areaPath(a.area, projection)), [counts.areas, projection]);
  return (
    <svg
      class="map-canvas"
      viewBox={`0 0 ${projection.width} ${projection.height}`}
      role="group"
      aria-label={tr.t(`map.label.${level}`)}
      dir="ltr"
    >
      <g role="group" aria-label={tr.t('map.areas')}>
        {counts.areas.map((a, i) => {
          const label = tr.t('map.area', { name: areaLabel(a.area, tr.lang), n: a.count });
          return (
            <path
              key={a.area.pcode}
              role="img"
              aria-label={label}
              d={paths[i]}
              fill={SHADES[Math.min(stepOf(steps, a.count), SHADES.length - 1)]}
              fill-rule="evenodd"
              stroke="#1b2327"
              stroke-width="1"
              stroke-linejoin="round"
            >
              <title>{label}</title>
            </path>
          );
        })}
      </g>
      {placed.length > 0 && (
        <g role="img" aria-label={tr.plural('map.dots', placed.length)} class="map-dots">
          {placed.map((p) => {
            const [x, y] = projection.project(p.point.lon, p.point.lat);
            return <circle key={p.report.report.id} cx={x} cy={y} r="3.5" fill="#fff" stroke="#1b2327" stroke-width="1.5" />;
          })}
        </g>
      )}
    </svg>
  );
}
