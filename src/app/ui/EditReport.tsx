/**
 * Editing a saved report: the form starts from its merged values, or from a draft of this edit. The
 * address names the draft from the first keystroke, so a reload opens the form with it; opened
 * without one, the form offers back the newest draft of an edit of this report, and no other.
 */
import type { ReportId } from '../../domain/ids.ts';
import { attachmentsOf, viewOf } from '../../domain/merge.ts';
import { contentToForm } from '../forms/form-values.ts';
import { href, navigate } from '../router.ts';
import { useTr, useWriter } from './context.ts';
import { DraftOffer } from './DraftOffer.tsx';
import { ReportForm } from './form/ReportForm.tsx';
import { useAsync } from './use-async.ts';
import { useDraftOffer } from './use-draft-offer.ts';

export function EditReport({ id, draft }: { id: ReportId; draft?: string }) {
  const tr = useTr();
  const { writer } = useWriter();
  const db = writer.db;
  const { draftId, resumed, offered, resume, drafted } = useDraftOffer({
    db,
    draft,
    reportId: id,
    address: (d) => href('edit', { id, draft: d }),
  });
  const loaded = useAsync(async () => {
    const row = await db.reports.get(id);
    if (!row) return null;
    const view = viewOf(row.state);
    if (!view.type || view.deleted) return null;
    const saved = draft ? await db.drafts.get(draft) : undefined;
    const photos = attachmentsOf(row.state).map((p) => p.attachment);
    return { view, photos, initial: saved?.values ?? contentToForm(view.type, view.values) };
  }, [db, id, draft]).value;

  if (loaded === undefined) return null;
  if (loaded === null) return <p class="empty">{tr.t('view.notFound')}</p>;
  const type = loaded.view.type!;
  return (
    <>
      <h1>{tr.t('form.editTitle', { type: tr.t(`type.${type}`) })}</h1>
      {offered && <DraftOffer draft={offered} onResume={() => resume(offered)} />}
      <ReportForm
        key={draftId}
        type={type}
        draftId={draftId}
        initial={resumed?.values ?? loaded.initial}
        editing={{ id, values: loaded.view.values, photos: loaded.photos }}
        onDraft={drafted}
        onSaved={() => navigate(href('view', { id }))}
        onCancel={() => navigate(href('view', { id }))}
      />
    </>
  );
}
