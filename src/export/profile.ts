/**
 * Export profiles: `internal`, everything a coordinator sees, and named partner profiles, each an
 * allowlist of fields with its own place and date coarsening and its own pseudonym key.
 *
 * What a partner profile may list starts from each field's sensitivity in the report schema: public
 * fields are listed by default, partner fields only when a coordinator adds them, internal fields
 * never (the schema refuses them, and the column list drops them again). A partner never gets an
 * exact point: a point is only allowed together with a grid, and is snapped to the cell's centre.
 */
import { z } from 'zod/mini';
import { adminLevelSchema } from '../domain/gazetteer.ts';
import { FIELDS } from '../domain/report.ts';
import { DATE_GRAINS } from './coarsen.ts';
import { PSEUDONYM_KEY_PATTERN } from './pseudonym.ts';
import { FACT_SENSITIVITY, REPORT_COLUMNS, columnSensitivity, itemSensitivity, type ExportItem, type ReportColumn } from './record.ts';

/** In every export: a row needs an id (a pseudonym for partners) and a type. */
const ALWAYS: readonly ExportItem[] = ['id', 'type'];

/** Every export item a profile's allowlist can name. */
export const LISTABLE_ITEMS = [...(Object.keys(FIELDS) as ExportItem[]), ...(Object.keys(FACT_SENSITIVITY) as ExportItem[])].filter(
  (s) => !ALWAYS.includes(s),
) as unknown as readonly [ExportItem, ...ExportItem[]];

/** What a new partner profile lists: every public field, nothing a coordinator has to think about. */
export const DEFAULT_PARTNER_FIELDS: readonly ExportItem[] = LISTABLE_ITEMS.filter((s) => itemSensitivity(s) === 'public');

/** About 5 km, as DATA.md suggests: a village, not a house. */
export const DEFAULT_GRID_KM = 5;
/** Below a kilometre a cell centre is close to a house again. */
export const MIN_GRID_KM = 1;

export const placeGrainSchema = z.discriminatedUnion('by', [
  /** Admin areas down to `level`; no point at all. */
  z.object({ by: z.literal('admin'), level: adminLevelSchema }),
  /** Admin areas down to `level`, and points snapped to the centre of a `km` grid cell. */
  z.object({
    by: z.literal('grid'),
    level: adminLevelSchema,
    km: z
      .number()
      .check(z.minimum(MIN_GRID_KM, { error: 'err.profile.gridTooFine' }), z.maximum(100, { error: 'err.profile.gridTooCoarse' })),
  }),
]);
export type PlaceGrain = z.infer<typeof placeGrainSchema>;

/**
 * A name as the first profiles were named, and as most still are: kept as it is in its setting id
 * (`profile:<name>`), so those profiles keep theirs.
 */
export const SLUG_PROFILE_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;
/**
 * Letters and digits of any language (a partner is often named in Arabic), with their marks, spaces,
 * - and _: nothing that steers text (control characters, direction marks) or names a folder.
 */
const PROFILE_NAME_CHARACTERS = /^[\p{L}\p{N}](?:[\p{L}\p{M}\p{N}_-]| (?! ))*$/u;
/**
 * A name that is no slug travels in its setting id as base64url of its UTF-8, and a setting id has
 * at most 64 characters: 40 bytes is 40 Latin letters, or 20 Arabic ones.
 */
export const PROFILE_NAME_MAX_BYTES = 40;

/** Why a profile name cannot be used, as a catalog key; undefined when it can. */
export function profileNameIssue(name: string): 'err.profile.name' | 'err.profile.nameLong' | undefined {
  if (SLUG_PROFILE_NAME.test(name)) return undefined;
  // One way to write each name, so one name is one setting whichever keyboard typed it.
  if (!PROFILE_NAME_CHARACTERS.test(name) || name.endsWith(' ') || name !== name.normalize('NFC')) return 'err.profile.name';
  if (new TextEncoder().encode(name).length > PROFILE_NAME_MAX_BYTES) return 'err.profile.nameLong';
  return undefined;
}

