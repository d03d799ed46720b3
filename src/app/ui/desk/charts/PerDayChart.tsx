/** Chart 1: reports per day, stacked by type, over the latest 30 days with reports or a range the coordinator picks. */
import { useState } from 'preact/hooks';
import { DEFAULT_DAYS, reportsPerDay, type DayRange } from '../../../desk/chart-data.ts';
import { REPORT_TYPES } from '../../../../domain/report-codes.ts';
import type { ReportView } from '../../../../domain/merge.ts';
import { useTr } from '../../context.ts';
import { ChartFigure, Legend, Num } from './ChartFigure.tsx';
import { dayMonth } from './day-label.ts';
import { Swatch, type Fill } from './fills.tsx';
import { StackedBars } from './StackedBars.tsx';

/** In the order of REPORT_TYPES: a colour and a pattern each, so the types differ in greyscale too. */
export const TYPE_FILLS: readonly Fill[] = [
  { colour: '#1f4e5f', pattern: 'solid' },
  { colour: '#9c3d0a', pattern: 'diagonal' },
  { colour: '#5b3a8c', pattern: 'cross' },
];

export function PerDayChart({ views, now }: { views: readonly ReportView[]; now: Date }) {
  const tr = useTr();
  const [chosen, setChosen] = useState<Partial<DayRange> | undefined>(undefined);
  const series = reportsPerDay(views, now, chosen);
  const title = tr.t('charts.perDay.title');
  const typeLabels = REPORT_TYPES.map((t) => tr.t(`type.${t}`));
  const sep = tr.t('charts.listSeparator');
  const typeTotals = REPORT_TYPES.map((t) => series.days.reduce((n, d) => n + d.counts[t], 0));

  const range = series.range;
  const controls = range && (
    <fieldset class="chart-range">
      <legend>{tr.t('charts.perDay.range')}</legend>
      <label>
        {tr.t('charts.perDay.from')}
        <input
          type="date"
          value={range.from}
          max={range.to}
          onChange={(e) => e.currentTarget.value && setChosen({ from: e.currentTarget.value, to: range.to })}
        />
      </label>
      <label>
        {tr.t('charts.perDay.to')}
        <input
          type="date"
          value={range.to}
          min={range.from}
          onChange={(e) => e.currentTarget.value && setChosen({ from: range.from, to: e.currentTarget.value })}
        />
      </label>
      <button type="button" class="secondary" disabled={chosen === undefined} onClick={() => setChosen(undefined)}>
        {tr.t('charts.perDay.latest', { n: DEFAULT_DAYS })}
      </button>
    </fieldset>
  );

  return (
    <ChartFigure
      title={title}
      controls={controls}
      summary={
        range && series.total > 0 && tr.plural('charts.perDay.summary', series.total, { from: tr.date(range.from), to: tr.date(range.to) })
      }
      empty={!range ? tr.t('charts.perDay.empty') : series.total === 0 ? tr.t('charts.perDay.emptyRange') : undefined}
      chart={(captionId) => (
        <StackedBars
          labelledBy={captionId}
          title={title}
          dir={tr.dir}
          fills={TYPE_FILLS}
          formatNumber={tr.number}
          columns={series.days.map((d) => ({
            key: d.date,
            label: dayMonth(tr, d.date),
            tooltip: tr.t('charts.perDay.barTitle', {
              day: tr.date(d.date),
              counts: REPORT_TYPES.map((t, i) => tr.t('charts.countOf', { label: typeLabels[i]!, n: d.counts[t] })).join(sep),
            }),
            values: REPORT_TYPES.map((t) => d.counts[t]),
          }))}
        />
      )}
      legend={
        <Legend>
          {REPORT_TYPES.map((t, i) => (
            <li key={t}>
              <Swatch fill={TYPE_FILLS[i]!} />
              {tr.t('charts.countOf', { label: typeLabels[i]!, n: typeTotals[i]! })}
            </li>
          ))}
        </Legend>
      }
      table={
        <>
          <thead>
            <tr>
              <th scope="col">{tr.t('charts.perDay.day')}</th>
              {typeLabels.map((l) => (
                <th scope="col" class="num" key={l}>
                  {l}
                </th>
              ))}
              <th scope="col" class="num">
                {tr.t('charts.perDay.total')}
              </th>
            </tr>
          </thead>
          <tbody>
            {series.days.map((d) => (
              <tr key={d.date} data-day={d.date}>
                <th scope="row">
                  <time dateTime={d.date}>{tr.date(d.date)}</time>
                </th>
                {REPORT_TYPES.map((t) => (
                  <td key={t}>
                    <Num n={d.counts[t]} />
                  </td>
                ))}
                <td>
                  <Num n={d.total} />
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{tr.t('charts.perDay.total')}</th>
              {typeTotals.map((n, i) => (
                <td key={i}>
                  <Num n={n} />
                </td>
              ))}
              <td>
                <Num n={series.total} />
              </td>
            </tr>
          </tfoot>
        </>
      }
      notes={series.outside > 0 && <p class="chart-note">{tr.plural('charts.perDay.outside', series.outside)}</p>}
    />
  );
}
