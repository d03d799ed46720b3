/**
 * The partner profile form: a name (new profiles only: it is the setting's id and the file name), the
 * allowlist of fields with each one's sensitivity, place and date coarsening. The schema checks it on
 * Save; its catalog keys are shown beside the field they are about, and what was typed stays.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AdminLevel } from '../../../domain/gazetteer.ts';
import { LISTABLE_ITEMS } from '../../../export/profile.ts';
import { FACT_SENSITIVITY, itemSensitivity, type ExportItem } from '../../../export/record.ts';
import {
  createProfile,
  OFFERED_ITEMS,
  updateProfile,
  type ProfileForm,
  type ProfileFormErrors,
  type ProfileFormSlot,
} from '../../desk/profiles.ts';
import type { Translator } from '../../i18n/i18n.ts';
import { useTr, useWriter } from '../context.ts';
import { AdminLevelOptions } from './AdminLevelOptions.tsx';

export interface ProfileEditorProps {
  /** Set when editing a stored profile; a new profile is named in the form. */
  editing?: string;
  initial: ProfileForm;
  /** A problem with the stored profile the form cannot show beside a field of its own (a damaged key). */
  initialErrors?: ProfileFormErrors;
  onSaved: (name: string, wrote: boolean) => void;
  onCancel: () => void;
}

/** A field's name for people; a field this app does not know is shown by its code, as stored. */
export function itemLabel(tr: Translator, item: ExportItem): string {
  if (Object.hasOwn(FACT_SENSITIVITY, item)) return tr.tk(`profile.source.${item}`);
  return (LISTABLE_ITEMS as readonly string[]).includes(item) ? tr.tk(`field.${item}`) : item;
}

const errorId = (slot: ProfileFormSlot) => `profile-${slot}-error`;

function ErrorText({ slot, errors }: { slot: ProfileFormSlot; errors: ProfileFormErrors }) {
  const tr = useTr();
  const key = errors[slot];
  if (!key) return null;
  return (
    <p class="field-error" id={errorId(slot)}>
      {tr.tk(key)}
    </p>
  );
}

/** Attributes that tie a control to its hint and its error, so a screen reader reads both. */
function described(slot: ProfileFormSlot, errors: ProfileFormErrors, hint?: string) {
  const ids = [hint ?? '', errors[slot] ? errorId(slot) : ''].filter(Boolean).join(' ');
  return { 'aria-invalid': errors[slot] ? true : undefined, 'aria-describedby': ids || undefined };
}

function Group({
  slot,
  legend,
  errors,
  hint,
  children,
}: {
  slot: ProfileFormSlot;
  legend: string;
  errors: ProfileFormErrors;
  hint?: string;
  children: ComponentChildren;
}) {
  const hintId = hint ? `profile-${slot}-hint` : undefined;
  return (
    <fieldset class={errors[slot] ? 'has-error' : undefined} {...described(slot, errors, hintId)}>
      <legend>{legend}</legend>
      {hint && (
        <p class="hint" id={hintId}>
          {hint}
        </p>
      )}
      <ErrorText slot={slot} errors={errors} />
      {children}
    </fieldset>
  );
}

