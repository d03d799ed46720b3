/**
 * Partner profiles and the export log, as the desk keeps them: `desk` settings, written as desk ops
 * that only coordinators' devices receive (a partner's pseudonym key must never reach a phone in
 * the field). The desk in the browser and `npm run export` at base read them the same way.
 *
 * A profile is the setting `profile:<name>`, one field per part (key, fields, place, dates), so two
 * coordinators who change different parts apart both keep theirs, and a real clash is a conflict
 * like any other. Removing a profile is a delete. Each export is a setting of its own,
 * `export:<uuid>`, written once: a log that only grows, and never merges two entries into one.
 */
import { z } from 'zod/mini';
import { UUID_PATTERN, type SettingId } from '../domain/ids.ts';
import { DELETED_FIELD, viewOf, type MergedState } from '../domain/merge.ts';
import { deviceIdSchema, settingIdSchema } from '../domain/id-schemas.ts';
import { EXPORT_FORMATS } from './export-file.ts';
import { fromBase64url, toBase64url } from '../domain/crypto/bytes.ts';
import { partnerProfileSchema, profileNameIssue, SLUG_PROFILE_NAME, type PartnerProfile } from './profile.ts';

export const PROFILE_SETTING_PREFIX = 'profile:';
export const EXPORT_LOG_PREFIX = 'export:';

/** The parts of a profile, each a field of its setting. */
export const PROFILE_PARTS = ['key', 'fields', 'place', 'dates', 'photos'] as const;

/**
 * Marks a name that is no slug, written as base64url of its UTF-8: a setting id travels in an op's
 * header, which takes only Latin letters, digits and `_.:-`. A slug has no `.`, so the two never meet.
 */
const ENCODED_NAME = 'u.';

export function profileSettingId(name: string): SettingId {
  const issue = profileNameIssue(name);
  if (issue) throw new Error(issue);
  const tail = SLUG_PROFILE_NAME.test(name) ? name : ENCODED_NAME + toBase64url(new TextEncoder().encode(name));
  return settingIdSchema.parse(PROFILE_SETTING_PREFIX + tail);
}

/** The profile name a setting id names, or undefined when it names something else. */
export function profileNameOf(settingId: string): string | undefined {
  if (!settingId.startsWith(PROFILE_SETTING_PREFIX)) return undefined;
  const tail = settingId.slice(PROFILE_SETTING_PREFIX.length);
  if (!tail.startsWith(ENCODED_NAME)) return SLUG_PROFILE_NAME.test(tail) ? tail : undefined;
  const bytes = fromBase64url(tail.slice(ENCODED_NAME.length));
  if (!bytes) return undefined;
  let name: string;
  try {
    name = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
  // Each name has one id: a slug written encoded is some other device's mistake, not that profile.
  return profileNameIssue(name) === undefined && !SLUG_PROFILE_NAME.test(name) ? name : undefined;
}

/** What a profile is written as: its parts as fields (the name is the setting's id). */
export function profileChanges(profile: PartnerProfile): Record<(typeof PROFILE_PARTS)[number], unknown> {
  return { key: profile.key, fields: profile.fields, place: profile.place, dates: profile.dates, photos: profile.photos === true };
}

export type StoredProfile =
  | { name: string; ok: true; profile: PartnerProfile; conflicts: string[] }
  /** Removed, or not a profile this app can use (a catalog key says why): listed, never exported with. */
  | { name: string; ok: false; reason: string; conflicts: string[] };

export function profileFromState(state: MergedState<SettingId>): StoredProfile | undefined {
  const name = profileNameOf(state.id);
  if (name === undefined) return undefined;
  const view = viewOf(state);
  const conflicts = view.conflicts.filter((c) => c !== DELETED_FIELD);
  if (view.deleted) return { name, ok: false, reason: 'err.profile.removed', conflicts };
  const values = view.values as Record<string, unknown>;
  const parsed = partnerProfileSchema.safeParse({ kind: 'partner', name, ...Object.fromEntries(PROFILE_PARTS.map((p) => [p, values[p]])) });
  if (!parsed.success) return { name, ok: false, reason: parsed.error.issues[0]?.message ?? 'err.profile.invalid', conflicts };
  return { name, ok: true, profile: parsed.data, conflicts };
}

/** What an export log entry says: who (the coordinator's device), when, with which profile, how many rows. */
export const EXPORT_LOG_FORMATS = [...EXPORT_FORMATS, 'aggregate_csv', 'aggregate_json'] as const;
export const exportLogEntrySchema = z.object({
  profile: z.string().check(z.maxLength(64)),
  format: z.enum(EXPORT_LOG_FORMATS),
  rows: z.int().check(z.minimum(0)),
  /** ISO 8601, as written into the file. */
  at: z.iso.datetime(),
  by: deviceIdSchema,
});
export type ExportLogEntry = z.infer<typeof exportLogEntrySchema>;

export function exportLogId(uuid: string): SettingId {
  if (!UUID_PATTERN.test(uuid)) throw new Error('err.id.invalid');
  return settingIdSchema.parse(EXPORT_LOG_PREFIX + uuid);
}

/** A log entry as stored; undefined for another setting or an entry this app cannot read. */
export function exportLogEntryFromState(state: MergedState<SettingId>): ExportLogEntry | undefined {
  if (!state.id.startsWith(EXPORT_LOG_PREFIX)) return undefined;
  const parsed = exportLogEntrySchema.safeParse(viewOf(state).values);
  return parsed.success ? parsed.data : undefined;
}
