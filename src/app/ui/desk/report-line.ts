/** A report in one line, to name it in a link or a button: its type, its place and its event date. */
import type { ReportView } from '../../../domain/merge.ts';
import type { Translator } from '../../i18n/i18n.ts';
import { adminPath, formatValue, isolate } from '../format.ts';

export function reportLine(tr: Translator, view: ReportView): string {
  const { values } = view;
  const place = values.placeName ?? (adminPath(values.admin, tr.lang) || tr.t('list.noPlace'));
  // A place typed in the other script keeps its own direction, so the date after it stays in place.
  const parts = [tr.tk(`type.${view.type}`), isolate(place)];
  if (values.eventDate) parts.push(formatValue(tr, 'eventDate', values.eventDate));
  return parts.join(' · ');
}
