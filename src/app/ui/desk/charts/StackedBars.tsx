/**
 * Vertical bars, one per column, each split into stacked series: reports per day by type. Drawn at
 * the width it is given, with the first column at the inline start, so in Arabic time runs from
 * right to left and the value axis stands on the right.
 */
import { useId } from 'preact/hooks';
import { valueTicks } from '../../../desk/chart-data.ts';
import { FillDefs, patternId, type Fill } from './fills.tsx';
import { textWidth } from './text-width.ts';
import { useWidth } from './useWidth.ts';

export interface StackedColumn {
  key: string;
  /** Under the column, where there is room for it. */
  label: string;
  /** The column's numbers in words, shown on hover. */
  tooltip: string;
  /** One per series, in the order of `fills`. */
  values: readonly number[];
}

interface Props {
  labelledBy: string;
  title: string;
  columns: readonly StackedColumn[];
  fills: readonly Fill[];
  dir: 'rtl' | 'ltr';
  formatNumber: (n: number) => string;
}

const FONT = 12;
const PLOT_HEIGHT = 190;
const TOP = 10;
const LABEL_ROOM = 26;
const END_GAP = 8;

export function StackedBars({ labelledBy, title, columns, fills, dir, formatNumber }: Props) {
  const [ref, width] = useWidth<HTMLDivElement>(320);
  const prefix = `bars${useId()}`;
  const totals = columns.map((c) => c.values.reduce((a, b) => a + b, 0));
  const ticks = valueTicks(Math.max(0, ...totals));
  const top = ticks.at(-1)!;
  const tickLabels = ticks.map(formatNumber);
  const axis = Math.max(24, ...tickLabels.map((t) => textWidth(t, FONT))) + 8;
  const plotWidth = width - axis - END_GAP;
  const band = plotWidth / Math.max(1, columns.length);
  const barWidth = Math.max(1, Math.min(40, band * 0.72));
  const height = TOP + PLOT_HEIGHT + LABEL_ROOM;
  const y = (v: number) => TOP + PLOT_HEIGHT - (v / top) * PLOT_HEIGHT;
  // Logical positions run from the inline start; only here do they become SVG's left-to-right x.
  const x = (start: number, length = 0) => (dir === 'rtl' ? width - start - length : start);

  const centre = (i: number) => axis + band * i + band / 2;
  // Dates go under the columns from the newest back, each kept clear of the one before it, so the
  // latest day always has its date and no two dates overlap at any width.
  const labels: { key: string; text: string; at: number }[] = [];
  for (let i = columns.length - 1, last = Infinity; i >= 0; i--) {
    const text = columns[i]!.label;
    const half = textWidth(text, FONT) / 2 + 4;
    const at = Math.min(Math.max(centre(i), axis + half), width - half);
    if (at + half > last) continue;
    labels.push({ key: columns[i]!.key, text, at });
    last = at - half;
  }

  return (
    <div class="chart-canvas" ref={ref}>
      <svg
        role="img"
        aria-labelledby={labelledBy}
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        direction={dir}
        data-chart="stacked"
      >
        <title>{title}</title>
        <defs>
          <FillDefs prefix={prefix} fills={fills} />
        </defs>
        <g class="chart-grid" aria-hidden="true">
          {ticks.map((t, i) => (
            <g key={t}>
              {t > 0 && <line x1={x(axis)} x2={x(width - END_GAP)} y1={y(t)} y2={y(t)} />}
              <text x={x(axis - 6)} y={y(t) + FONT / 3} text-anchor="end">
                {tickLabels[i]}
              </text>
            </g>
          ))}
        </g>
        {columns.map((c, i) => {
          let base = 0;
          return (
            <g key={c.key} class="chart-column" data-key={c.key}>
              <title>{c.tooltip}</title>
              {/* The whole band answers hover, so a day with few reports is as easy to point at. */}
              <rect x={x(axis + band * i, band)} y={TOP} width={band} height={PLOT_HEIGHT} fill="transparent" />
              {c.values.map((v, s) => {
                if (v === 0) return null;
                const y0 = y(base);
                base += v;
                return (
                  <rect
                    key={s}
                    x={x(centre(i) - barWidth / 2, barWidth)}
                    y={y(base)}
                    width={barWidth}
                    height={y0 - y(base)}
                    fill={`url(#${patternId(prefix, s)})`}
                    stroke="#fff"
                    stroke-width={barWidth > 3 ? 0.75 : 0}
                  />
                );
              })}
            </g>
          );
        })}
        {/* Over the bars, so their white edges do not break it. */}
        <line class="chart-baseline" x1={x(axis)} x2={x(width - END_GAP)} y1={y(0)} y2={y(0)} aria-hidden="true" />
        <g class="chart-ticks" aria-hidden="true">
          {labels.map((l) => (
            <text key={l.key} x={x(l.at)} y={TOP + PLOT_HEIGHT + 17} text-anchor="middle">
              {l.text}
            </text>
          ))}
        </g>
      </svg>
    </div>
  );
}
