/**
 * Choosing and running an export: a profile, a format (a file of reports, or the aggregate counts at
 * the deployment's one level), then Export. The work runs in a worker, so the page stays responsive: a progress bar says how far
 * it is and Cancel ends it. A partner's file of reports holding small groups stops after reading, to
 * say how many and ask what becomes of their rows. The export is written to the log before the file
 * is handed over, so no file leaves this device without its entry in the audit log.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { AGGREGATE_LEVEL, aggregateRefusal } from '../../../export/aggregate.ts';
import { EXPORT_LOG_FORMATS, type ExportLogEntry } from '../../../export/desk-settings.ts';
import { INTERNAL_PROFILE, type Profile } from '../../../export/profile.ts';
import type { SmallGroupChoice, SmallGroupCount } from '../../../export/small-groups.ts';
import type { DeskReports } from '../../desk/desk-reports.ts';
import { logExport } from '../../desk/export-log.ts';
import type { ListedProfile } from '../../desk/profiles.ts';
import {
  download,
  ExportError,
  startExport,
  type ExportChoice,
  type ExportOutcome,
  type ExportProgress,
  type RunningExport,
} from '../../desk/run-export.ts';
import type { MessageKey, Params } from '../../i18n/i18n.ts';
import { useEnrollment, useTr, useWriter } from '../context.ts';
import { SmallGroupsChoice } from './SmallGroupsChoice.tsx';

type LogFormat = ExportLogEntry['format'];
const isAggregate = (f: LogFormat): f is 'aggregate_csv' | 'aggregate_json' => f === 'aggregate_csv' || f === 'aggregate_json';

/** A message kept as its key, so it follows a change of language while it is shown. */
interface Message {
  key: string;
  n?: number;
  params?: Params;
}

/** Cancel pressed while photos were re-encoded: no file, as for a cancel before. */
class PhotosCancelled extends Error {}

const errorDetail = (e: unknown) => (e instanceof Error ? e.message : String(e));

const SMALL_GROUPS_DONE: Record<SmallGroupChoice, MessageKey> = {
  keep: 'exports.smallGroups.kept',
  coarsen: 'exports.smallGroups.coarsened',
  drop: 'exports.smallGroups.dropped',
};

/** What became of a partner file's small groups; for a CSV, which cannot say it, that the partner must be told. */
function smallGroupsSaid(outcome: ExportOutcome, format: LogFormat): Message[] {
  const s = outcome.smallGroups;
  if (!s) return [];
  if (s.groups === 0) return [{ key: 'exports.smallGroups.none' }];
  const said: Message[] = [{ key: SMALL_GROUPS_DONE[s.choice], n: s.groups, params: { rows: s.rows } }];
  if (s.choice !== 'keep') said.push({ key: format === 'csv' ? 'exports.smallGroups.notInCsv' : 'exports.smallGroups.saidInFile' });
  return said;
}

/** Whether a partner profile may be exported with now: readable, and no part in conflict. */
export function usable(p: ListedProfile | undefined): Profile | undefined {
  return p?.ok && p.conflicts.length === 0 ? p.profile : undefined;
}

function ProgressBar({ progress, onCancel }: { progress: ExportProgress; onCancel: () => void }) {
  const tr = useTr();
  const known = progress.phase !== 'reading';
  const counted = { rows: progress.rows, total: progress.total };
  const text = known
    ? tr.t(progress.phase === 'photos' ? 'exports.run.photos' : 'exports.run.writing', counted)
    : tr.t('exports.run.reading');
  const share = known && progress.total > 0 ? (100 * progress.rows) / progress.total : 0;
  return (
    <div class="export-progress">
      <div
        role="progressbar"
        aria-label={tr.t('exports.run.progressLabel')}
        aria-valuemin={0}
        aria-valuemax={known ? progress.total : undefined}
        aria-valuenow={known ? progress.rows : undefined}
        aria-valuetext={text}
        class={known ? 'bar' : 'bar indeterminate'}
      >
        <div class="fill" style={known ? { inlineSize: `${share}%` } : undefined} />
      </div>
      <p>{text}</p>
      <button type="button" class="secondary" onClick={onCancel}>
        {tr.t('exports.run.cancel')}
      </button>
    </div>
  );
}

