/**
 * A new report: pick its type, then fill that type's form. The address names the draft from the first
 * keystroke, so a reload opens the form with it. Opened without one, the form offers back the newest
 * draft of a new report (a page killed before it was saved), until the monitor resumes it or starts another.
 */
import { useState } from 'preact/hooks';
import { REPORT_TYPES, isReportType, type ReportType } from '../../domain/report-codes.ts';
import type { FormValues } from '../forms/form-values.ts';
import { href, navigate } from '../router.ts';
import { useTr, useWriter } from './context.ts';
import { DraftOffer } from './DraftOffer.tsx';
import { ReportForm } from './form/ReportForm.tsx';
import { useAsync } from './use-async.ts';
import { useDraftOffer } from './use-draft-offer.ts';

// Most events are reported with their day known; the monitor can say otherwise.
const FRESH: FormValues = { 'eventDate.precision': 'exact' };

export function NewReport({ draft }: { draft?: string }) {
  const tr = useTr();
  const { writer } = useWriter();
  const db = writer.db;
  const [picked, setType] = useState<ReportType>();
  const { draftId, resumed, offered, resume, drafted } = useDraftOffer({
    db,
    draft,
    address: (d) => href('new', { draft: d }),
    onResume: (d) => isReportType(d.type) && setType(d.type),
  });
  // The draft the address names; one saved or discarded elsewhere since the address was kept
  // leaves the form to start afresh under its id.
  const named = useAsync(async () => (draft ? db.drafts.get(draft) : undefined), [db, draft]);
  const namedType = named.value && isReportType(named.value.type) ? named.value.type : undefined;
  const type = picked ?? namedType;
  const initial = draft && named.loading ? undefined : ((resumed ?? named.value)?.values ?? FRESH);

  if (!initial) return null;
  return (
    <>
      <h1>{type ? tr.t('form.newTitle', { type: tr.t(`type.${type}`) }) : tr.t('action.newReport')}</h1>
      {offered && <DraftOffer draft={offered} onResume={() => resume(offered)} />}
      <fieldset class="type-picker" role="radiogroup" aria-label={tr.t('type.label')}>
        <legend>{tr.t('type.label')}</legend>
        {REPORT_TYPES.map((t) => (
          <label key={t} class="radio">
            <input type="radio" name="report-type" value={t} checked={type === t} onChange={() => setType(t)} />
            {tr.t(`type.${t}`)}
          </label>
        ))}
      </fieldset>
      {type && (
        // Keyed by draft and type: each type's form starts from what was typed so far, the shared
        // fields carry over; a resumed draft starts the form again from its own values.
        <ReportForm
          key={`${draftId} ${type}`}
          type={type}
          draftId={draftId}
          initial={initial}
          onDraft={drafted}
          onSaved={() => navigate(href('list'))}
          onCancel={() => navigate(href('list'))}
        />
      )}
    </>
  );
}
