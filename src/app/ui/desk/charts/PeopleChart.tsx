/** Chart 2: people displaced, by the area they left: the 15 largest areas, the rest together, and reports naming no area. */
import { peopleDisplacedByArea, type AreaPeople } from '../../../desk/chart-data.ts';
import { areaLabel, type AdminLookup } from '../../../../domain/gazetteer.ts';
import type { ReportView } from '../../../../domain/merge.ts';
import type { Translator } from '../../../i18n/i18n.ts';
import { useTr } from '../../context.ts';
import { ChartFigure, Legend, Num } from './ChartFigure.tsx';
import { Swatch, type Fill } from './fills.tsx';
import { HorizontalBars } from './HorizontalBars.tsx';

/** A named area, the other areas together, and no area: the last two patterned, as they are no single place. */
const FILLS: readonly Fill[] = [
  { colour: '#1f4e5f', pattern: 'solid' },
  { colour: '#56646b', pattern: 'diagonal' },
  { colour: '#56646b', pattern: 'dots' },
];
const FILL_OF = { area: 0, other: 1, unknown: 2 } as const;

function rowLabel(tr: Translator, row: AreaPeople): string {
  switch (row.kind) {
    case 'area':
      return areaLabel(row.area, tr.lang);
    case 'other':
      return tr.plural('charts.people.other', row.areas);
    case 'unknown':
      return tr.t('charts.people.unknown');
  }
}

function people(tr: Translator, row: { individuals: number; households: number }): string {
  return [tr.plural('charts.people.individuals', row.individuals), tr.plural('charts.people.households', row.households)].join(
    tr.t('charts.listSeparator'),
  );
}

export function PeopleChart({ views, lookup }: { views: readonly ReportView[]; lookup?: AdminLookup }) {
  const tr = useTr();
  const { rows, total } = peopleDisplacedByArea(views, { lookup });
  const title = tr.t('charts.people.title');
  const key = (r: AreaPeople) => (r.kind === 'area' ? r.key : r.kind);
  const kinds = new Set(rows.map((r) => r.kind));

  return (
    <ChartFigure
      title={title}
      summary={total.reports > 0 && tr.plural('charts.people.summary', total.reports, { people: people(tr, total) })}
      empty={rows.length === 0 ? tr.t('charts.people.empty') : undefined}
      chart={(captionId) => (
        <HorizontalBars
          labelledBy={captionId}
          title={title}
          dir={tr.dir}
          fills={FILLS}
          rows={rows.map((r) => {
            const label = rowLabel(tr, r);
            const valueText = people(tr, r);
            return { key: key(r), label, valueText, value: r.individuals, fill: FILL_OF[r.kind], tooltip: `${label}: ${valueText}` };
          })}
        />
      )}
      legend={
        kinds.size > 1 && (
          <Legend>
            {(['area', 'other', 'unknown'] as const)
              .filter((k) => kinds.has(k))
              .map((k) => {
                const row = rows.find((r) => r.kind === k)!;
                return (
                  <li key={k}>
                    <Swatch fill={FILLS[FILL_OF[k]]!} />
                    {k === 'area' ? tr.t('charts.area') : rowLabel(tr, row)}
                  </li>
                );
              })}
          </Legend>
        )
      }
      table={
        <>
          <thead>
            <tr>
              <th scope="col">{tr.t('charts.area')}</th>
              <th scope="col" class="num">
                {tr.t('field.individuals')}
              </th>
              <th scope="col" class="num">
                {tr.t('field.households')}
              </th>
              <th scope="col" class="num">
                {tr.t('charts.reports')}
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={key(r)} data-area={key(r)}>
                <th scope="row">{rowLabel(tr, r)}</th>
                <td>
                  <Num n={r.individuals} />
                </td>
                <td>
                  <Num n={r.households} />
                </td>
                <td>
                  <Num n={r.reports} />
                </td>
              </tr>
            ))}
          </tbody>
        </>
      }
      notes={
        <>
          {total.withoutIndividuals > 0 && (
            <p class="chart-note">{tr.plural('charts.people.withoutIndividuals', total.withoutIndividuals)}</p>
          )}
          {total.withoutHouseholds > 0 && <p class="chart-note">{tr.plural('charts.people.withoutHouseholds', total.withoutHouseholds)}</p>}
        </>
      }
    />
  );
}
