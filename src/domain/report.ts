/**
 * What a report is: its fields, each a zod schema that also carries the field's sensitivity, and the
 * three report types as lists of those fields. Everything else (forms, merge, exports, redaction) reads
 * these definitions; types come from z.infer and are never written out by hand.
 *
 * Error messages are catalog keys (`err.*`), translated by the UI.
 */
import { z } from 'zod/mini';
import { MAX_COUNT } from './digits.ts';
import { reportIdSchema } from './id-schemas.ts';
import {
  DATE_PRECISIONS,
  LOCATION_PRECISIONS,
  SOURCE_KINDS,
  CONFIDENCES,
  VERIFICATION_STATUSES,
  SHELTER_KINDS,
  DISPLACEMENT_CAUSES,
  STRUCTURE_KINDS,
  DAMAGE_LEVELS,
  DAMAGE_CAUSES,
  SERVICES,
  SERVICE_STATES,
  CUT_CAUSES,
  type ReportType,
} from './report-codes.ts';
export * from './report-codes.ts';

/** Who may see a field: every partner, a partner whose profile opts in, or coordinators only. */
export const SENSITIVITIES = ['public', 'partner', 'internal'] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];

export interface FieldInfo {
  sensitivity: Sensitivity;
}
export const fieldInfo = z.registry<FieldInfo>();

function field<T extends z.ZodMiniType>(schema: T, sensitivity: Sensitivity): T {
  fieldInfo.add(schema, { sensitivity });
  return schema;
}

/** Longest text per kind of field, in characters. */
export const TEXT_LIMITS = { short: 200, detail: 2_000, narrative: 20_000 } as const;

const text = (max: number) =>
  z.string({ error: 'err.text.invalid' }).check(
    z.maxLength(max, { error: 'err.text.tooLong' }),
    z.refine((s) => s.trim().length > 0, { error: 'err.text.blank' }),
  );

const count = z
  .int({ error: (issue) => (typeof issue.input === 'number' ? 'err.count.whole' : 'err.count.notNumber') })
  .check(z.minimum(0, { error: 'err.count.negative' }), z.maximum(MAX_COUNT, { error: 'err.count.tooLarge' }));

export const isoDate = z.iso.date({ error: 'err.date.invalid' });

const choice = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: 'err.choice.invalid' });

// ----- compound values: parts that only mean something together are one field -----
export const eventDateSchema = z
  .object({
    precision: choice(DATE_PRECISIONS),
    date: isoDate,
    end: z.optional(isoDate),
  })
  .check(
    z.refine((d) => d.precision !== 'range' || d.end !== undefined, { error: 'err.date.endMissing', path: ['end'] }),
    z.refine((d) => d.end === undefined || d.end >= d.date, { error: 'err.date.endBeforeStart', path: ['end'] }),
  );

export const adminRefSchema = z
  .object({
    pcode: z.optional(z.string().check(z.regex(/^[A-Z]{2}[0-9A-Z]{1,14}$/, { error: 'err.pcode.invalid' }))),
    en: z.optional(text(TEXT_LIMITS.short)),
    ar: z.optional(text(TEXT_LIMITS.short)),
  })
  .check(z.refine((a) => a.pcode !== undefined || a.en !== undefined || a.ar !== undefined, { error: 'err.admin.empty' }));
export type AdminRef = z.infer<typeof adminRefSchema>;

export const adminAreasSchema = z.object({
  adm1: z.optional(adminRefSchema),
  adm2: z.optional(adminRefSchema),
  adm3: z.optional(adminRefSchema),
});
export type AdminAreas = z.infer<typeof adminAreasSchema>;

/** Where the event happened, never where the monitor was unless the monitor said they stood there. */
export const pointSchema = z.object({
  lat: z
    .number({ error: 'err.number.invalid' })
    .check(z.minimum(-90, { error: 'err.lat.range' }), z.maximum(90, { error: 'err.lat.range' })),
  lon: z
    .number({ error: 'err.number.invalid' })
    .check(z.minimum(-180, { error: 'err.lon.range' }), z.maximum(180, { error: 'err.lon.range' })),
  /** metres, as the Geolocation API reports it */
  accuracy: z.optional(
    z
      .number({ error: 'err.number.invalid' })
      .check(z.minimum(0, { error: 'err.accuracy.range' }), z.maximum(1_000_000, { error: 'err.accuracy.range' })),
  ),
});
export type Point = z.infer<typeof pointSchema>;

export const placeSchema = z.object({ name: z.optional(text(TEXT_LIMITS.short)), admin: z.optional(adminAreasSchema) });

export const periodSchema = z
  .object({ since: isoDate, until: z.optional(isoDate) })
  .check(z.refine((p) => p.until === undefined || p.until >= p.since, { error: 'err.date.endBeforeStart', path: ['until'] }));

