/** The map's key: the shade of each step of counts, and the dot. The table beside it has the exact numbers. */
import type { Step } from '../../../desk/map-data.ts';
import { useTr } from '../../context.ts';
import { Legend } from '../charts/ChartFigure.tsx';
import { Swatch } from '../charts/fills.tsx';
import { SHADES } from './MapCanvas.tsx';

export function MapLegend({ steps, dots }: { steps: readonly Step[]; dots: boolean }) {
  const tr = useTr();
  const text = (s: Step) =>
    s.to === 0
      ? tr.t('map.step.none')
      : s.from === s.to
        ? tr.t('map.step.one', { n: s.from })
        : tr.t('map.step.range', { from: s.from, to: s.to });
  return (
    <Legend>
      {steps.map((s, i) => (
        <li key={s.from}>
          <Swatch fill={{ colour: SHADES[Math.min(i, SHADES.length - 1)]!, pattern: 'solid' }} />
          {text(s)}
        </li>
      ))}
      {dots && (
        <li>
          <svg class="chart-swatch" width="18" height="18" viewBox="0 0 18 18" aria-hidden="true" focusable="false">
            <circle cx="9" cy="9" r="4.5" fill="#fff" stroke="#1b2327" stroke-width="1.5" />
          </svg>
          {tr.t('map.dotKey')}
        </li>
      )}
    </Legend>
  );
}
