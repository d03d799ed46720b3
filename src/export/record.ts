/**
 * The export record: a merged report flattened into named columns, one per part of a field (a date,
 * its precision and its end; each admin level's p-code and names; latitude and longitude), plus what
 * only the desk knows (received time, organisation, creating device, media). Every export format and
 * every profile starts from this one record; the column list below is the single place that names a
 * column, gives its HXL hashtag (DATA.md) and says which export item (a field or a fact) it comes
 * from, so a profile's allowlist, read from the item's sensitivity, decides the column.
 *
 * Values are read defensively: ops are synced from many devices and the merge does not validate
 * them, so a value of the wrong kind becomes an empty cell instead of, say, text in a number column.
 */
import type { AdminLevel } from '../domain/gazetteer.ts';
import { decodeHlc } from '../domain/hlc.ts';
import type { DeviceId } from '../domain/ids.ts';
import type { ReportView } from '../domain/merge.ts';
import { fieldsOf, sensitivityOf, type FieldName, type ReportType, type Sensitivity } from '../domain/report.ts';

/** What a cell holds; `null` is an empty cell (unknown), never zero. */
export type Cell = string | number | boolean | null;
/** `code` cells hold stable English codes (`access_cut`, `destroyed`), never translated labels. */
export type CellKind = 'text' | 'code' | 'number' | 'date' | 'datetime' | 'boolean';

/** What a writer needs to know about a column. */
export interface Column {
  /** The CSV header, the GeoJSON property and the JSON key. */
  name: string;
  /** Hashtag and attributes, as DATA.md lists them. */
  hxl: string;
  kind: CellKind;
}

export type ExportRow = Readonly<Record<string, Cell>>;
/** Every column of REPORT_COLUMNS, in that order, before any profile is applied. */
export type ExportRecord = ExportRow;

/**
 * Facts: things known about a report that are not fields of it. Their sensitivity is set here because no
 * schema carries it: a device id identifies a monitor (DATA.md: never for partners), media is
 * opt-in, and the base's own timestamps can narrow an event date so they are opt-in too.
 */
export const FACT_SENSITIVITY = {
  id: 'public',
  type: 'public',
  country: 'public',
  organisation: 'public',
  reportedAt: 'partner',
  receivedAt: 'partner',
  media: 'partner',
  device: 'internal',
  conflicts: 'internal',
  deleted: 'internal',
} as const satisfies Record<string, Sensitivity>;
export type ReportFact = keyof typeof FACT_SENSITIVITY;
/** An export item, a field or a fact: what a column is read from, and what a profile's allowlist names. */
export type ExportItem = FieldName | ReportFact;

const RANK: Record<Sensitivity, number> = { public: 0, partner: 1, internal: 2 };

export function itemSensitivity(item: ExportItem): Sensitivity {
  return Object.hasOwn(FACT_SENSITIVITY, item) ? FACT_SENSITIVITY[item as ReportFact] : sensitivityOf(item as FieldName);
}

/** What the desk knows about a report besides its merged fields. Times are ms since the Unix epoch. */
export interface DeskFacts {
  /** When the base received the report's create op. */
  receivedAt?: number;
  organisation?: string;
  /** The device that wrote the create op (MergedState.created.device). */
  device?: DeviceId;
  /** SHA-256 of each original photo, as the op carries it; the report's own photos when not given. */
  media?: readonly string[];
}

interface ColumnInput {
  view: ReportView;
  type: ReportType;
  /** A field's merged value, only when the field belongs to the report's type. */
  value(name: FieldName): unknown;
  desk: DeskFacts;
}

export interface ReportColumn extends Column {
  item: ExportItem;
  /** Admin columns: dropped when a profile keeps fewer levels. */
  adminLevel?: AdminLevel;
  /** Stricter than its item, never looser: a GPS accuracy means nothing on a coarsened point. */
  sensitivity?: Sensitivity;
  read(r: ColumnInput): Cell;
}

