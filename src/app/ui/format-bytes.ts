/** Sizes as people read them, for the screens that show them (Settings, a report's photos): out of the first load. */
import type { Translator } from '../i18n/i18n.ts';

export function formatBytes(tr: Translator, n: number): string {
  const units = [
    ['size.gb', 1e9],
    ['size.mb', 1e6],
    ['size.kb', 1e3],
  ] as const;
  for (const [key, size] of units) if (n >= size) return tr.t(key, { n: Math.round((n / size) * 10) / 10 });
  return tr.t('size.bytes', { n });
}