export function ProfileEditor({ editing, initial, initialErrors, onSaved, onCancel }: ProfileEditorProps) {
  const tr = useTr();
  const { writer } = useWriter();
  const [form, setForm] = useState<ProfileForm>(initial);
  const [errors, setErrors] = useState<ProfileFormErrors>(initialErrors ?? {});
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<string>();
  const formRef = useRef<HTMLFormElement>(null);
  // Opened, the form takes the focus where typing starts; refused, it moves to the first field marked.
  useEffect(() => {
    const form = formRef.current;
    const marked = form?.querySelector<HTMLElement>('[aria-invalid="true"]');
    const target = marked && !(marked instanceof HTMLInputElement) ? marked.querySelector<HTMLElement>('input, select') : marked;
    (target ?? form?.querySelector<HTMLElement>('input:not([readonly])'))?.focus();
  }, [errors]);
  const set = <K extends keyof ProfileForm>(key: K, value: ProfileForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const toggle = (item: ExportItem, on: boolean) =>
    setForm((f) => ({
      ...f,
      fields: on ? OFFERED_ITEMS.filter((s) => s === item || f.fields.includes(s)) : f.fields.filter((s) => s !== item),
    }));
  // Fields the stored profile names but the app does not offer stay listed, so the schema can say why.
  const unoffered = form.fields.filter((s) => !OFFERED_ITEMS.includes(s));

  async function save(e: Event) {
    e.preventDefault();
    setSaving(true);
    setFailure(undefined);
    try {
      const result = editing ? await updateProfile(writer, form) : await createProfile(writer, form);
      if (result.ok) onSaved(result.profile.name, 'wrote' in result ? result.wrote !== false : true);
      else setErrors(result.errors);
    } catch (err) {
      setFailure(err instanceof Error ? err.message : String(err));
    } finally {
      setSaving(false);
    }
  }

  const titleId = 'profile-editor-title';
  const hasErrors = Object.keys(errors).length > 0;
  return (
    <form ref={formRef} class="profile-editor" aria-labelledby={titleId} onSubmit={(e) => void save(e)} noValidate>
      <h3 id={titleId}>{editing ? tr.t('profile.form.editTitle', { name: editing }) : tr.t('profile.form.newTitle')}</h3>
      {hasErrors && (
        <p class="form-error" role="alert">
          {tr.t('profile.form.hasErrors')}
        </p>
      )}
      {failure && (
        <p class="form-error" role="alert">
          {tr.t('exports.err.failed', { detail: failure })}
        </p>
      )}
      <ErrorText slot="form" errors={errors} />
      <div class={`field${errors.name ? ' has-error' : ''}`}>
        <label for="profile-name">{tr.t('profile.form.name')}</label>
        <p class="hint" id="profile-name-hint">
          {tr.t('profile.form.nameHint')}
        </p>
        <input
          id="profile-name"
          type="text"
          dir="auto"
          autoComplete="off"
          spellcheck={false}
          value={form.name}
          readOnly={editing !== undefined}
          onInput={(e) => set('name', e.currentTarget.value)}
          {...described('name', errors, 'profile-name-hint')}
        />
        <ErrorText slot="name" errors={errors} />
      </div>

      <Group slot="fields" legend={tr.t('profile.form.fields')} hint={tr.t('profile.form.fieldsHint')} errors={errors}>
        <ul class="profile-fields">
          {[...OFFERED_ITEMS, ...unoffered].map((item) => {
            const id = `profile-field-${item}`;
            // A field this app does not know (from a newer app, or a faulty one) has no sensitivity to show.
            const level = (LISTABLE_ITEMS as readonly string[]).includes(item) ? itemSensitivity(item) : undefined;
            return (
              <li key={item}>
                <label class="check" for={id}>
                  <input
                    id={id}
                    type="checkbox"
                    checked={form.fields.includes(item)}
                    aria-describedby={level ? `${id}-sensitivity` : undefined}
                    onChange={(e) => toggle(item, e.currentTarget.checked)}
                  />
                  <span>{itemLabel(tr, item)}</span>
                </label>
                {level && (
                  <span class={`sensitivity ${level}`} id={`${id}-sensitivity`}>
                    <span class="visually-hidden">{tr.t('profile.form.sensitivity')}: </span>
                    {tr.t(`profile.sensitivity.${level}`)}
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      </Group>

      <Group slot="place" legend={tr.t('profile.form.place')} errors={errors}>
        <label class="radio">
          <input type="radio" name="profile-place" checked={form.place === 'admin'} onChange={() => set('place', 'admin')} />
          {tr.t('profile.form.placeAdmin')}
        </label>
        <label class="radio">
          <input type="radio" name="profile-place" checked={form.place === 'grid'} onChange={() => set('place', 'grid')} />
          {tr.t('profile.form.placeGrid')}
        </label>
        <div class="field">
          <label for="profile-level">{tr.t('profile.form.level')}</label>
          <select id="profile-level" value={String(form.level)} onChange={(e) => set('level', Number(e.currentTarget.value) as AdminLevel)}>
            <AdminLevelOptions />
          </select>
        </div>
        {form.place === 'grid' && (
          <div class={`field${errors.km ? ' has-error' : ''}`}>
            <label for="profile-km">{tr.t('profile.form.km')}</label>
            <p class="hint" id="profile-km-hint">
              {tr.t('profile.form.kmHint')}
            </p>
            <input
              id="profile-km"
              type="text"
              inputMode="decimal"
              dir="ltr"
              autoComplete="off"
              value={form.km}
              onInput={(e) => set('km', e.currentTarget.value)}
              {...described('km', errors, 'profile-km-hint')}
            />
            <ErrorText slot="km" errors={errors} />
          </div>
        )}
      </Group>

      <Group slot="dates" legend={tr.t('profile.form.dates')} errors={errors}>
        <label class="radio">
          <input type="radio" name="profile-dates" checked={form.dates === 'day'} onChange={() => set('dates', 'day')} />
          {tr.t('profile.form.day')}
        </label>
        <label class="radio">
          <input type="radio" name="profile-dates" checked={form.dates === 'week'} onChange={() => set('dates', 'week')} />
          {tr.t('profile.form.week')}
        </label>
      </Group>

      <Group slot="form" legend={tr.t('profile.form.photos')} errors={{}} hint={tr.t('profile.form.photosHint')}>
        <label class="check" for="profile-photos">
          <input id="profile-photos" type="checkbox" checked={form.photos} onChange={(e) => set('photos', e.currentTarget.checked)} />
          {tr.t('profile.form.photosOn')}
        </label>
      </Group>

      {editing ? (
        errors.key && (
          <div class="field has-error">
            <p>{tr.t('profile.form.key')}</p>
            <ErrorText slot="key" errors={errors} />
          </div>
        )
      ) : (
        <p class="hint">{tr.t('profile.form.keyHint')}</p>
      )}

      <div class="actions">
        <button type="submit" class="primary" disabled={saving}>
          {tr.t('profile.form.save')}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          {tr.t('action.cancel')}
        </button>
      </div>
    </form>
  );
}
