/**
 * The desk's map: reports by admin area as a choropleth and reports with a point as dots, drawn from
 * the boundary layer this coordinator imported, beside a table of the same counts. The filters are the
 * list's own, kept as set when moving between the two (use-desk-filter.ts).
 */
import { useMemo, useState } from 'preact/hooks';
import { loadBoundaryLayer } from '../../boundary-layer.ts';
import { useDeskReports } from '../../desk/live-desk-reports.ts';
import { SearchCache, filterReports, indexDeskReports, isNoFilter } from '../../desk/filter.ts';
import { areaCounts, defaultLevel, legendSteps, placedReports } from '../../desk/map-data.ts';
import { layerLevels } from '../../../domain/boundaries.ts';
import { adminLevelSchema, type AdminLevel } from '../../../domain/gazetteer.ts';
import { href } from '../../router.ts';
import { useGazetteer, useTr, useWatermark, useWriter } from '../context.ts';
import { useAsync } from '../use-async.ts';
import { DeskFilters } from './DeskFilters.tsx';
import { DeskNav } from './DeskNav.tsx';
import { AreaTable } from './map/AreaTable.tsx';
import { MapCanvas } from './map/MapCanvas.tsx';
import { MapLegend } from './map/MapLegend.tsx';
import { useDeskFilter } from './use-desk-filter.ts';
import './map/desk-map.css';

export function DeskMap() {
  const tr = useTr();
  const { writer } = useWriter();
  const { gazetteer } = useGazetteer();
  const watermark = useWatermark();
  const data = useDeskReports(writer.db, watermark);
  const [cache] = useState(() => new SearchCache());
  const index = useMemo(() => (data ? indexDeskReports(data.reports, cache, gazetteer) : []), [data, cache, gazetteer]);
  const { form, set, clear, filter } = useDeskFilter();
  const shown = useMemo(() => filterReports(index, filter), [index, filter]);
  const layer = useAsync(loadBoundaryLayer, []);
  const levels = useMemo(() => (layer.value ? layerLevels(layer.value).map((l) => l.level) : []), [layer.value]);
  const [chosen, setChosen] = useState<AdminLevel>();
  // Opens at the deepest level with reports; the level is picked over all reports, not the filtered
  // ones, so a filter never moves the map to another level under the coordinator's eyes.
  const level = chosen ?? (layer.value && data ? defaultLevel(index, layer.value) : undefined);
  const counts = useMemo(() => (layer.value && level ? areaCounts(shown, layer.value, level) : undefined), [shown, layer.value, level]);
  const steps = useMemo(() => legendSteps(Math.max(0, ...(counts?.areas.map((a) => a.count) ?? []))), [counts]);
  const placed = useMemo(() => placedReports(shown), [shown]);

  const body = () => {
    if (!data || layer.loading) return <p role="status">{tr.t('desk.loading')}</p>;
    if (!layer.value || !level || !counts)
      return (
        <div class="map-none">
          <p>{tr.t('map.noLayer')}</p>
          <p>
            <a href={href('settings')}>{tr.t('map.toSettings')}</a>
          </p>
        </div>
      );
    return (
      <>
        <DeskFilters form={form} set={set} index={index} />
        <div class="map-results">
          <div class="desk-results-head">
            <p class="count" role="status">
              {tr.plural('desk.count', index.length, { shown: shown.length })}
            </p>
            {levels.length > 1 && (
              <div class="desk-sort">
                <label for="map-level">{tr.t('map.level')}</label>
                <select
                  id="map-level"
                  value={String(level)}
                  onChange={(e) => {
                    const picked = adminLevelSchema.safeParse(Number(e.currentTarget.value));
                    if (picked.success) setChosen(picked.data);
                  }}
                >
                  {levels.map((l) => (
                    <option key={l} value={String(l)}>
                      {tr.t(`exports.level.${l}`)}
                    </option>
                  ))}
                </select>
              </div>
            )}
            <button type="button" class="secondary" disabled={isNoFilter(form)} onClick={clear}>
              {tr.t('desk.filter.clear')}
            </button>
          </div>
          <div class="map-and-table">
            <figure class="map-figure">
              <MapCanvas level={level} counts={counts} steps={steps} placed={placed} />
              <MapLegend steps={steps} dots={placed.length > 0} />
            </figure>
            <AreaTable level={level} counts={counts} />
          </div>
        </div>
      </>
    );
  };

  return (
    <div class="desk-map">
      <DeskNav current="map" />
      <h1>{tr.t('map.title')}</h1>
      <p class="hint map-intro">{tr.t('map.intro')}</p>
      {body()}
    </div>
  );
}
