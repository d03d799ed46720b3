/**
 * A day as an axis tick: day and month only, as the translator's full date is too wide to repeat
 * under daily bars. The locales are those the translator formats with, so digits and month names agree.
 */
import type { Translator } from '../../../i18n/i18n.ts';

const LOCALES = { ar: 'ar-SY', en: 'en-GB' } as const;
const formats = new Map<string, Intl.DateTimeFormat>();

export function dayMonth(tr: Translator, iso: string): string {
  const locale = LOCALES[tr.lang];
  let format = formats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', timeZone: 'UTC' });
    formats.set(locale, format);
  }
  return format.format(new Date(`${iso}T00:00:00Z`));
}
