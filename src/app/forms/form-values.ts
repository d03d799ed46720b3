/**
 * Between a form as typed (flat strings, kept in drafts exactly as entered) and a report's content.
 * Numbers accept Eastern Arabic and Persian digits. Errors are catalog keys, keyed by the input they
 * belong to (`households`, `eventDate.end`, `point.lat`), so the form shows each next to its input.
 */
import { canonicalJson } from '../../domain/canonical-json.ts';
import { parseCount, parseDecimal } from '../../domain/digits.ts';
import type { AdminLookup } from '../../domain/gazetteer.ts';
import {
  validateReport,
  type AdminAreas,
  type FieldName,
  type FieldValues,
  type ReportContent,
  type ReportType,
} from '../../domain/report.ts';
import { formFields, formSections, type Widget } from './form-spec.ts';

export type FormValues = Record<string, string>;
export type FormErrors = Record<string, string>;

const LEVELS = ['adm1', 'adm2', 'adm3'] as const;

function str(raw: FormValues, key: string): string | undefined {
  const v = raw[key];
  return v === undefined || v.trim() === '' ? undefined : v;
}

function adminFrom(
  raw: FormValues,
  prefix: string,
  levels: readonly (typeof LEVELS)[number][],
  lookup: AdminLookup,
  previous?: AdminAreas,
): AdminAreas | undefined {
  const out: AdminAreas = {};
  for (const level of levels) {
    const pcode = str(raw, `${prefix}.${level}`);
    if (!pcode) continue;
    // A p-code missing from this device's gazetteer keeps the names it was saved with.
    const ref = lookup(pcode) ?? (previous?.[level]?.pcode === pcode ? previous[level] : { pcode });
    out[level] = ref;
  }
  return Object.keys(out).length ? out : undefined;
}

function yesNo(v: string | undefined): boolean | undefined {
  return v === 'yes' ? true : v === 'no' ? false : undefined;
}

export interface Converted {
  content?: ReportContent;
  errors: FormErrors;
}

export function formToContent(
  type: ReportType,
  raw: FormValues,
  options: { today: string; lookup: AdminLookup; previous?: Partial<FieldValues> },
): Converted {
  const errors: FormErrors = {};
  const out: Record<string, unknown> = { type };
  const number = (key: string, parse: typeof parseCount) => {
    const r = parse(raw[key] ?? '');
    if (!r.ok) errors[key] = r.error;
    return r.ok ? r.value : undefined;
  };
  for (const w of formSections(type).flatMap((s) => s.widgets)) {
    const f = w.field;
    switch (w.kind) {
      case 'eventDate': {
        const date = str(raw, 'eventDate.date');
        if (!date) errors['eventDate.date'] = 'err.date.missing';
        else {
          const precision = str(raw, 'eventDate.precision') ?? 'exact';
          // The end input shows only for a range; what it kept from an earlier choice is not part of the date.
          out.eventDate = { precision, date, end: precision === 'range' ? str(raw, 'eventDate.end') : undefined };
        }
        break;
      }
      case 'text':
        out[f] = str(raw, f);
        break;
      case 'count':
        out[f] = number(f, parseCount);
        break;
      case 'choice':
        out[f] = str(raw, f);
        break;
      case 'yesno':
        out[f] = yesNo(str(raw, f));
        break;
      case 'admin':
        out[f] = adminFrom(raw, f, LEVELS, options.lookup, options.previous?.admin);
        break;
      case 'place': {
        const name = str(raw, `${f}.name`);
        const previous = options.previous?.[w.field]?.admin;
        const admin = adminFrom(raw, f, ['adm1', 'adm2'], options.lookup, previous);
        out[f] = name || admin ? { name, admin } : undefined;
        break;
      }
      case 'point': {
        const lat = number('point.lat', parseDecimal);
        const lon = number('point.lon', parseDecimal);
        const accuracy = number('point.accuracy', parseDecimal);
        if ((lat === undefined) !== (lon === undefined) && !errors['point.lat'] && !errors['point.lon']) {
          errors[lat === undefined ? 'point.lat' : 'point.lon'] = 'err.point.incomplete';
        }
        if (lat !== undefined && lon !== undefined) out.point = { lat, lon, accuracy };
        break;
      }
      case 'period': {
        const since = str(raw, 'period.since');
        const until = str(raw, 'period.until');
        if (until && !since) errors['period.since'] = 'err.date.missing';
        if (since) out.period = { since, until };
        break;
      }
    }
  }
  // The schema checks for a place only once every field has parsed: asked here as well, a missing
  // place is reported with the other mistakes at the first Save, not after they are fixed.
  if (out.placeName === undefined && out.admin === undefined) errors.placeName = 'err.place.missing';
  const result = validateReport(dropUndefined(out), options.today);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = inputKey(issue.path);
      errors[key] ??= issue.message.startsWith('err.') ? issue.message : 'err.invalid';
    }
  }
  if (Object.keys(errors).length) return { errors };
  return { content: (result as { data: ReportContent }).data, errors };
}

