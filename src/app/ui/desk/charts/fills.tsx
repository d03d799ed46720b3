/**
 * How a series is filled: a colour and a pattern, so two series never differ by colour alone, with
 * a thin white edge between neighbouring bars. Pattern ids are made unique per chart, as several
 * charts share one page.
 */
import { useId } from 'preact/hooks';

export type FillName = 'solid' | 'diagonal' | 'horizontal' | 'cross' | 'dots';

export interface Fill {
  /** Dark enough for 4.5:1 against white, so white pattern lines on it stay visible too. */
  colour: string;
  pattern: FillName;
}

const SIZE = 6;

function PatternMarks({ name }: { name: FillName }) {
  switch (name) {
    case 'solid':
      return null;
    case 'diagonal':
      return <path d={`M-1,1 l2,-2 M0,${SIZE} l${SIZE},-${SIZE} M${SIZE - 1},${SIZE + 1} l2,-2`} stroke="#fff" stroke-width="1.6" />;
    case 'horizontal':
      return <path d={`M0,${SIZE / 2} h${SIZE}`} stroke="#fff" stroke-width="1.6" />;
    case 'cross':
      return <path d={`M0,${SIZE / 2} h${SIZE} M${SIZE / 2},0 v${SIZE}`} stroke="#fff" stroke-width="1.2" />;
    case 'dots':
      return <circle cx={SIZE / 2} cy={SIZE / 2} r="1.3" fill="#fff" />;
  }
}

export function patternId(prefix: string, index: number): string {
  return `${prefix}-fill-${index}`;
}

/** One <pattern> per fill, to go in the chart's <defs>. */
export function FillDefs({ prefix, fills }: { prefix: string; fills: readonly Fill[] }) {
  return (
    <>
      {fills.map((f, i) => (
        <pattern key={i} id={patternId(prefix, i)} width={SIZE} height={SIZE} patternUnits="userSpaceOnUse">
          <rect width={SIZE} height={SIZE} fill={f.colour} />
          <PatternMarks name={f.pattern} />
        </pattern>
      ))}
    </>
  );
}

/** A legend's sample of a fill: a small SVG of its own, since the legend is HTML. */
export function Swatch({ fill }: { fill: Fill }) {
  const id = `swatch${useId()}`;
  return (
    <svg class="chart-swatch" width="18" height="18" viewBox="0 0 18 18" aria-hidden="true" focusable="false">
      <defs>
        <FillDefs prefix={id} fills={[fill]} />
      </defs>
      <rect x="0.5" y="0.5" width="17" height="17" fill={`url(#${patternId(id, 0)})`} stroke="#1b2327" />
    </svg>
  );
}