export function ExportRunner({ desk, profiles }: { desk: DeskReports | undefined; profiles: ListedProfile[] | undefined }) {
  const tr = useTr();
  const { writer } = useWriter();
  const [profileName, setProfileName] = useState<string>(INTERNAL_PROFILE.name);
  const [format, setFormat] = useState<LogFormat>('csv');
  const [progress, setProgress] = useState<ExportProgress>();
  /** Small groups counted in the file being made, while the worker waits to be told what becomes of them. */
  const [asked, setAsked] = useState<SmallGroupCount>();
  const [messages, setMessages] = useState<Message[]>([]);
  const [failure, setFailure] = useState<Message>();
  const running = useRef<RunningExport | undefined>(undefined);
  /** Set by Cancel while photos are re-encoded, after the worker has finished: the next photo stops. */
  const photosCancelled = useRef(false);
  const { sync } = useEnrollment();
  const cancel = () => {
    photosCancelled.current = true;
    running.current?.cancel();
  };
  // Leaving the screen ends the export: nothing would be there to save its file.
  useEffect(() => () => cancel(), []);
  // A profile removed meanwhile (here or by a sync) is no longer offered: back to the one always there.
  useEffect(() => {
    if (profiles && profileName !== INTERNAL_PROFILE.name && !profiles.some((p) => p.name === profileName))
      setProfileName(INTERNAL_PROFILE.name);
  }, [profiles, profileName]);

  const aggregate = isAggregate(format);
  const profile = profileName === INTERNAL_PROFILE.name ? INTERNAL_PROFILE : usable(profiles?.find((p) => p.name === profileName));
  const refusal = aggregate && profile ? aggregateRefusal(profile) : undefined;
  // The reports go to the worker as this screen holds them: all of them, read.
  const canStart = !progress && desk !== undefined && profile !== undefined && refusal === undefined;

  async function start(e: Event) {
    e.preventDefault();
    if (!canStart || !desk) return;
    const choice: ExportChoice = { format, profile };
    const exportedAt = new Date(writer.now()).toISOString();
    setMessages([]);
    setFailure(undefined);
    setProgress({ phase: 'reading', rows: 0, total: 0 });
    photosCancelled.current = false;
    const run = startExport({ ...choice, dbName: writer.db.name, exportedAt }, desk, {
      progress: setProgress,
      unplaced: (n) => n > 0 && setMessages((said) => [...said, { key: 'exports.unplaced', n }]),
      smallGroups: (found) => (found.groups > 0 ? setAsked(found) : setMessages((said) => [...said, { key: 'exports.smallGroups.none' }])),
    });
    running.current = run;
    try {
      const outcome = await run.done;
      if (!outcome) {
        setMessages([{ key: 'exports.run.cancelled' }]);
        return;
      }
      let file = { blob: outcome.blob, fileName: outcome.fileName };
      const photosSaid: Message[] = [];
      if (profile.kind === 'partner' && profile.photos && outcome.included) {
        const { partnerCopy, zipWithPhotos } = await import('../../desk/partner-photos.ts');
        const zipped = await zipWithPhotos(
          file,
          outcome.included,
          new Map(desk.reports.map((r) => [r.id, r.view])),
          profile,
          (attachment) => {
            if (photosCancelled.current) throw new PhotosCancelled();
            return partnerCopy(writer.db, sync?.endpoint, attachment);
          },
          (rows, total) => setProgress({ phase: 'photos', rows, total }),
          exportedAt,
        );
        file = zipped;
        photosSaid.push({ key: 'exports.photos.done', n: zipped.photos, params: { file: zipped.fileName } });
        if (zipped.leftOut > 0) photosSaid.push({ key: 'exports.photos.leftOut', n: zipped.leftOut });
      }
      try {
        await logExport(writer, outcome.log);
      } catch (err) {
        setFailure({ key: 'exports.err.log', params: { detail: errorDetail(err) } });
        return;
      }
      download(file.blob, file.fileName);
      const done: Message[] = [
        { key: 'exports.run.done', n: outcome.rows, params: { file: file.fileName } },
        ...smallGroupsSaid(outcome, format),
        ...photosSaid,
      ];
      if (outcome.suppressed !== undefined) done.push({ key: 'exports.run.suppressed', n: outcome.suppressed });
      if (outcome.unplaced) done.push({ key: 'exports.unplaced', n: outcome.unplaced });
      if (outcome.skipped > 0) done.push({ key: 'exports.run.skipped', n: outcome.skipped });
      setMessages(done);
    } catch (err) {
      if (err instanceof PhotosCancelled) {
        setMessages([{ key: 'exports.run.cancelled' }]);
        return;
      }
      setFailure(
        err instanceof ExportError
          ? { key: err.code, params: { detail: err.detail ?? '' } }
          : { key: 'exports.err.failed', params: { detail: errorDetail(err) } },
      );
    } finally {
      running.current = undefined;
      setProgress(undefined);
      setAsked(undefined);
    }
  }

  function write(smallGroups: SmallGroupChoice) {
    setAsked(undefined);
    running.current?.writeWith(smallGroups);
  }

  const say = (m: Message) => (m.n === undefined ? tr.tk(m.key, m.params) : tr.plural(m.key as MessageKey, m.n, m.params));
  const chosen = profiles?.find((p) => p.name === profileName);

  return (
    <section class="form-section exports-run" aria-labelledby="exports-run-h">
      <h2 id="exports-run-h">{tr.t('exports.run.title')}</h2>
      {desk ? (
        <p class="count" data-testid="exports-count">
          {tr.plural('exports.run.count', desk.reports.length)}
        </p>
      ) : (
        <p class="count">{tr.t('desk.loading')}</p>
      )}
      {desk && desk.unreadable.length > 0 && <p class="notice conflict">{tr.plural('exports.run.unreadable', desk.unreadable.length)}</p>}
      <form onSubmit={(e) => void start(e)} aria-labelledby="exports-run-h">
        <fieldset>
          <legend>{tr.t('exports.run.format')}</legend>
          {EXPORT_LOG_FORMATS.map((f) => (
            <label key={f} class="radio">
              <input
                type="radio"
                name="export-format"
                value={f}
                checked={format === f}
                disabled={!!progress}
                onChange={() => setFormat(f)}
              />
              {tr.t(`exports.format.${f}`)}
            </label>
          ))}
        </fieldset>
        <div class="field">
          <label for="export-profile">{tr.t('exports.run.profile')}</label>
          <select id="export-profile" value={profileName} disabled={!!progress} onChange={(e) => setProfileName(e.currentTarget.value)}>
            <option value={INTERNAL_PROFILE.name}>{tr.t('profile.internal')}</option>
            {profiles?.map((p) => (
              <option key={p.name} value={p.name} disabled={!usable(p)}>
                {tr.t('profile.partner', { name: p.name })}
              </option>
            ))}
          </select>
          {chosen && !usable(chosen) && <p class="field-error">{tr.t('exports.run.unusable')}</p>}
          {refusal && <p class="field-error">{tr.tk(refusal)}</p>}
        </div>
        {aggregate && (
          <p class="hint" id="export-level-hint">
            {tr.t('exports.run.aggregateHint', { level: tr.t(`exports.level.${AGGREGATE_LEVEL}`) })}
          </p>
        )}
        {progress && asked ? (
          <SmallGroupsChoice found={asked} onWrite={write} onCancel={cancel} />
        ) : progress ? (
          <ProgressBar progress={progress} onCancel={cancel} />
        ) : (
          <div class="actions">
            <button type="submit" class="primary" disabled={!canStart}>
              {tr.t('exports.run.start')}
            </button>
          </div>
        )}
      </form>
      <div role="status">
        {messages.map((m) => (
          <p key={m.key}>{say(m)}</p>
        ))}
      </div>
      {failure && (
        <p class="form-error" role="alert">
          {say(failure)}
        </p>
      )}
    </section>
  );
}
