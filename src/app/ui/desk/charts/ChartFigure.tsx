/**
 * The frame every desk chart shares: a figure whose caption names the chart (and the SVG inside,
 * through aria-labelledby), a line of summary, the chart or a sentence saying why there is none, a
 * key, and the same numbers as a table a screen reader or a spreadsheet user can read.
 */
import type { ComponentChildren, JSX } from 'preact';
import { useId } from 'preact/hooks';
import { useTr } from '../../context.ts';
import './charts.css';

interface Props {
  title: string;
  summary?: ComponentChildren;
  /** Said instead of the chart when there is nothing to draw. */
  empty?: string;
  /** Draws the chart, named by the caption with this id. */
  chart: (captionId: string) => JSX.Element;
  legend?: ComponentChildren;
  table: ComponentChildren;
  notes?: ComponentChildren;
  controls?: ComponentChildren;
}

export function ChartFigure({ title, summary, empty, chart, legend, table, notes, controls }: Props) {
  const tr = useTr();
  const captionId = `chart-caption${useId()}`;
  return (
    <figure class="chart">
      <figcaption id={captionId}>{title}</figcaption>
      {summary && <p class="chart-summary">{summary}</p>}
      {empty !== undefined ? (
        <>
          <p class="empty">{empty}</p>
          {controls}
        </>
      ) : (
        <>
          {chart(captionId)}
          {legend}
          {/* Below the picture, so a phone shows the chart first and the controls when scrolled to. */}
          {controls}
          <details class="chart-numbers">
            <summary>{tr.t('charts.showNumbers')}</summary>
            <table>
              <caption class="visually-hidden">{title}</caption>
              {table}
            </table>
          </details>
        </>
      )}
      {notes}
    </figure>
  );
}

export function Legend({ children }: { children: ComponentChildren }) {
  const tr = useTr();
  return (
    <ul class="chart-legend" aria-label={tr.t('charts.legend')}>
      {children}
    </ul>
  );
}

/** A number as the reader's language writes it, with its value kept machine-readable for copying and checking. */
export function Num({ n }: { n: number }) {
  const tr = useTr();
  return <data value={String(n)}>{tr.number(n)}</data>;
}