/** The stricter of its item's sensitivity and the column's own. */
export function columnSensitivity(c: ReportColumn): Sensitivity {
  const own = c.sensitivity ?? 'public';
  const field = itemSensitivity(c.item);
  return RANK[own] > RANK[field] ? own : field;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const isoTime = (ms: number | undefined): string | null => (ms !== undefined && Number.isFinite(ms) ? new Date(ms).toISOString() : null);

function reportedAt(hlc: string | undefined): string | null {
  if (hlc === undefined) return null;
  const wall = decodeHlc(hlc).wall;
  return Number.isFinite(wall) ? new Date(wall).toISOString() : null;
}

type ColumnSpec = Omit<ReportColumn, 'read'>;
const col = (spec: ColumnSpec, read: (r: ColumnInput) => Cell): ReportColumn => ({ ...spec, read });

const LEVELS: readonly AdminLevel[] = [1, 2, 3];

/** p-code and both names of each admin level, read from an AdminAreas value. */
function adminColumns(prefix: string, attribute: string, item: FieldName, areas: (r: ColumnInput) => unknown): ReportColumn[] {
  return LEVELS.flatMap((level) => {
    const ref = (r: ColumnInput) => obj(obj(areas(r))[`adm${level}`]);
    return [
      col(
        { name: `${prefix}adm${level}_pcode`, hxl: `#adm${level}+code+v_pcode${attribute}`, kind: 'code', item, adminLevel: level },
        (r) => str(ref(r).pcode),
      ),
      col({ name: `${prefix}adm${level}_name_en`, hxl: `#adm${level}+name+i_en${attribute}`, kind: 'text', item, adminLevel: level }, (r) =>
        str(ref(r).en),
      ),
      col({ name: `${prefix}adm${level}_name_ar`, hxl: `#adm${level}+name+i_ar${attribute}`, kind: 'text', item, adminLevel: level }, (r) =>
        str(ref(r).ar),
      ),
    ];
  });
}

/** Origin and destination of a displacement: a place name and admin areas. */
function placeColumns(prefix: 'origin_' | 'dest_', attribute: '+origin' | '+dest', item: 'origin' | 'destination'): ReportColumn[] {
  return [
    ...adminColumns(prefix, attribute, item, (r) => obj(r.value(item)).admin),
    col({ name: `${prefix}loc_name`, hxl: `#loc+name${attribute}`, kind: 'text', item }, (r) => str(obj(r.value(item)).name)),
  ];
}

/** Households and individuals mean displaced people in one type and people cut off in another. */
const countFor = (type: ReportType, field: 'households' | 'individuals') => (r: ColumnInput) =>
  r.type === type ? num(r.value(field)) : null;

const date = (r: ColumnInput) => obj(r.value('eventDate'));
const point = (r: ColumnInput) => obj(r.value('point'));
const period = (r: ColumnInput) => obj(r.value('period'));

export const REPORT_COLUMNS: readonly ReportColumn[] = [
  col({ name: 'id', hxl: '#meta+id', kind: 'code', item: 'id' }, (r) => r.view.id),
  col({ name: 'type', hxl: '#event+type', kind: 'code', item: 'type' }, (r) => r.type),
  col({ name: 'date', hxl: '#date+occurred', kind: 'date', item: 'eventDate' }, (r) => str(date(r).date)),
  col({ name: 'date_precision', hxl: '#date+occurred+precision', kind: 'code', item: 'eventDate' }, (r) => str(date(r).precision)),
  col({ name: 'date_end', hxl: '#date+occurred+end', kind: 'date', item: 'eventDate' }, (r) => str(date(r).end)),
  col({ name: 'reported_at', hxl: '#date+reported', kind: 'datetime', item: 'reportedAt' }, (r) => reportedAt(r.view.createdHlc)),
  col({ name: 'received_at', hxl: '#date+received', kind: 'datetime', item: 'receivedAt' }, (r) => isoTime(r.desk.receivedAt)),
  col({ name: 'organisation', hxl: '#org+reporting', kind: 'text', item: 'organisation' }, (r) => str(r.desk.organisation)),
  // Every deployment documents the Syrian coast; the p-codes below say where within it.
  col({ name: 'country_code', hxl: '#country+code+v_iso3', kind: 'code', item: 'country' }, () => 'SYR'),
  ...adminColumns('', '', 'admin', (r) => r.value('admin')),
  col({ name: 'loc_name', hxl: '#loc+name', kind: 'text', item: 'placeName' }, (r) => str(r.value('placeName'))),
  col({ name: 'location_precision', hxl: '#loc+precision', kind: 'code', item: 'locationPrecision' }, (r) =>
    str(r.value('locationPrecision')),
  ),
  col({ name: 'lat', hxl: '#geo+lat', kind: 'number', item: 'point' }, (r) => num(point(r).lat)),
  col({ name: 'lon', hxl: '#geo+lon', kind: 'number', item: 'point' }, (r) => num(point(r).lon)),
  col({ name: 'geo_accuracy_m', hxl: '#geo+accuracy', kind: 'number', item: 'point', sensitivity: 'internal' }, (r) =>
    num(point(r).accuracy),
  ),
  // displacement
  col({ name: 'idps_hh', hxl: '#affected+idps+hh', kind: 'number', item: 'households' }, countFor('displacement', 'households')),
  col({ name: 'idps_ind', hxl: '#affected+idps+ind', kind: 'number', item: 'individuals' }, countFor('displacement', 'individuals')),
  ...placeColumns('origin_', '+origin', 'origin'),
  ...placeColumns('dest_', '+dest', 'destination'),
  col({ name: 'shelter', hxl: '#x_shelter+type', kind: 'code', item: 'shelter' }, (r) => str(r.value('shelter'))),
  col({ name: 'displacement_cause', hxl: '#cause+type+displacement', kind: 'code', item: 'displacementCause' }, (r) =>
    str(r.value('displacementCause')),
  ),
  col({ name: 'ongoing', hxl: '#status+ongoing', kind: 'boolean', item: 'ongoing' }, (r) => bool(r.value('ongoing'))),
  // damage
  col({ name: 'structure_kind', hxl: '#x_structure+type', kind: 'code', item: 'structureKind' }, (r) => str(r.value('structureKind'))),
  col({ name: 'structures', hxl: '#x_structure+num', kind: 'number', item: 'structures' }, (r) => num(r.value('structures'))),
  col({ name: 'damage_level', hxl: '#severity+code', kind: 'code', item: 'damageLevel' }, (r) => str(r.value('damageLevel'))),
  col({ name: 'damage_cause', hxl: '#impact+type', kind: 'code', item: 'damageCause' }, (r) => str(r.value('damageCause'))),
  col({ name: 'looted', hxl: '#impact+looted', kind: 'boolean', item: 'looted' }, (r) => bool(r.value('looted'))),
  // access cut
  col({ name: 'service', hxl: '#service+type', kind: 'code', item: 'service' }, (r) => str(r.value('service'))),
  col({ name: 'service_state', hxl: '#service+status', kind: 'code', item: 'serviceState' }, (r) => str(r.value('serviceState'))),
  col({ name: 'cut_since', hxl: '#date+start', kind: 'date', item: 'period' }, (r) => str(period(r).since)),
  col({ name: 'cut_until', hxl: '#date+end', kind: 'date', item: 'period' }, (r) => str(period(r).until)),
  col({ name: 'affected_hh', hxl: '#affected+hh', kind: 'number', item: 'households' }, countFor('access_cut', 'households')),
  col({ name: 'affected_ind', hxl: '#affected+ind', kind: 'number', item: 'individuals' }, countFor('access_cut', 'individuals')),
  col({ name: 'cut_cause', hxl: '#cause+type+cut', kind: 'code', item: 'cutCause' }, (r) => str(r.value('cutCause'))),
  // review and source
  // No status set yet means no coordinator has looked: that is "unverified", not unknown.
  col(
    { name: 'verification', hxl: '#status+verification', kind: 'code', item: 'verification' },
    (r) => str(r.value('verification')) ?? 'unverified',
  ),
  col({ name: 'duplicate_of', hxl: '#meta+id+duplicate_of', kind: 'code', item: 'duplicateOf' }, (r) => str(r.value('duplicateOf'))),
  col({ name: 'source_kind', hxl: '#meta+source', kind: 'code', item: 'sourceKind' }, (r) => str(r.value('sourceKind'))),
  col({ name: 'confidence', hxl: '#meta+confidence', kind: 'code', item: 'confidence' }, (r) => str(r.value('confidence'))),
  col({ name: 'source_detail', hxl: '#meta+source+detail', kind: 'text', item: 'sourceDetail' }, (r) => str(r.value('sourceDetail'))),
  // One column, not one per language: the app does not record which language a narrative is in.
  col({ name: 'narrative', hxl: '#description', kind: 'text', item: 'narrative' }, (r) => str(r.value('narrative'))),
  col({ name: 'media_sha256', hxl: '#x_media+sha256', kind: 'text', item: 'media' }, (r) => {
    const media = r.desk.media ?? r.view.attachments?.map((a) => a.attachment.sha256);
    return media?.length ? media.join(' ') : null;
  }),
  col({ name: 'device', hxl: '#meta+device', kind: 'code', item: 'device' }, (r) => str(r.desk.device)),
  col({ name: 'conflicts', hxl: '#meta+conflicts', kind: 'text', item: 'conflicts' }, (r) =>
    r.view.conflicts.length ? r.view.conflicts.join(' ') : null,
  ),
  col({ name: 'deleted', hxl: '#meta+deleted', kind: 'boolean', item: 'deleted' }, (r) => r.view.deleted),
];

/**
 * The record of one merged report. A report whose create op has not arrived, or names a type this
 * app does not know, gives `undefined`: without a type there is nothing to say what its fields mean.
 */
export function toExportRecord(view: ReportView, desk: DeskFacts = {}): ExportRecord | undefined {
  const type = view.type;
  if (type === undefined) return undefined;
  // A field of another type can only come from a faulty device; the form never writes one.
  const own = new Set<string>(fieldsOf(type));
  const values = view.values as Record<string, unknown>;
  const input: ColumnInput = { view, type, desk, value: (name) => (own.has(name) ? values[name] : undefined) };
  const record: Record<string, Cell> = {};
  for (const c of REPORT_COLUMNS) record[c.name] = c.read(input);
  return record;
}