/** Every field any report can hold, by name. A field's name means the same thing in every type. */
export const FIELDS = {
  // common to every type
  eventDate: field(eventDateSchema, 'public'),
  placeName: field(text(TEXT_LIMITS.short), 'partner'),
  admin: field(adminAreasSchema, 'public'),
  point: field(pointSchema, 'partner'),
  locationPrecision: field(choice(LOCATION_PRECISIONS), 'partner'),
  narrative: field(text(TEXT_LIMITS.narrative), 'partner'),
  sourceKind: field(choice(SOURCE_KINDS), 'partner'),
  sourceDetail: field(text(TEXT_LIMITS.detail), 'internal'),
  confidence: field(choice(CONFIDENCES), 'partner'),
  verification: field(choice(VERIFICATION_STATUSES), 'public'),
  duplicateOf: field(reportIdSchema, 'partner'),
  // displacement; households and individuals are also the people an access cut affects
  households: field(count, 'public'),
  individuals: field(count, 'public'),
  origin: field(placeSchema, 'partner'),
  destination: field(placeSchema, 'partner'),
  shelter: field(choice(SHELTER_KINDS), 'public'),
  displacementCause: field(choice(DISPLACEMENT_CAUSES), 'public'),
  ongoing: field(z.boolean({ error: 'err.choice.invalid' }), 'public'),
  // damage
  structureKind: field(choice(STRUCTURE_KINDS), 'public'),
  structures: field(count, 'public'),
  damageLevel: field(choice(DAMAGE_LEVELS), 'public'),
  damageCause: field(choice(DAMAGE_CAUSES), 'public'),
  looted: field(z.boolean({ error: 'err.choice.invalid' }), 'public'),
  // access cut
  service: field(choice(SERVICES), 'public'),
  serviceState: field(choice(SERVICE_STATES), 'public'),
  period: field(periodSchema, 'public'),
  cutCause: field(choice(CUT_CAUSES), 'public'),
} as const;

export type FieldName = keyof typeof FIELDS;
export type FieldValues = { [K in FieldName]: z.infer<(typeof FIELDS)[K]> };

export const COMMON_FIELDS = [
  'eventDate',
  'placeName',
  'admin',
  'point',
  'locationPrecision',
  'narrative',
  'sourceKind',
  'sourceDetail',
  'confidence',
  'verification',
  'duplicateOf',
] as const satisfies readonly FieldName[];

export const TYPE_FIELDS = {
  displacement: ['households', 'individuals', 'origin', 'destination', 'shelter', 'displacementCause', 'ongoing'],
  damage: ['structureKind', 'structures', 'damageLevel', 'damageCause', 'looted'],
  access_cut: ['service', 'serviceState', 'period', 'households', 'individuals', 'cutCause'],
} as const satisfies Record<ReportType, readonly FieldName[]>;

export function fieldsOf(type: ReportType): readonly FieldName[] {
  return [...COMMON_FIELDS, ...TYPE_FIELDS[type]];
}

export function sensitivityOf(name: FieldName): Sensitivity {
  return fieldInfo.get(FIELDS[name])!.sensitivity;
}

function pick<const K extends readonly FieldName[]>(names: K): { [P in K[number]]: z.ZodMiniOptional<(typeof FIELDS)[P]> } {
  return Object.fromEntries(names.map((n) => [n, z.optional(FIELDS[n])])) as never;
}

/** A place is given by name, by admin area, or both; a report with neither cannot be found again. */
const hasPlace = (r: { placeName?: string; admin?: AdminAreas }) =>
  r.placeName !== undefined || r.admin?.adm1 !== undefined || r.admin?.adm2 !== undefined || r.admin?.adm3 !== undefined;

const common = { ...pick(COMMON_FIELDS), eventDate: FIELDS.eventDate };

export const displacementSchema = z.strictObject({ type: z.literal('displacement'), ...common, ...pick(TYPE_FIELDS.displacement) });
export const damageSchema = z.strictObject({ type: z.literal('damage'), ...common, ...pick(TYPE_FIELDS.damage) });
export const accessCutSchema = z.strictObject({
  type: z.literal('access_cut'),
  ...common,
  ...pick(TYPE_FIELDS.access_cut),
  service: FIELDS.service,
});

/**
 * A complete report as a monitor saves it. Strict: a field of another type is an error, not silently
 * kept, so what is saved is exactly what the form showed.
 */
export const reportContentSchema = z
  .discriminatedUnion('type', [displacementSchema, damageSchema, accessCutSchema], { error: 'err.type.unknown' })
  .check(z.refine(hasPlace, { error: 'err.place.missing', path: ['placeName'] }));
export type ReportContent = z.infer<typeof reportContentSchema>;

export type ValidationResult =
  { success: true; data: ReportContent; error?: never } | { success: false; error: z.core.$ZodError; data?: never };

/**
 * Checks that need today's date (an event cannot be in the future). `today` is the device's date,
 * passed in: the schema alone stays a pure function of its input.
 */
export function validateReport(input: unknown, today: string): ValidationResult {
  const parsed = reportContentSchema.safeParse(input);
  // Checked on the input as given, so a future date is reported alongside any other error at once.
  const r = (input ?? {}) as { eventDate?: { date?: unknown; end?: unknown }; period?: { since?: unknown } };
  const dates: { path: PropertyKey[]; date: unknown }[] = [
    { path: ['eventDate', 'date'], date: r.eventDate?.date },
    { path: ['eventDate', 'end'], date: r.eventDate?.end },
    { path: ['period', 'since'], date: r.period?.since },
  ];
  const future: z.core.$ZodIssue[] = dates
    .filter(
      (d): d is { path: PropertyKey[]; date: string } => typeof d.date === 'string' && isoDate.safeParse(d.date).success && d.date > today,
    )
    .map((d) => ({ code: 'custom', path: d.path, message: 'err.date.future', input: d.date }));
  if (future.length === 0) return parsed;
  return { success: false, error: new z.core.$ZodError([...future, ...(parsed.success ? [] : parsed.error.issues)]) };
}

/** First error message (a catalog key) per top-level field, for showing next to that field. */
export function fieldErrors(error: z.core.$ZodError): Partial<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? String(issue.path[0]) : 'form';
    out[key] ??= issue.message.startsWith('err.') ? issue.message : 'err.invalid';
  }
  return out;
}
