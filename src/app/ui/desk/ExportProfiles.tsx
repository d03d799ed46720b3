/**
 * The profiles a coordinator exports with: "internal", always there and never editable, and the
 * partner profiles, each with what it shares, why it cannot be used when it cannot (a conflict, a
 * removal crossed by an edit, a damaged part), and its actions: edit, new key, remove. A new key and
 * a removal are asked twice, since a partner's ids stop matching after either.
 */
import { useRef, useState } from 'preact/hooks';
import type { MergedState } from '../../../domain/merge.ts';
import {
  formOf,
  formOfState,
  newProfileForm,
  profileState,
  removeProfile,
  rotateKey,
  type ListedProfile,
  type ProfileForm,
} from '../../desk/profiles.ts';
import type { Translator } from '../../i18n/i18n.ts';
import { ConfirmDialog } from '../ConfirmDialog.tsx';
import { useTr, useWriter } from '../context.ts';
import { ProfileEditor } from './ProfileEditor.tsx';

/** A catalog key that says why a profile cannot be used; anything else the schema said reads as "not valid". */
export function reasonKey(reason: string): string {
  return reason.startsWith('err.profile.') ? reason : 'err.profile.invalid';
}

function summary(tr: Translator, p: ListedProfile): string | undefined {
  if (!p.ok) return undefined;
  const { fields, place, dates, photos } = p.profile;
  const where =
    place.by === 'grid'
      ? tr.t('profile.summary.grid', { level: place.level, km: place.km })
      : tr.t('profile.summary.admin', { level: place.level });
  return [
    tr.plural('profile.summary.fields', fields.length),
    where,
    tr.t(dates === 'day' ? 'profile.summary.day' : 'profile.summary.week'),
    tr.t(photos ? 'profile.summary.photos' : 'profile.summary.noPhotos'),
  ].join(' · ');
}

function Problems({ p }: { p: ListedProfile }) {
  const tr = useTr();
  const notes: string[] = [];
  if (p.removedWhileEdited) notes.push(tr.t('profile.removedWhileEdited'));
  else if (!p.ok) notes.push(tr.t('profile.unusable', { reason: tr.tk(reasonKey(p.reason)) }));
  if (p.conflicts.length > 0)
    notes.push(
      tr.t('profile.conflict', { parts: p.conflicts.map((c) => tr.tk(`profile.part.${c}`)).join(tr.lang === 'ar' ? '، ' : ', ') }),
    );
  if (notes.length === 0) return null;
  return (
    <>
      {notes.map((n) => (
        <p key={n} class="notice conflict">
          {n}
        </p>
      ))}
    </>
  );
}

type Editing = { name?: string; form: ProfileForm };

/** The form for a stored profile as it is, fixable also when it cannot be used. */
function editFormOf(p: ListedProfile, state: MergedState | undefined): Editing {
  if (p.ok && p.conflicts.length === 0) return { name: p.name, form: formOf(p.profile) };
  return { name: p.name, form: state ? formOfState(state, p.name) : { ...newProfileForm(), name: p.name } };
}

export function ExportProfiles({ profiles }: { profiles: ListedProfile[] | undefined }) {
  const tr = useTr();
  const { writer } = useWriter();
  const [editing, setEditing] = useState<Editing>();
  const [status, setStatus] = useState<string>();
  const [failure, setFailure] = useState<string>();
  const [target, setTarget] = useState<string>('');
  const rotateDialog = useRef<HTMLDialogElement>(null);
  const removeDialog = useRef<HTMLDialogElement>(null);

  const act = async (work: () => Promise<void>, done: string) => {
    setStatus(undefined);
    setFailure(undefined);
    try {
      await work();
      setStatus(done);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      setFailure(
        typeof code === 'string' && code.startsWith('err.')
          ? tr.tk(code)
          : tr.t('exports.err.failed', { detail: e instanceof Error ? e.message : String(e) }),
      );
    }
  };

  const edit = async (p: ListedProfile) => {
    setStatus(undefined);
    setEditing(editFormOf(p, await profileState(writer.db, p.name)));
  };

  return (
    <section class="form-section exports-profiles" aria-labelledby="profiles-h">
      <h2 id="profiles-h">{tr.t('profile.title')}</h2>
      <ul class="plain" aria-labelledby="profiles-h">
        <li>
          <strong class="mono">{tr.t('profile.internal')}</strong>
          <p class="hint">{tr.t('profile.internalHint')}</p>
        </li>
        {profiles?.map((p, i) => (
          // Numbered, not named: a name may hold spaces, which would split the id reference.
          <li key={p.name} aria-labelledby={`profile-${i}-name`}>
            <strong class="mono" id={`profile-${i}-name`} dir="auto">
              {p.name}
            </strong>
            {summary(tr, p) && <p class="hint">{summary(tr, p)}</p>}
            <Problems p={p} />
            <div class="actions">
              <button type="button" class="secondary" aria-label={tr.t('profile.edit', { name: p.name })} onClick={() => void edit(p)}>
                {tr.t('profile.action.edit')}
              </button>
              <button
                type="button"
                class="secondary"
                aria-label={tr.t('profile.rotate', { name: p.name })}
                onClick={() => {
                  setTarget(p.name);
                  rotateDialog.current?.showModal();
                }}
              >
                {tr.t('profile.action.rotate')}
              </button>
              <button
                type="button"
                class="danger"
                aria-label={tr.t('profile.remove', { name: p.name })}
                onClick={() => {
                  setTarget(p.name);
                  removeDialog.current?.showModal();
                }}
              >
                {tr.t('profile.action.remove')}
              </button>
            </div>
          </li>
        ))}
      </ul>
      {profiles?.length === 0 && <p class="empty">{tr.t('profile.none')}</p>}
      <p role="status">{status}</p>
      {failure && (
        <p class="form-error" role="alert">
          {failure}
        </p>
      )}
      {editing ? (
        <ProfileEditor
          key={editing.name ?? '(new)'}
          editing={editing.name}
          initial={editing.form}
          onCancel={() => setEditing(undefined)}
          onSaved={(name, wrote) => {
            setEditing(undefined);
            setStatus(tr.t(wrote ? 'profile.saved' : 'profile.unchanged', { name }));
          }}
        />
      ) : (
        <button
          type="button"
          class="primary"
          onClick={() => {
            setStatus(undefined);
            setEditing({ form: newProfileForm() });
          }}
        >
          {tr.t('profile.new')}
        </button>
      )}
      <ConfirmDialog
        dialogRef={rotateDialog}
        id="profile-rotate"
        title={tr.t('profile.rotateTitle', { name: target })}
        body={tr.t('profile.rotateBody')}
        confirmLabel={tr.t('profile.rotateConfirm')}
        onConfirm={() => void act(() => rotateKey(writer, target), tr.t('profile.rotated', { name: target }))}
      />
      <ConfirmDialog
        dialogRef={removeDialog}
        id="profile-remove"
        title={tr.t('profile.removeTitle', { name: target })}
        body={tr.t('profile.removeBody')}
        confirmLabel={tr.t('profile.removeConfirm')}
        onConfirm={() =>
          void act(
            async () => {
              await removeProfile(writer, target);
              if (editing?.name === target) setEditing(undefined);
            },
            tr.t('profile.removed', { name: target }),
          )
        }
      />
    </section>
  );
}
