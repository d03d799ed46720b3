/** Field values as a person reads them, in the interface language. Codes become catalog labels. */
import type { AdminAreas, AdminRef, FieldValues } from '../../domain/report.ts';
import type { Translator } from '../i18n/i18n.ts';

export function adminName(ref: AdminRef | undefined, lang: string): string {
  if (!ref) return '';
  return (lang === 'ar' ? (ref.ar ?? ref.en) : (ref.en ?? ref.ar)) ?? ref.pcode ?? '';
}

export function adminPath(areas: AdminAreas | undefined, lang: string): string {
  if (!areas) return '';
  return [areas.adm1, areas.adm2, areas.adm3]
    .map((r) => adminName(r, lang))
    .filter(Boolean)
    .join(' › ');
}

/** An event date in a line of a list: a range with both its ends, an approximate date marked as one. */
export function formatEventDate(tr: Translator, d: FieldValues['eventDate']): string {
  if (d.end) return tr.t('date.range', { from: tr.date(d.date), to: tr.date(d.end) });
  return d.precision === 'approximate' ? tr.t('date.about', { date: tr.date(d.date) }) : tr.date(d.date);
}

/** An access cut's period: both its ends once it ended, its start as a start while it goes on. */
export function formatPeriod(tr: Translator, p: FieldValues['period']): string {
  return p.until ? tr.t('date.range', { from: tr.date(p.since), to: tr.date(p.until) }) : tr.t('date.since', { date: tr.date(p.since) });
}

export function formatValue(tr: Translator, field: string, value: unknown): string {
  const v = value as never;
  switch (field) {
    case 'eventDate': {
      const d = v as FieldValues['eventDate'];
      const range = d.end ? tr.t('date.range', { from: tr.date(d.date), to: tr.date(d.end) }) : tr.date(d.date);
      return `${range} (${tr.tk(`code.datePrecision.${d.precision}`)})`;
    }
    case 'period':
      return formatPeriod(tr, v);
    case 'admin':
      return adminPath(v, tr.lang);
    case 'origin':
    case 'destination': {
      const p = v as FieldValues['origin'];
      return [p.name, adminPath(p.admin, tr.lang)].filter(Boolean).join(' — ');
    }
    case 'point': {
      const p = v as FieldValues['point'];
      const acc = p.accuracy !== undefined ? ` ±${tr.number(Math.round(p.accuracy))} m` : '';
      return `${p.lat.toFixed(5)}, ${p.lon.toFixed(5)}${acc}`;
    }
    case 'households':
    case 'individuals':
    case 'structures':
      return tr.number(v);
    case 'ongoing':
    case 'looted':
      return tr.t(v ? 'yesno.yes' : 'yesno.no');
    default:
      if (typeof value === 'string' && tr.tk(`code.${field}.${value}`) !== `code.${field}.${value}`) return tr.tk(`code.${field}.${value}`);
      return String(value);
  }
}

/** A left-to-right address or id inside a right-to-left sentence keeps its own direction (Unicode isolates). */
export function isolate(text: string): string {
  return `\u2068${text}\u2069`;
}
