/**
 * Partner profiles on the desk: read from the `settings` table, written as desk ops through writeOp,
 * so they reach every coordinator's device and never a phone (a pseudonym key in the field would
 * let anyone holding a partner's file work its ids back).
 *
 * A coordinator edits a profile as a form. What is typed is checked by the profile's own schema,
 * whose messages are catalog keys, and is kept as typed when it fails. Saving writes only the parts
 * that changed, so two coordinators who edit different parts apart both keep theirs; a part in
 * conflict is written again, which is how saving resolves it.
 */
import { canonicalJson } from '../../domain/canonical-json.ts';
import { normalizeDigits } from '../../domain/digits.ts';
import type { AdminLevel } from '../../domain/gazetteer.ts';
import type { SettingId } from '../../domain/ids.ts';
import { DELETED_FIELD, deleteBody, distinctHeads, settingBody, viewOf, type MergedState } from '../../domain/merge.ts';
import type { DateGrain } from '../../export/coarsen.ts';
import {
  PROFILE_PARTS,
  PROFILE_SETTING_PREFIX,
  profileChanges,
  profileFromState,
  profileSettingId,
  type StoredProfile,
} from '../../export/desk-settings.ts';
import {
  DEFAULT_GRID_KM,
  DEFAULT_PARTNER_FIELDS,
  LISTABLE_ITEMS,
  partnerProfileSchema,
  type PartnerProfile,
} from '../../export/profile.ts';
import { newPseudonymKey } from '../../export/pseudonym.ts';
import { itemSensitivity, type ExportItem } from '../../export/record.ts';
import type { RasidDb } from '../store/db.ts';
import { writeOp, type WriterContext } from '../store/write-op.ts';

/** A refusal a coordinator can read: `code` is a catalog key. */
export class ProfileError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

export type ListedProfile = StoredProfile & {
  /** Removed on one device while changed on another: neither wins until a coordinator decides. */
  removedWhileEdited: boolean;
};

/** Export items a coordinator may offer a partner: internal ones (device, source detail) never appear. */
export const OFFERED_ITEMS: readonly ExportItem[] = LISTABLE_ITEMS.filter((s) => itemSensitivity(s) !== 'internal');

/** The profile as the editor holds it: what was typed, valid or not. */
export interface ProfileForm {
  name: string;
  fields: ExportItem[];
  place: 'admin' | 'grid';
  level: AdminLevel;
  /** The grid's size as typed (Arabic-Indic digits allowed). */
  km: string;
  dates: DateGrain;
  /** Re-encoded photos, with no metadata, go with the partner's file. */
  photos: boolean;
}

/** Where an error is shown: beside the field it is about, or above the form. */
export type ProfileFormSlot = 'name' | 'key' | 'fields' | 'place' | 'km' | 'dates' | 'form';
export type ProfileFormErrors = Partial<Record<ProfileFormSlot, string>>;

export function newProfileForm(): ProfileForm {
  return {
    name: '',
    fields: [...DEFAULT_PARTNER_FIELDS],
    place: 'admin',
    level: 2,
    km: String(DEFAULT_GRID_KM),
    dates: 'week',
    photos: false,
  };
}

export function formOf(profile: PartnerProfile): ProfileForm {
  return {
    name: profile.name,
    fields: [...profile.fields],
    place: profile.place.by,
    level: profile.place.level,
    km: profile.place.by === 'grid' ? String(profile.place.km) : String(DEFAULT_GRID_KM),
    dates: profile.dates,
    photos: profile.photos === true,
  };
}

const isLevel = (v: unknown): v is AdminLevel => v === 1 || v === 2 || v === 3;
const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/**
 * The form for a stored profile, also one that cannot be used (a damaged part, a part in conflict):
 * each part as its first version shows it, a default where it cannot be read, so a coordinator can
 * fix it instead of starting again. Fields the app does not offer are kept, and the schema says why.
 */
export function formOfState(state: MergedState, name: string): ProfileForm {
  const values = viewOf(state).values as Record<string, unknown>;
  const form = newProfileForm();
  form.name = name;
  if (Array.isArray(values.fields)) form.fields = values.fields.filter((f): f is ExportItem => typeof f === 'string');
  const place = obj(values.place);
  if (place.by === 'admin' || place.by === 'grid') form.place = place.by;
  if (isLevel(place.level)) form.level = place.level;
  if (typeof place.km === 'number') form.km = String(place.km);
  if (values.dates === 'day' || values.dates === 'week') form.dates = values.dates;
  form.photos = values.photos === true;
  return form;
}

function slotOf(path: readonly PropertyKey[]): ProfileFormSlot {
  const [head, next] = path;
  if (head === 'place') return next === 'km' ? 'km' : 'place';
  if (head === 'name' || head === 'key' || head === 'fields' || head === 'dates') return head;
  return 'form';
}

/** A grid size as typed; NaN when it is not a number, which the schema then refuses. */
function parseKm(text: string): number {
  const t = normalizeDigits(text).trim();
  return /^\d+(\.\d+)?$/.test(t) ? Number(t) : Number.NaN;
}

export type ProfileCheck = { ok: true; profile: PartnerProfile } | { ok: false; errors: ProfileFormErrors };

/** The profile the form describes under `key`, or a catalog key per field that is wrong. */
export function checkProfile(form: ProfileForm, key: string): ProfileCheck {
  const place = form.place === 'grid' ? { by: 'grid', level: form.level, km: parseKm(form.km) } : { by: 'admin', level: form.level };
  const parsed = partnerProfileSchema.safeParse({
    kind: 'partner',
    // As typed on any keyboard: composed (NFC), so one name is one profile.
    name: form.name.trim().normalize('NFC'),
    key,
    fields: form.fields,
    place,
    dates: form.dates,
    photos: form.photos,
  });
  if (parsed.success) return { ok: true, profile: parsed.data };
  const errors: ProfileFormErrors = {};
  for (const issue of parsed.error.issues) {
    const slot = slotOf(issue.path);
    // zod's own messages (a grid size that is not a number) are English text, never shown as such.
    const message = issue.message.startsWith('err.profile.') ? issue.message : 'err.profile.invalid';
    errors[slot] ??= message;
  }
  return { ok: false, errors };
}

