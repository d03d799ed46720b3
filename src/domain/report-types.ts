/**
 * The three kinds of report, and the fields only coordinators set, apart from the other coded values
 * (report-codes.ts): the report list and the merge need only these, and load before anything else.
 */
export const REPORT_TYPES = ['displacement', 'damage', 'access_cut'] as const;
export type ReportType = (typeof REPORT_TYPES)[number];

export function isReportType(v: unknown): v is ReportType {
  return typeof v === 'string' && (REPORT_TYPES as readonly string[]).includes(v);
}

/** Fields only coordinators set; the merge ignores them from anyone else. */
export const COORDINATOR_ONLY_FIELDS = ['verification', 'duplicateOf'] as const;