/** Maps a schema path to the input showing it: `['point','lat']` → `point.lat`, `['eventDate']` → `eventDate.date`. */
function inputKey(path: PropertyKey[]): string {
  const [root, part] = path.map(String);
  if (!root) return 'form';
  if (root === 'eventDate') return `eventDate.${part === 'end' ? 'end' : 'date'}`;
  if (root === 'period') return `period.${part === 'until' ? 'until' : 'since'}`;
  if (root === 'point') return `point.${part === 'lon' ? 'lon' : part === 'accuracy' ? 'accuracy' : 'lat'}`;
  if ((root === 'origin' || root === 'destination') && part === 'name') return `${root}.name`;
  return root;
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) ? dropUndefined(v as Record<string, unknown>) : v;
  }
  return out;
}

/** A saved report's values as the form shows them, for editing. */
export function contentToForm(type: ReportType, values: Partial<FieldValues>): FormValues {
  const raw: FormValues = {};
  const set = (k: string, v: string | number | boolean | undefined | null) => {
    if (v !== undefined && v !== null) raw[k] = String(v);
  };
  for (const w of formSections(type).flatMap((s): Widget[] => s.widgets)) {
    const v = values[w.field] as never;
    if (v === undefined) continue;
    switch (w.kind) {
      case 'eventDate': {
        const d = values.eventDate!;
        set('eventDate.precision', d.precision);
        set('eventDate.date', d.date);
        set('eventDate.end', d.end);
        break;
      }
      case 'admin':
        for (const level of LEVELS) set(`admin.${level}`, values.admin?.[level]?.pcode);
        break;
      case 'place': {
        const p = values[w.field]!;
        set(`${w.field}.name`, p.name);
        for (const level of ['adm1', 'adm2'] as const) set(`${w.field}.${level}`, p.admin?.[level]?.pcode);
        break;
      }
      case 'point':
        set('point.lat', values.point!.lat);
        set('point.lon', values.point!.lon);
        set('point.accuracy', values.point!.accuracy);
        break;
      case 'period':
        set('period.since', values.period!.since);
        set('period.until', values.period!.until);
        break;
      case 'yesno':
        set(w.field, v ? 'yes' : 'no');
        break;
      default:
        set(w.field, v);
    }
  }
  return raw;
}

/** The fields an edit must write: those whose value differs from what the editor saw. */
export function changedFields(type: ReportType, before: Partial<FieldValues>, after: ReportContent): Partial<Record<FieldName, unknown>> {
  const changes: Partial<Record<FieldName, unknown>> = {};
  const next = after as Partial<FieldValues>;
  for (const f of formFields(type)) {
    if (canonicalJson(before[f] ?? null) !== canonicalJson(next[f] ?? null)) changes[f] = next[f];
  }
  return changes;
}

/** The device's local date, as the event-date checks compare it. */
export function localToday(now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}
