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

export function formatValue(tr: Translator, field: string, value: unknown): string {
  const v = value as never;
  switch (field) {
    case 'eventDate': {
      const d = v as FieldValues['eventDate'];
      const range = d.end ? `${tr.date(d.date)} – ${tr.date(d.end)}` : tr.date(d.date);
      return `${range} (${tr.tk(`code.datePrecision.${d.precision}`)})`;
    }
    case 'period': {
      const p = v as FieldValues['period'];
      return p.until ? `${tr.date(p.since)} – ${tr.date(p.until)}` : tr.date(p.since);
    }
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