export const partnerProfileSchema = z
  .object({
    kind: z.literal('partner'),
    /** Used in file names and on the command line (`--profile NAME`). */
    name: z.string().check(
      z.refine((n) => profileNameIssue(n) !== 'err.profile.name', { error: 'err.profile.name', abort: true }),
      z.refine((n) => profileNameIssue(n) !== 'err.profile.nameLong', { error: 'err.profile.nameLong', abort: true }),
      z.refine((n) => n !== 'internal', { error: 'err.profile.nameTaken' }),
    ),
    /** base64url, at least 32 bytes; replacing it rotates every pseudonym this partner holds. */
    key: z.string().check(z.regex(PSEUDONYM_KEY_PATTERN, { error: 'err.profile.key' })),
    fields: z
      .array(z.enum(LISTABLE_ITEMS, { error: 'err.profile.unknownField' }))
      .check(z.refine((fs) => fs.every((f) => itemSensitivity(f) !== 'internal'), { error: 'err.profile.internalField' })),
    place: placeGrainSchema,
    dates: z.enum(DATE_GRAINS),
    /**
     * Whether the partner receives the reports' photos: never an original, each re-encoded from its
     * pixels with no metadata at all. Absent in profiles made before photos: none.
     */
    photos: z._default(z.boolean(), false),
  })
  .check(
    z.refine((p) => !p.fields.includes('point') || p.place.by === 'grid', { error: 'err.profile.pointNeedsGrid', path: ['place'] }),
    z.refine((p) => p.fields.includes('point') || p.place.by !== 'grid', { error: 'err.profile.gridNeedsPoint', path: ['fields'] }),
  );
export type PartnerProfile = z.infer<typeof partnerProfileSchema>;

export const internalProfileSchema = z.object({ kind: z.literal('internal'), name: z.literal('internal') });
export type InternalProfile = z.infer<typeof internalProfileSchema>;

export const profileSchema = z.discriminatedUnion('kind', [internalProfileSchema, partnerProfileSchema]);
export type Profile = z.infer<typeof profileSchema>;

export const INTERNAL_PROFILE: InternalProfile = { kind: 'internal', name: 'internal' };

/**
 * A partner profile with DATA.md's defaults for whatever is not given: public fields only (no
 * narrative, no source, no device, no point), admin-2 places, ISO-week dates. Throws a ZodError
 * (messages are catalog keys) when what is given is not allowed.
 */
export function partnerProfile(init: {
  name: string;
  key: string;
  fields?: readonly ExportItem[];
  place?: PlaceGrain;
  dates?: PartnerProfile['dates'];
  photos?: boolean;
}): PartnerProfile {
  return partnerProfileSchema.parse({
    kind: 'partner',
    name: init.name,
    key: init.key,
    fields: [...(init.fields ?? DEFAULT_PARTNER_FIELDS)],
    place: init.place ?? { by: 'admin', level: 2 },
    dates: init.dates ?? 'week',
    photos: init.photos ?? false,
  });
}

/**
 * The columns a profile's files have, in record order. Internal sensitivity is checked here too, so
 * a profile that skipped its schema (hand-edited, or from an older app) still cannot leak a device id.
 */
export function columnsFor(profile: Profile): readonly ReportColumn[] {
  if (profile.kind === 'internal') return REPORT_COLUMNS;
  const listed = new Set<ExportItem>([...ALWAYS, ...profile.fields]);
  const gridded = profile.place.by === 'grid';
  return REPORT_COLUMNS.filter(
    (c) =>
      listed.has(c.item) &&
      columnSensitivity(c) !== 'internal' &&
      (c.adminLevel === undefined || c.adminLevel <= profile.place.level) &&
      (c.item !== 'point' || gridded),
  );
}
