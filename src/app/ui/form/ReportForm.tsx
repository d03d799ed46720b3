/**
 * A report's form, for a new report or an edit. Every keystroke is kept as a draft in IndexedDB at
 * once (a killed page offers it back), and "Save" writes the report, its op and the draft's removal
 * in one transaction: a new access cut of several services, a report and an op per service in that
 * one transaction. A failed save, a full disk included, keeps the draft and says why.
 */
import { Fragment, type Ref } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ReportId } from '../../../domain/ids.ts';
import type { Attachment } from '../../../domain/op/op.ts';
import type { RasidDb } from '../../store/db.ts';
import { adminLookup } from '../../../domain/gazetteer.ts';
import { DATE_PRECISIONS, type FieldValues, type ReportType } from '../../../domain/report.ts';
import { changedFields, formToContent, localToday, type FormValues } from '../../forms/form-values.ts';
import { formToContents } from '../../forms/services.ts';
import { formInputs, formSections, requiredInputs, type Widget } from '../../forms/form-spec.ts';
import type { MessageKey, Translator } from '../../i18n/i18n.ts';
import { createReports, editReport } from '../../store/reports.ts';
import { discardDraft, keepDraft, settledDrafts } from '../../store/drafts.ts';
import { isQuotaError } from '../../storage-status.ts';
import { useGazetteer, useTr, useWriter } from '../context.ts';
import { ChoiceField, DateField, NumberField, TextField, inputId, type FieldProps } from './fields.tsx';
import { AdminPicker, PlaceField } from './places.tsx';
import { PhotosField, photoIdsOf, removedPhotosOf } from './photos.tsx';
import { PointField } from './point.tsx';
import { MoreServices } from './services.tsx';

export interface ReportFormProps {
  type: ReportType;
  draftId: string;
  initial: FormValues;
  /** Set when editing: the id and the values the editor saw (an edit writes only what changed). */
  editing?: { id: ReportId; values: Partial<FieldValues>; photos?: readonly Attachment[] };
  /** Told at each change, as its draft is written: the first one is when the draft comes to be. */
  onDraft?: () => void;
  onSaved: (id: ReportId) => void;
  onCancel: () => void;
}

function WidgetView({ w, props }: { w: Widget; props: FieldProps }) {
  const tr = useTr();
  const label = `field.${w.field}` as MessageKey;
  switch (w.kind) {
    case 'text':
      return <TextField k={w.field} label={label} multiline={w.multiline} props={props} />;
    case 'count':
      return <NumberField k={w.field} label={label} hint="field.count.hint" props={props} />;
    case 'choice':
      return (
        <ChoiceField
          k={w.field}
          label={label}
          options={w.options}
          optionLabel={(v) => tr.tk(`code.${w.field}.${v}`)}
          explain={w.explained && ((v) => tr.tk(`code.${w.field}.${v}.hint`))}
          props={props}
        />
      );
    case 'yesno':
      return (
        <ChoiceField
          k={w.field}
          label={label}
          options={[
            { value: 'yes', label: tr.t('yesno.yes') },
            { value: 'no', label: tr.t('yesno.no') },
          ]}
          props={props}
        />
      );
    case 'eventDate':
      return (
        <>
          <ChoiceField
            k="eventDate.precision"
            label="field.eventDate.precision"
            options={DATE_PRECISIONS}
            optionLabel={(v) => tr.tk(`code.datePrecision.${v}`)}
            props={props}
          />
          <DateField k="eventDate.date" label="field.eventDate" props={props} />
          {props.values['eventDate.precision'] === 'range' && <DateField k="eventDate.end" label="field.eventDate.end" props={props} />}
        </>
      );
    case 'period':
      return (
        <>
          <DateField k="period.since" label="field.period.since" props={props} />
          <DateField k="period.until" label="field.period.until" props={props} />
        </>
      );
    case 'admin':
      return <AdminPicker prefix="admin" levels={3} labels={['field.admin.adm1', 'field.admin.adm2', 'field.admin.adm3']} props={props} />;
    case 'place':
      return <PlaceField field={w.field} props={props} />;
    case 'point':
      return <PointField props={props} />;
  }
}

/** The attachments of the photos kept on this form, in the order they were added. */
async function attachmentsOf(db: RasidDb, ids: string[]): Promise<Attachment[]> {
  const rows = await db.photos.bulkGet(ids);
  return rows.flatMap((r) => (r ? [r.attachment] : []));
}

/** A field's label as its input shows it: the event date's input is labelled by the field's name. */
function labelOf(tr: Translator, key: string): string {
  return tr.tk(key === 'eventDate.date' ? 'field.eventDate' : `field.${key}`);
}

/**
 * What stops the save, above the form: how many fields, then each by its label, in the form's order,
 * as a link that puts the focus in it. Its links move nothing but the focus: no route, no history.
 */
