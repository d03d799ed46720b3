/**
 * The map's numbers as a table: each admin area of the level with its reports under the current
 * filters, read from the same counts the map is shaded by, then a line for the reports the map cannot
 * place. What a coordinator copies into a message, and what a screen reader reads in order.
 */
import { useMemo } from 'preact/hooks';
import { areaLabel, type AdminLevel } from '../../../../domain/gazetteer.ts';
import type { AreaCounts } from '../../../desk/map-data.ts';
import { useTr } from '../../context.ts';
import { Num } from '../charts/ChartFigure.tsx';

export function AreaTable({ level, counts }: { level: AdminLevel; counts: AreaCounts }) {
  const tr = useTr();
  // Most reports first, as a coordinator looks for where things happen; names break ties.
  const rows = useMemo(() => {
    const collator = new Intl.Collator(tr.lang);
    return [...counts.areas].sort((a, b) => b.count - a.count || collator.compare(areaLabel(a.area, tr.lang), areaLabel(b.area, tr.lang)));
  }, [counts.areas, tr.lang]);
  return (
    <div class="map-table">
      <table>
        <caption>{tr.t(`map.label.${level}`)}</caption>
        <thead>
          <tr>
            <th scope="col">{tr.t('map.table.area')}</th>
            <th scope="col" class="num">
              {tr.t('map.table.reports')}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => (
            <tr key={a.area.pcode}>
              <th scope="row">
                <bdi>{areaLabel(a.area, tr.lang)}</bdi>
              </th>
              <td class="num">
                <Num n={a.count} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {(counts.noArea > 0 || counts.notInLayer > 0) && (
        <ul class="map-unplaced" aria-label={tr.t('map.unplaced')}>
          {counts.noArea > 0 && <li>{tr.plural('map.noArea', counts.noArea)}</li>}
          {counts.notInLayer > 0 && <li>{tr.plural('map.notInLayer', counts.notInLayer)}</li>}
        </ul>
      )}
    </div>
  );
}
