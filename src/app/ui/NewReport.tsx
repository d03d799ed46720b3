/** A new report: pick its type, then fill that type's form. Resumes a draft when one is named. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { cryptoRandom, uuidv7 } from '../../domain/ids.ts';
import { REPORT_TYPES, isReportType, type ReportType } from '../../domain/report-codes.ts';
import type { FormValues } from '../forms/form-values.ts';
import { href, navigate } from '../router.ts';
import { useServices } from './context.ts';
import { ReportForm } from './form/ReportForm.tsx';

export function NewReport({ draft }: { draft?: string }) {
  const { tr, writer } = useServices();
  const drafts = writer.db.drafts;
  const draftId = useMemo(() => draft ?? uuidv7(Date.now(), cryptoRandom), [draft]);
  const [type, setType] = useState<ReportType>();
  // Most events are reported with their day known; the monitor can say otherwise.
  const [initial, setInitial] = useState<FormValues | undefined>(draft ? undefined : { 'eventDate.precision': 'exact' });

  useEffect(() => {
    if (!draft) return;
    void drafts.get(draft).then((d) => {
      if (isReportType(d?.type)) setType(d.type);
      setInitial(d?.values ?? {});
    });
  }, [drafts, draft]);

  if (!initial) return null;
  return (
    <>
      <h1>{type ? tr.t('form.newTitle', { type: tr.t(`type.${type}`) }) : tr.t('action.newReport')}</h1>
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
        // Keyed by type: each type's form starts from what was typed so far, the shared fields carry over.
        <ReportForm
          key={type}
          type={type}
          draftId={draftId}
          initial={initial}
          onSaved={() => navigate(href('list'), { replace: true })}
          onCancel={() => (history.length > 1 ? history.back() : navigate(href('list')))}
        />
      )}
    </>
  );
}