function ErrorSummary({ type, errors, summaryRef }: { type: ReportType; errors: Record<string, string>; summaryRef: Ref<HTMLDivElement> }) {
  const tr = useTr();
  const order = formInputs(type);
  const keys = Object.keys(errors).sort((a, b) => rank(order, a) - rank(order, b));
  if (keys.length === 0) return null;
  const go = (e: MouseEvent, key: string) => {
    e.preventDefault();
    document.getElementById(inputId(key))?.focus();
  };
  return (
    <div class="form-error error-summary" role="group" aria-labelledby="error-summary-title" tabIndex={-1} ref={summaryRef}>
      {/* Not an alert: the count changes as fields are fixed, and a live region would talk over the typing. */}
      <p id="error-summary-title">{tr.plural('form.hasErrors', keys.length)}</p>
      <ul>
        {keys.map((key) => (
          <li key={key}>
            <a href={`#${inputId(key)}`} onClick={(e) => go(e, key)}>
              {labelOf(tr, key)}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Where an input comes in the form; one the form does not show comes last. */
function rank(order: string[], key: string): number {
  const i = order.indexOf(key);
  return i < 0 ? order.length : i;
}

export function ReportForm({ type, draftId, initial, editing, onDraft, onSaved, onCancel }: ReportFormProps) {
  const tr = useTr();
  const { writer } = useWriter();
  const { gazetteer } = useGazetteer();
  const [values, setValues] = useState<FormValues>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saveError, setSaveError] = useState<string>();
  const [tried, setTried] = useState(false);
  const [saving, setSaving] = useState(false);
  // Counts the saves refused for errors: each one, and nothing else, takes the focus to the summary.
  const [refusals, setRefusals] = useState(0);
  const valuesRef = useRef(values);
  const summaryRef = useRef<HTMLDivElement>(null);

  const lookup = useMemo(() => adminLookup(gazetteer), [gazetteer]);
  // An edit is of one report; a new form may be several, one per service of an access cut.
  const convert = (v: FormValues) => {
    const options = { today: localToday(new Date()), lookup, previous: editing?.values };
    if (!editing) return formToContents(type, v, options);
    const { content, errors } = formToContent(type, v, options);
    return { contents: content && [content], errors };
  };

  const set = (key: string, value: string) => {
    const next = { ...valuesRef.current, [key]: value };
    valuesRef.current = next;
    setValues(next);
    if (tried) setErrors(convert(next).errors);
    keepDraft(writer.db, { id: draftId, type, reportId: editing?.id, values: next, updatedAt: Date.now() }).catch((e) =>
      setSaveError(isQuotaError(e) ? tr.t('err.quota') : tr.t('err.save', { detail: String((e as Error)?.message ?? e) })),
    );
    onDraft?.();
  };

  // Once per refused Save, never as the errors change: the monitor may be typing by then.
  useEffect(() => {
    if (refusals) summaryRef.current?.focus();
  }, [refusals]);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (saving) return;
    setTried(true);
    setSaveError(undefined);
    const { contents, errors: found } = convert(valuesRef.current);
    setErrors(found);
    if (!contents) {
      setRefusals((n) => n + 1);
      return;
    }
    setSaving(true);
    try {
      await settledDrafts(draftId);
      const photos = await attachmentsOf(writer.db, photoIdsOf(valuesRef.current));
      if (editing) {
        await editReport(writer, editing.id, changedFields(type, editing.values, contents[0]!), draftId, {
          add: photos,
          remove: removedPhotosOf(valuesRef.current),
        });
        onSaved(editing.id);
      } else {
        const [first] = await createReports(writer, contents, draftId, photos);
        onSaved(first!);
      }
    } catch (err) {
      setSaveError(isQuotaError(err) ? tr.t('err.quota') : tr.t('err.save', { detail: String((err as Error)?.message ?? err) }));
    } finally {
      setSaving(false);
    }
  };

  // Cancel is the monitor choosing to drop what was typed, so the draft goes too, and its photos.
  const cancel = async () => {
    await settledDrafts(draftId);
    await discardDraft(writer.db, draftId).catch(() => undefined);
    const photos = photoIdsOf(valuesRef.current);
    if (photos.length > 0) {
      const { forgetPhoto } = await import('../../photos/photo-rows.ts');
      for (const id of photos) await forgetPhoto(writer.db, id).catch(() => undefined);
    }
    onCancel();
  };

  const required = useMemo(() => requiredInputs(type, values), [type, values]);
  const props: FieldProps = { values, errors, required, set };
  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <ErrorSummary type={type} errors={errors} summaryRef={summaryRef} />
      {formSections(type).map((section) => (
        <section key={section.title} class="form-section">
          <h2>{tr.t(section.title)}</h2>
          {section.widgets.map((w) => (
            <Fragment key={w.field}>
              <WidgetView w={w} props={props} />
              {w.field === 'service' && !editing && <MoreServices props={props} />}
            </Fragment>
          ))}
        </section>
      ))}
      <PhotosField props={props} saved={editing?.photos} />
      {saveError && (
        <p class="form-error" role="alert">
          {saveError}
        </p>
      )}
      <div class="actions sticky">
        <button type="submit" class="primary" disabled={saving}>
          {tr.t('action.save')}
        </button>
        <button type="button" class="secondary" onClick={() => void cancel()}>
          {tr.t('action.cancel')}
        </button>
      </div>
    </form>
  );
}
