/**
 * What a coordinator sees on a report's screen beyond its values: its verification, the reports
 * that may duplicate it, and its full history. Loaded only on coordinators' devices.
 */
import { useMemo } from 'preact/hooks';
import { duplicateCandidates } from '../../../domain/duplicates.ts';
import type { ReportView } from '../../../domain/merge.ts';
import { useDeskReports } from '../../desk/live-desk-reports.ts';
import { hasNoAdminArea } from '../../desk/filter.ts';
import { href } from '../../router.ts';
import { useTr, useWatermark, useWriter } from '../context.ts';
import { DuplicateCandidates } from './DuplicateCandidates.tsx';
import { ReportHistory } from './ReportHistory.tsx';
import { Verification } from './Verification.tsx';
import './report-desk.css';

export function ReportDesk({ view }: { view: ReportView }) {
  const tr = useTr();
  const { writer } = useWriter();
  const watermark = useWatermark();
  const desk = useDeskReports(writer.db, watermark);
  const byId = useMemo(() => (desk ? new Map(desk.reports.map((r) => [r.id, r])) : undefined), [desk]);
  const mine = byId?.get(view.id)?.view;
  const candidates = useMemo(
    () =>
      desk && mine
        ? duplicateCandidates(
            mine,
            desk.reports.map((r) => r.view),
          )
        : undefined,
    [desk, mine],
  );
  return (
    <div class="report-desk-panels">
      {hasNoAdminArea(view.values.admin) && (
        <section class="form-section" aria-labelledby="no-area-h">
          <h2 id="no-area-h">{tr.t('desk.noArea.title')}</h2>
          <p>{tr.t('desk.noArea.why')}</p>
          <a href={href('edit', { id: view.id })}>{tr.t('desk.noArea.set')}</a>
        </section>
      )}
      <Verification view={view} byId={byId} candidates={candidates?.map((c) => c.id) ?? []} />
      <DuplicateCandidates view={view} candidates={candidates} byId={byId} />
      <ReportHistory id={view.id} />
    </div>
  );
}
