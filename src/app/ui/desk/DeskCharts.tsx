/**
 * The desk's charts: reports per day by type, people displaced by area, access cuts going on now.
 * Counted on this coordinator's own synced copy, so they work offline and follow every sync.
 */
import { useMemo } from 'preact/hooks';
import { adminLookup } from '../../../domain/gazetteer.ts';
import { useDeskReports } from '../../desk/live-desk-reports.ts';
import { useGazetteer, useTr, useWatermark, useWriter } from '../context.ts';
import { CutsChart } from './charts/CutsChart.tsx';
import { PeopleChart } from './charts/PeopleChart.tsx';
import { PerDayChart } from './charts/PerDayChart.tsx';
import { DeskNav } from './DeskNav.tsx';

export function DeskCharts() {
  const tr = useTr();
  const { writer } = useWriter();
  const { gazetteer } = useGazetteer();
  const watermark = useWatermark();
  const desk = useDeskReports(writer.db, watermark);
  const views = useMemo(() => desk?.reports.map((r) => r.view) ?? [], [desk]);
  // Fills in the names of an area a report gives by p-code alone.
  const lookup = useMemo(() => adminLookup(gazetteer), [gazetteer]);
  // "Now" is when the reports were read: it moves on with each sync, which is often enough for days.
  const readAt = desk?.readAt;
  const now = useMemo(() => new Date(readAt ?? Date.now()), [readAt]);

  return (
    <>
      <DeskNav current="charts" />
      <section class="desk-charts" aria-labelledby="desk-charts-title">
        <h1 id="desk-charts-title">{tr.t('charts.title')}</h1>
        {!desk ? (
          <p role="status">{tr.t('desk.loading')}</p>
        ) : (
          <>
            <p class="hint">{tr.t('charts.intro')}</p>
            {desk.unreadable.length > 0 && <p class="chart-note">{tr.plural('charts.unreadable', desk.unreadable.length)}</p>}
            <PerDayChart views={views} now={now} />
            <PeopleChart views={views} lookup={lookup} />
            <CutsChart views={views} now={now} lookup={lookup} />
          </>
        )}
      </section>
    </>
  );
}
