/**
 * A saved report copied as a new one: its values as a new report's form shows them, for an event that
 * differs from it in a field or two. What belongs to the saved report alone stays with it: its id, its
 * verification and what it duplicates are not copied; the event date, the place and the narrative are,
 * for the monitor to change where the new event differs.
 */
import { COORDINATOR_ONLY_FIELDS, type FieldValues, type ReportType } from '../../domain/report.ts';
import { contentToForm, type FormValues } from './form-values.ts';

export function copiedForm(type: ReportType, values: Partial<FieldValues>): FormValues {
  const kept: Partial<FieldValues> = { ...values };
  for (const f of COORDINATOR_ONLY_FIELDS) delete kept[f];
  return contentToForm(type, kept);
}
