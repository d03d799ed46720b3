/** Editing a saved report: the form starts from its merged values, or from a draft of this edit. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { cryptoRandom, uuidv7, type ReportId } from '../../domain/ids.ts';
import { viewOf, type ReportView } from '../../domain/merge.ts';
import { contentToForm, type FormValues } from '../forms/form-values.ts';
import { href, navigate } from '../router.ts';
import { useServices } from './context.ts';
import { ReportForm } from './form/ReportForm.tsx';

export function EditReport({ id, draft }: { id: ReportId; draft?: string }) {
  const { tr, writer } = useServices();
  const db = writer.db;
  const draftId = useMemo(() => draft ?? uuidv7(Date.now(), cryptoRandom), [draft]);
  const [loaded, setLoaded] = useState<{ view: ReportView; initial: FormValues } | null>();

  useEffect(() => {
    void (async () => {
      const row = await db.reports.get(id);
      if (!row) return setLoaded(null);
      const view = viewOf(row.state);
      if (!view.type || view.deleted) return setLoaded(null);
      const saved = draft ? await db.drafts.get(draft) : undefined;
      setLoaded({ view, initial: saved?.values ?? contentToForm(view.type, view.values) });
    })();
  }, [db, id, draft]);

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
