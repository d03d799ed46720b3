/** Editing a saved report: the form starts from its merged values, or from a draft of this edit. */
import { useMemo } from 'preact/hooks';
import { cryptoRandom, uuidv7, type ReportId } from '../../domain/ids.ts';
import { viewOf } from '../../domain/merge.ts';
import { contentToForm } from '../forms/form-values.ts';
import { href, navigate } from '../router.ts';
import { useServices } from './context.ts';
import { ReportForm } from './form/ReportForm.tsx';
import { useAsync } from './use-async.ts';

export function EditReport({ id, draft }: { id: ReportId; draft?: string }) {
  const { tr, writer } = useServices();
  const db = writer.db;
  const draftId = useMemo(() => draft ?? uuidv7(Date.now(), cryptoRandom), [draft]);
  const loaded = useAsync(async () => {
    const row = await db.reports.get(id);
    if (!row) return null;
    const view = viewOf(row.state);
    if (!view.type || view.deleted) return null;
    const saved = draft ? await db.drafts.get(draft) : undefined;
    return { view, initial: saved?.values ?? contentToForm(view.type, view.values) };
  }, [db, id, draft]).value;

  if (loaded === undefined) return null;
  if (loaded === null) return <p class="empty">{tr.t('view.notFound')}</p>;
  const type = loaded.view.type!;
  return (
    <>
      <h1>{tr.t('form.editTitle', { type: tr.t(`type.${type}`) })}</h1>
      <ReportForm
        type={type}
        draftId={draftId}
        initial={loaded.initial}
        editing={{ id, values: loaded.view.values }}
        onSaved={() => navigate(href('view', { id }), { replace: true })}
        onCancel={() => navigate(href('view', { id }), { replace: true })}
      />
    </>
  );
}
