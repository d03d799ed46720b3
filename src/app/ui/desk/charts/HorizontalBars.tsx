/**
 * Horizontal bars, one row each: a label at the inline start, its value in words at the inline end,
 * and below them a bar whose length is the value. Two lines per row keep long place names readable
 * on a 360 px phone, where a label beside its bar would leave no room for the bar.
 */
import { useId } from 'preact/hooks';
import { FillDefs, patternId, type Fill } from './fills.tsx';
import { fitText, textWidth } from './text-width.ts';
import { useWidth } from './useWidth.ts';

export interface BarRow {
  key: string;
  label: string;
  /** The value as words, e.g. "3 days" or "120 people, 25 households". */
  valueText: string;
  value: number;
  /** Index into the chart's fills. */
  fill: number;
  tooltip: string;
}

interface Props {
  labelledBy: string;
  title: string;
  rows: readonly BarRow[];
  fills: readonly Fill[];
  dir: 'rtl' | 'ltr';
}

const FONT = 13;
const LINE = 18;
const BAR = 16;
const GAP = 14;
/** A zero still gets a sliver, so "lasting since today" is seen as a bar and not as a missing one. */
const MIN_BAR = 3;

export function HorizontalBars({ labelledBy, title, rows, fills, dir }: Props) {
  const [ref, width] = useWidth<HTMLDivElement>(320);
  const prefix = `hbars${useId()}`;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const x = (start: number, length = 0) => (dir === 'rtl' ? width - start - length : start);

  let y = 0;
  const laidOut = rows.map((r) => {
    // The value moves under the bar when label and value do not fit on one line.
    const together = textWidth(r.label, FONT) + textWidth(r.valueText, FONT) + 16 <= width;
    const top = y;
    y += LINE + BAR + (together ? 0 : LINE) + GAP;
    return { row: r, top, together };
  });
  const height = Math.max(y - GAP + 2, 1);

  return (
    <div class="chart-canvas" ref={ref}>
      <svg
        role="img"
        aria-labelledby={labelledBy}
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        direction={dir}
        data-chart="bars"
      >
        <title>{title}</title>
        <defs>
          <FillDefs prefix={prefix} fills={fills} />
        </defs>
        {laidOut.map(({ row, top, together }) => {
          const length = Math.max(MIN_BAR, (row.value / max) * width);
          return (
            <g key={row.key} class="chart-row" data-key={row.key}>
              <title>{row.tooltip}</title>
              <text x={x(0)} y={top + FONT} text-anchor="start" class="chart-row-label">
                {fitText(row.label, width, FONT)}
              </text>
              <text
                x={together ? x(width) : x(0)}
                y={top + (together ? FONT : LINE + BAR + FONT + 2)}
                text-anchor={together ? 'end' : 'start'}
                class="chart-row-value"
              >
                {row.valueText}
              </text>
              <rect x={x(0, width)} y={top + LINE - 2} width={width} height={BAR} class="chart-track" />
              <rect x={x(0, length)} y={top + LINE - 2} width={length} height={BAR} fill={`url(#${patternId(prefix, row.fill)})`} />
            </g>
          );
        })}
      </svg>
    </div>
  );
}
