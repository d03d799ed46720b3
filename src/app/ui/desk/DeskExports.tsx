/**
 * The desk's exports screen: run an export, manage the partner profiles it is run with, and read the
 * log of every export made by a coordinator. Everything here reads this device's own synced copy, so
 * it works offline like the rest of the desk.
 */
import { useDeskReports } from '../../desk/live-desk-reports.ts';
import { listExports } from '../../desk/export-log.ts';
import { listProfiles } from '../../desk/profiles.ts';
import { useLiveQuery } from '../../live-query.ts';
import { useTr, useWatermark, useWriter } from '../context.ts';
import { DeskNav } from './DeskNav.tsx';
import { ExportLog } from './ExportLog.tsx';
import { ExportProfiles } from './ExportProfiles.tsx';
import { ExportRunner } from './ExportRunner.tsx';
import './exports.css';

export function DeskExports() {
  const tr = useTr();
  const { writer } = useWriter();
  const watermark = useWatermark();
  const desk = useDeskReports(writer.db, watermark);
  const profiles = useLiveQuery(() => listProfiles(writer.db), [writer.db]);
  const log = useLiveQuery(() => listExports(writer.db), [writer.db]);
  return (
    <div class="desk-exports">
      <DeskNav current="exports" />
      <h1>{tr.t('exports.title')}</h1>
      <div class="exports-columns">
        <ExportRunner desk={desk} profiles={profiles} />
        <ExportProfiles profiles={profiles} />
      </div>
      <ExportLog entries={log} />
    </div>
  );
}
