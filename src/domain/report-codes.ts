/**
 * The coded values of reports: stable English codes, labelled by the catalogs and never translated in
 * data. Plain constants with no schema library, so the report list can load without one; the schemas
 * in report.ts are built from these.
 */

export { COORDINATOR_ONLY_FIELDS, REPORT_TYPES, isReportType, type ReportType } from './report-types.ts';

export const DATE_PRECISIONS = ['exact', 'approximate', 'range'] as const;
export const LOCATION_PRECISIONS = ['exact', 'approximate', 'area'] as const;
export const SOURCE_KINDS = ['eyewitness', 'victim', 'secondary', 'open_source'] as const;
export const CONFIDENCES = ['high', 'medium', 'low'] as const;
export const VERIFICATION_STATUSES = ['unverified', 'verified', 'disputed', 'duplicate'] as const;
export const SHELTER_KINDS = ['camp', 'host_family', 'collective_centre', 'public_building', 'military_base', 'open_air'] as const;
export const DISPLACEMENT_CAUSES = [
  'violence',
  'threats',
  'home_destroyed',
  'looting',
  'shelling',
  'eviction',
  'loss_of_services',
  'other',
] as const;
export const STRUCTURE_KINDS = ['home', 'shop', 'worship', 'school', 'clinic', 'infrastructure', 'other'] as const;
export const DAMAGE_LEVELS = ['destroyed', 'severe', 'moderate', 'possible'] as const;
export const DAMAGE_CAUSES = ['burning', 'looting', 'shelling', 'demolition', 'other'] as const;
export const SERVICES = ['bread', 'water', 'electricity', 'fuel', 'health', 'telecoms'] as const;
export const SERVICE_STATES = ['cut', 'partial', 'restored'] as const;
export const CUT_CAUSES = ['attack', 'siege', 'infrastructure_damage', 'deliberate_cut', 'shortage', 'other'] as const;
