/**
 * How each report type's form is laid out: which widgets, in which sections. Adding a report type is
 * its schema (src/domain/report.ts), a list here, and its catalog strings.
 */
import {
  CONFIDENCES,
  CUT_CAUSES,
  DAMAGE_CAUSES,
  DAMAGE_LEVELS,
  DISPLACEMENT_CAUSES,
  LOCATION_PRECISIONS,
  SERVICES,
  SERVICE_STATES,
  SHELTER_KINDS,
  SOURCE_KINDS,
  STRUCTURE_KINDS,
  type FieldName,
  type ReportType,
} from '../../domain/report.ts';

export type Widget =
  | { kind: 'eventDate'; field: 'eventDate' }
  | { kind: 'text'; field: FieldName; multiline?: boolean }
  | { kind: 'count'; field: FieldName }
  /** `explained`: each option has a line of its own saying what it means, shown where it is chosen. */
  | { kind: 'choice'; field: FieldName; options: readonly string[]; explained?: true }
  | { kind: 'yesno'; field: FieldName }
  | { kind: 'admin'; field: 'admin' }
  | { kind: 'place'; field: 'origin' | 'destination' }
  | { kind: 'point'; field: 'point' }
  | { kind: 'period'; field: 'period' };

export interface Section {
  title: 'section.what' | 'section.when' | 'section.where' | 'section.source' | 'section.notes';
  widgets: Widget[];
}

const WHAT: Record<ReportType, Widget[]> = {
  displacement: [
    { kind: 'count', field: 'households' },
    { kind: 'count', field: 'individuals' },
    { kind: 'place', field: 'origin' },
    { kind: 'place', field: 'destination' },
    { kind: 'choice', field: 'shelter', options: SHELTER_KINDS },
    { kind: 'choice', field: 'displacementCause', options: DISPLACEMENT_CAUSES },
    { kind: 'yesno', field: 'ongoing' },
  ],
  damage: [
    { kind: 'choice', field: 'structureKind', options: STRUCTURE_KINDS },
    { kind: 'count', field: 'structures' },
    { kind: 'choice', field: 'damageLevel', options: DAMAGE_LEVELS, explained: true },
    { kind: 'choice', field: 'damageCause', options: DAMAGE_CAUSES },
    { kind: 'yesno', field: 'looted' },
  ],
  access_cut: [
    { kind: 'choice', field: 'service', options: SERVICES },
    { kind: 'choice', field: 'serviceState', options: SERVICE_STATES },
    { kind: 'period', field: 'period' },
    { kind: 'count', field: 'households' },
    { kind: 'count', field: 'individuals' },
    { kind: 'choice', field: 'cutCause', options: CUT_CAUSES },
  ],
};

export function formSections(type: ReportType): Section[] {
  return [
    { title: 'section.what', widgets: WHAT[type] },
    { title: 'section.when', widgets: [{ kind: 'eventDate', field: 'eventDate' }] },
    {
      title: 'section.where',
      widgets: [
        { kind: 'text', field: 'placeName' },
        { kind: 'admin', field: 'admin' },
        { kind: 'point', field: 'point' },
        { kind: 'choice', field: 'locationPrecision', options: LOCATION_PRECISIONS },
      ],
    },
    {
      title: 'section.source',
      widgets: [
        { kind: 'choice', field: 'sourceKind', options: SOURCE_KINDS },
        { kind: 'text', field: 'sourceDetail' },
        { kind: 'choice', field: 'confidence', options: CONFIDENCES },
      ],
    },
    { title: 'section.notes', widgets: [{ kind: 'text', field: 'narrative', multiline: true }] },
  ];
}

/** The fields a monitor's form writes; coordinator-only fields are set elsewhere. */
export function formFields(type: ReportType): FieldName[] {
  return formSections(type).flatMap((s) => s.widgets.map((w) => w.field));
}

/** The inputs a widget shows, by the keys a form's values and errors use, in the order they appear. */
function widgetInputs(w: Widget): string[] {
  switch (w.kind) {
    case 'eventDate':
      return ['eventDate.precision', 'eventDate.date', 'eventDate.end'];
    case 'period':
      return ['period.since', 'period.until'];
    case 'admin':
      return ['admin.adm1', 'admin.adm2', 'admin.adm3'];
    case 'place':
      return [`${w.field}.name`, `${w.field}.adm1`, `${w.field}.adm2`];
    case 'point':
      return ['point.lat', 'point.lon', 'point.accuracy'];
    default:
      return [w.field];
  }
}

/** Every input of a type's form, in the order the form shows them. */
export function formInputs(type: ReportType): string[] {
  return formSections(type).flatMap((s) => s.widgets.flatMap(widgetInputs));
}

/**
 * The inputs a report cannot be saved without, given what is typed so far (the rules of
 * src/domain/report.ts, said per input): the event date, its end when it is a range, a place name
 * unless an admin area gives the place, an access cut's service, and when a cut began if it is said
 * to have ended.
 */
export function requiredInputs(type: ReportType, values: Record<string, string | undefined>): Set<string> {
  const given = (key: string) => Boolean(values[key]?.trim());
  const required = new Set(['eventDate.date']);
  if (values['eventDate.precision'] === 'range') required.add('eventDate.end');
  if (!['admin.adm1', 'admin.adm2', 'admin.adm3'].some(given)) required.add('placeName');
  if (type === 'access_cut') {
    required.add('service');
    if (given('period.until')) required.add('period.since');
  }
  return required;
}
