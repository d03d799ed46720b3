/**
 * A new report: pick its type, then fill that type's form. The address names the draft from the first
 * keystroke, so a reload opens the form with it. Opened without one, the form offers back the newest
 * draft of a new report (a page killed before it was saved), until the monitor resumes it or starts another.
 */
import { useEffect, useState } from 'preact/hooks';
import { cryptoRandom, uuidv7 } from '../../domain/ids.ts';
import { REPORT_TYPES, isReportType, type ReportType } from '../../domain/report-codes.ts';
import type { FormValues } from '../forms/form-values.ts';
import { useLiveQuery } from '../live-query.ts';
import { href, navigate, replaceAddress } from '../router.ts';
import type { DraftRow } from '../store/db.ts';
import { latestDraft } from '../store/drafts.ts';
import { useTr, useWriter } from './context.ts';
import { DraftOffer } from './DraftOffer.tsx';
import { ReportForm } from './form/ReportForm.tsx';

// Most events are reported with their day known; the monitor can say otherwise.
const FRESH: FormValues = { 'eventDate.precision': 'exact' };

export function NewReport({ draft }: { draft?: string }) {
  const tr = useTr();
  const { writer } = useWriter();
  const db = writer.db;
  const [draftId, setDraftId] = useState(() => draft ?? uuidv7(Date.now(), cryptoRandom));
  const [type, setType] = useState<ReportType>();
  const [initial, setInitial] = useState<FormValues | undefined>(draft ? undefined : FRESH);
  // Whether this form has a draft of its own: resumed, or typed into. Until then it offers one back.
  const [own, setOwn] = useState(draft !== undefined);
  const offered = useLiveQuery(() => (own ? Promise.resolve(undefined) : latestDraft(db)), [db, own]);

  const resume = (d: DraftRow) => {
    if (isReportType(d.type)) setType(d.type);
    setDraftId(d.id);
    setInitial(d.values);
    setOwn(true);
    replaceAddress(href('new', { draft: d.id }));
  };

  useEffect(() => {
    if (!draft) return;
    // A draft saved or discarded elsewhere since its address was kept: the form starts afresh under its id.
    void db.drafts.get(draft).then((d) => (d ? resume(d) : setInitial(FRESH)));
  }, [db, draft]);

  const drafted = () => {
    if (own) return;
    setOwn(true);
    replaceAddress(href('new', { draft: draftId }));
  };

  if (!initial) return null;
  return (
    <>
      <h1>{type ? tr.t('form.newTitle', { type: tr.t(`type.${type}`) }) : tr.t('action.newReport')}</h1>
      {!own && offered && <DraftOffer draft={offered} onResume={() => resume(offered)} />}
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
