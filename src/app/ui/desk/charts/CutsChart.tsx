/** Chart 3: access cuts going on now, one bar per service and area, its length the days the cut has lasted. */
import { ongoingCuts, type OngoingCut } from '../../../desk/chart-data.ts';
import { areaLabel, type AdminLookup } from '../../../../domain/gazetteer.ts';
import type { ReportView } from '../../../../domain/merge.ts';
import type { Translator } from '../../../i18n/i18n.ts';
import { useTr } from '../../context.ts';
import { ChartFigure, Legend, Num } from './ChartFigure.tsx';
import { Swatch, type Fill } from './fills.tsx';
import { HorizontalBars } from './HorizontalBars.tsx';

/** Cut and partly cut: red and solid, brown and striped; the label says "partly cut" as well. */
const FILLS: readonly Fill[] = [
  { colour: '#a1262c', pattern: 'solid' },
  { colour: '#8a5a00', pattern: 'diagonal' },
];
const FILL_OF = { cut: 0, partial: 1 } as const;

function placeLabel(tr: Translator, cut: OngoingCut): string {
  switch (cut.place.kind) {
    case 'area':
      return areaLabel(cut.place.area, tr.lang);
    case 'place':
      return cut.place.name;
    case 'unknown':
      return tr.t('charts.cuts.unknownPlace');
  }
}

function duration(tr: Translator, days: number): string {
  return days === 0 ? tr.t('charts.cuts.today') : tr.plural('charts.cuts.days', days);
}

export function CutsChart({ views, now, lookup }: { views: readonly ReportView[]; now: Date; lookup?: AdminLookup }) {
  const tr = useTr();
  const cuts = ongoingCuts(views, now, { lookup });
  const title = tr.t('charts.cuts.title');
  const service = (c: OngoingCut) => tr.tk(`code.service.${c.service}`);
  const label = (c: OngoingCut) =>
    tr.t(c.state === 'cut' ? 'charts.cuts.label' : 'charts.cuts.labelPartial', { service: service(c), place: placeLabel(tr, c) });
  const key = (c: OngoingCut) =>
    `${c.service}:${c.place.kind === 'area' ? (c.place.area.pcode ?? areaLabel(c.place.area, 'en')) : placeLabel(tr, c)}`;

  return (
    <ChartFigure
      title={title}
      summary={cuts.length > 0 && tr.plural('charts.cuts.summary', cuts.length)}
      empty={cuts.length === 0 ? tr.t('charts.cuts.empty') : undefined}
      chart={(captionId) => (
        <HorizontalBars
          labelledBy={captionId}
          title={title}
          dir={tr.dir}
          fills={FILLS}
          rows={cuts.map((c) => ({
            key: key(c),
            label: label(c),
            valueText: duration(tr, c.days),
            value: c.days,
            fill: FILL_OF[c.state],
            tooltip: tr.t('charts.cuts.line', { label: label(c), duration: duration(tr, c.days) }),
          }))}
        />
      )}
      legend={
        <Legend>
          {(['cut', 'partial'] as const).map((s) => (
            <li key={s}>
              <Swatch fill={FILLS[FILL_OF[s]]!} />
              {tr.t(`code.serviceState.${s}`)}
            </li>
          ))}
        </Legend>
      }
      table={
        <>
          <thead>
            <tr>
              <th scope="col">{tr.t('field.service')}</th>
              <th scope="col">{tr.t('charts.area')}</th>
              <th scope="col">{tr.t('field.serviceState')}</th>
              <th scope="col">{tr.t('charts.cuts.since')}</th>
              <th scope="col" class="num">
                {tr.t('charts.cuts.duration')}
              </th>
              <th scope="col" class="num">
                {tr.t('charts.reports')}
              </th>
            </tr>
          </thead>
          <tbody>
            {cuts.map((c) => (
              <tr key={key(c)} data-cut={key(c)}>
                <th scope="row">{service(c)}</th>
                <td>{placeLabel(tr, c)}</td>
                <td>{tr.t(`code.serviceState.${c.state}`)}</td>
                <td>
                  <time dateTime={c.since}>{tr.date(c.since)}</time>
                </td>
                <td>
                  <data value={String(c.days)}>{duration(tr, c.days)}</data>
                </td>
                <td>
                  <Num n={c.reports} />
                </td>
              </tr>
            ))}
          </tbody>
        </>
      }
    />
  );
}
