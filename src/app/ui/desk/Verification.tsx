/**
 * A coordinator sets a report's verification status; for a duplicate, the report it duplicates,
 * picked from the suggested candidates or given by its id. Written as an edit op like any other,
 * so it syncs, merges and appears in the history. The links run both ways: a duplicate names its
 * original, an original lists the reports marked as its duplicates.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { isReportId, type ReportId } from '../../../domain/ids.ts';
import type { ReportView } from '../../../domain/merge.ts';
import { VERIFICATION_STATUSES } from '../../../domain/report-codes.ts';
import type { DeskReport } from '../../desk/desk-reports.ts';
import { editReport } from '../../store/reports.ts';
import { useTr, useWriter } from '../context.ts';
import { isolate } from '../format.ts';
import { reportLine } from './report-line.ts';
import { href } from '../../router.ts';

type Status = (typeof VERIFICATION_STATUSES)[number];
const OTHER = 'other';

export interface VerificationProps {
  view: ReportView;
  /** Every report on this device, by id; undefined while they are read. */
  byId?: ReadonlyMap<ReportId, DeskReport>;
  /** Suggested originals, closest first. */
  candidates: readonly ReportId[];
}

/** A link to another report, named by its one-line summary (or its id when it is not on this device). */
export function ReportLink({ id, byId }: { id: ReportId; byId?: ReadonlyMap<ReportId, DeskReport> }) {
  const tr = useTr();
  const other = byId?.get(id);
  return (
    <a href={href('view', { id })}>{other ? reportLine(tr, other.view) : tr.t('verify.unknownReport', { id: isolate(id.slice(0, 8)) })}</a>
  );
}

export function Verification({ view, byId, candidates }: VerificationProps) {
  const tr = useTr();
  const { writer } = useWriter();
  const current = view.values.verification ?? 'unverified';
  const currentOriginal = current === 'duplicate' ? view.values.duplicateOf : undefined;
  const [status, setStatus] = useState<Status>(current);
  const originals = [...new Set([...(currentOriginal ? [currentOriginal] : []), ...candidates])];
  const [choice, setChoice] = useState<string>(currentOriginal ?? '');
  const [pasted, setPasted] = useState('');
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState(false);
  // What another coordinator or this one saved becomes the form's starting point again.
  useEffect(() => {
    setStatus(current);
    setChoice(currentOriginal ?? '');
  }, [current, currentOriginal]);
  const duplicates = useMemo(
    () =>
      byId
        ? [...byId.values()].filter(
            (r) => r.view.values.verification === 'duplicate' && r.view.values.duplicateOf === view.id && !r.view.deleted,
          )
        : [],
    [byId, view.id],
  );

  const write = async (changes: Parameters<typeof editReport>[2]) => {
    try {
      await editReport(writer, view.id, changes);
      setError(undefined);
      setSaved(true);
    } catch {
      // Storage full or a refused op: the status on screen stays the one saved before.
      setError('verify.err.save');
    }
  };

  const save = async (e: Event) => {
    e.preventDefault();
    setSaved(false);
    if (status !== 'duplicate') return write({ verification: status, duplicateOf: undefined });
    const original = choice === OTHER ? pasted.trim().toLowerCase() : choice;
    if (!isReportId(original)) {
      setError(original ? 'err.id.invalid' : 'verify.err.noOriginal');
      return;
    }
    const problem = original === view.id ? 'verify.err.self' : byId && !byId.has(original) ? 'verify.err.unknown' : undefined;
    setError(problem);
    if (!problem) await write({ verification: 'duplicate', duplicateOf: original });
  };

  return (
    <section class="verification" aria-labelledby="verify-title">
      <h2 id="verify-title">{tr.t('verify.title')}</h2>
      <p class="verify-current">
        <span class={`badge verify-${current}`}>{tr.t('verify.current', { status: tr.tk(`code.verification.${current}`) })}</span>
      </p>
      {currentOriginal && (
        <p>
          {tr.t('verify.duplicateOf')}: <ReportLink id={currentOriginal} byId={byId} />
        </p>
      )}
      {duplicates.length > 0 && (
        <>
          <h3 id="verify-duplicates">{tr.t('duplicates.ofThis')}</h3>
          <ul class="plain" aria-labelledby="verify-duplicates">
            {duplicates.map((d) => (
              <li key={d.id}>
                <ReportLink id={d.id} byId={byId} />
              </li>
            ))}
          </ul>
        </>
      )}
      <form onSubmit={(e) => void save(e)} noValidate>
        <div class="field">
          <label for="verify-status">{tr.t('verify.status')}</label>
          <select
            id="verify-status"
            value={status}
            onChange={(e) => {
              setStatus(e.currentTarget.value as Status);
              setSaved(false);
            }}
          >
            {VERIFICATION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {tr.tk(`code.verification.${s}`)}
              </option>
            ))}
          </select>
        </div>
        {status === 'duplicate' && (
          <div class="field">
            <label for="verify-original">{tr.t('verify.original')}</label>
            <select
              id="verify-original"
              value={choice}
              onChange={(e) => setChoice(e.currentTarget.value)}
              aria-invalid={error === 'verify.err.noOriginal'}
            >
              <option value="">{tr.t('verify.pickOriginal')}</option>
              {originals.map((o) => (
                <option key={o} value={o}>
                  {byId?.get(o) ? reportLine(tr, byId.get(o)!.view) : o}
                </option>
              ))}
              <option value={OTHER}>{tr.t('verify.otherReport')}</option>
            </select>
          </div>
        )}
        {status === 'duplicate' && choice === OTHER && (
          <div class={`field${error && error !== 'verify.err.noOriginal' && error !== 'verify.err.save' ? ' has-error' : ''}`}>
            <label for="verify-paste">{tr.t('verify.pasteId')}</label>
            <input
              id="verify-paste"
              dir="ltr"
              class="mono"
              autocomplete="off"
              spellcheck={false}
              value={pasted}
              onInput={(e) => setPasted(e.currentTarget.value)}
            />
          </div>
        )}
        {error && (
          <p class="field-error" role="alert">
            {tr.tk(error)}
          </p>
        )}
        <div class="actions">
          <button type="submit" class="primary">
            {tr.t('verify.save')}
          </button>
        </div>
        <p role="status" class="verify-saved">
          {saved ? tr.t('verify.saved') : ''}
        </p>
      </form>
    </section>
  );
}