function listed(state: MergedState<SettingId>): ListedProfile | undefined {
  const stored = profileFromState(state);
  if (!stored) return undefined;
  return { ...stored, removedWhileEdited: viewOf(state).conflicts.includes(DELETED_FIELD) };
}

/** Partner profiles on this device by name; a cleanly removed one is gone, one removed while edited stays, with why. */
export async function listProfiles(db: RasidDb): Promise<ListedProfile[]> {
  const rows = await db.settings.where('id').startsWith(PROFILE_SETTING_PREFIX).toArray();
  return rows
    .map((row) => listed(row.state))
    .filter((p): p is ListedProfile => p !== undefined && (p.ok || p.reason !== 'err.profile.removed' || p.removedWhileEdited))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export async function profileState(db: RasidDb, name: string): Promise<MergedState<SettingId> | undefined> {
  return (await db.settings.get(profileSettingId(name)))?.state;
}

/** Whether a name is held by a profile that was not removed. */
function taken(state: MergedState): boolean {
  const view = viewOf(state);
  return !view.deleted && PROFILE_PARTS.some((p) => Object.hasOwn(view.values, p));
}

/** A removed profile's delete is superseded too, so the name can be used again (or a removal undone). */
function undelete(state: MergedState): Record<string, unknown> {
  return state.fields[DELETED_FIELD]?.heads.length ? { [DELETED_FIELD]: undefined } : {};
}

/** Thrown inside a transaction to leave it without writing; never leaves this module. */
class NothingToWrite extends Error {}

/** A new partner profile with a new pseudonym key, or why the form cannot be saved. */
export async function createProfile(writer: WriterContext, form: ProfileForm): Promise<ProfileCheck> {
  const check = checkProfile(form, newPseudonymKey(writer.random));
  if (!check.ok) return check;
  const made = check.profile;
  try {
    await writeOp(writer, profileSettingId(made.name), (state, hlc) => {
      // Decided inside the transaction: another tab, or a sync, may have brought the name meanwhile.
      if (taken(state)) throw new ProfileError('err.profile.nameTaken');
      return { kind: 'desk', body: settingBody(state, { ...profileChanges(made), ...undelete(state) }, hlc) };
    });
  } catch (e) {
    if (e instanceof ProfileError) return { ok: false, errors: { name: e.code } };
    throw e;
  }
  return check;
}

/** What saving `profile` over `state` writes: the parts that differ, and every part in conflict. */
function editChanges(state: MergedState, profile: PartnerProfile): Record<string, unknown> {
  const values = viewOf(state).values as Record<string, unknown>;
  const wanted = profileChanges(profile);
  const changes: Record<string, unknown> = undelete(state);
  for (const part of PROFILE_PARTS) {
    const inConflict = distinctHeads(state.fields[part]).length > 1;
    // A profile from before photos has none, which is what `false` says: saving it unchanged writes nothing.
    const stored = part === 'photos' ? (values[part] ?? false) : values[part];
    if (inConflict || canonicalJson(stored) !== canonicalJson(wanted[part])) changes[part] = wanted[part];
  }
  return changes;
}

/**
 * Saves an edited profile under the key it has (rotating is its own action). Nothing is written when
 * nothing changed; `wrote` says which.
 */
export async function updateProfile(writer: WriterContext, form: ProfileForm): Promise<ProfileCheck & { wrote?: boolean }> {
  const state = await profileState(writer.db, form.name);
  if (!state) return { ok: false, errors: { form: 'err.profile.removed' } };
  // A removal crossed by an edit took the key with it: kept, the profile starts on a new one. A key
  // that is there but damaged is refused instead, so it is never replaced without the coordinator asking.
  const keys = distinctHeads(state.fields.key);
  const key = keys.length === 0 ? newPseudonymKey(writer.random) : keys[0]!.value;
  const check = checkProfile(form, typeof key === 'string' ? key : '');
  if (!check.ok) return check;
  if (Object.keys(editChanges(state, check.profile)).length === 0) return { ...check, wrote: false };
  try {
    await writeOp(writer, profileSettingId(form.name), (current, hlc) => {
      const changes = editChanges(current, check.profile);
      if (Object.keys(changes).length === 0) throw new NothingToWrite();
      return { kind: 'desk', body: settingBody(current, changes, hlc) };
    });
  } catch (e) {
    if (e instanceof NothingToWrite) return { ...check, wrote: false };
    throw e;
  }
  return { ...check, wrote: true };
}

/** A new pseudonym key: every id the partner holds stops matching the ids of its next file. */
export async function rotateKey(writer: WriterContext, name: string): Promise<void> {
  const id = profileSettingId(name);
  if (!(await writer.db.settings.get(id))) throw new ProfileError('err.profile.removed');
  await writeOp(writer, id, (state, hlc) => ({ kind: 'desk', body: settingBody(state, { key: newPseudonymKey(writer.random) }, hlc) }));
}

/** Removes a profile on every coordinator's device; an edit made meanwhile elsewhere is kept as a conflict. */
export async function removeProfile(writer: WriterContext, name: string): Promise<void> {
  await writeOp(writer, profileSettingId(name), (state, hlc) => ({ kind: 'desk', body: deleteBody(state, hlc) }));
}
