/**
 * Reports that may describe the same event as this one, closest first, each with why it is
 * suggested; one press marks this report as a duplicate of it.
 */
import { useState } from 'preact/hooks';
import type { DuplicateCandidate } from '../../../domain/duplicates.ts';
import type { ReportId } from '../../../domain/ids.ts';
import type { ReportView } from '../../../domain/merge.ts';
import type { Translator } from '../../i18n/i18n.ts';
import type { DeskReport } from '../../desk/desk-reports.ts';
import { editReport } from '../../store/reports.ts';
import { useTr, useWriter } from '../context.ts';
import { ReportLink } from './Verification.tsx';
import { reportLine } from './report-line.ts';

/** The one-line reason: where, when and the counts compared. */
export function reasonOf(tr: Translator, c: DuplicateCandidate): string {
  const place =
    c.place.kind === 'point'
      ? c.place.metres < 1000
        ? tr.t('duplicates.place.metres', { n: Math.round(c.place.metres / 10) * 10 })
        : tr.t('duplicates.place.km', { n: tr.number(Math.round(c.place.metres / 100) / 10) })
      : tr.t(c.place.kind === 'adm3' ? 'duplicates.place.adm3' : 'duplicates.place.adm2');
  const when = c.days === 0 ? tr.t('duplicates.sameDay') : tr.plural('duplicates.days', c.days);
  const counts = c.counts.length
    ? c.counts.map((k) => tr.t('duplicates.count', { field: tr.tk(`field.${k.field}`), mine: k.mine, theirs: k.theirs }))
    : [tr.t('duplicates.noCounts')];
  return [place, when, ...counts].join(' · ');
}

export interface DuplicateCandidatesProps {
  view: ReportView;
  candidates?: readonly DuplicateCandidate[];
  byId?: ReadonlyMap<ReportId, DeskReport>;
}

export function DuplicateCandidates({ view, candidates, byId }: DuplicateCandidatesProps) {
  const tr = useTr();
  const { writer } = useWriter();
  const marked = view.values.verification === 'duplicate' ? view.values.duplicateOf : undefined;
  const [failed, setFailed] = useState(false);
  const mark = (original: ReportId) =>
    editReport(writer, view.id, { verification: 'duplicate', duplicateOf: original }).then(
      () => setFailed(false),
      () => setFailed(true),
    );
  return (
    <section class="duplicates" aria-labelledby="duplicates-title">
      <h2 id="duplicates-title">{tr.t('duplicates.title')}</h2>
      <p class="hint">{tr.t('duplicates.hint')}</p>
      {failed && (
        <p class="field-error" role="alert">
          {tr.t('verify.err.save')}
        </p>
      )}
      {candidates === undefined && <p class="muted">{tr.t('duplicates.loading')}</p>}
      {candidates?.length === 0 && <p class="empty">{tr.t('duplicates.none')}</p>}
      {candidates && candidates.length > 0 && (
        <ol class="candidates" aria-labelledby="duplicates-title">
          {candidates.map((c) => {
            const other = byId?.get(c.id);
            const name = other ? reportLine(tr, other.view) : c.id;
            return (
              <li key={c.id}>
                <ReportLink id={c.id} byId={byId} />
                <span class="reason">{reasonOf(tr, c)}</span>
                {marked !== c.id && (
                  // Named by the words it shows and then the report it means: one who speaks
                  // what they see to control the page still reaches it (WCAG 2.5.3).
                  <button
                    type="button"
                    class="secondary"
                    aria-label={tr.t('duplicates.markNamed', { report: name })}
                    onClick={() => void mark(c.id)}
                  >
                    {tr.t('duplicates.mark')}
                  </button>
                )}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
