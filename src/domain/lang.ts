/**
 * The interface languages: Arabic (the default, written right to left) and English. Kept free of
 * the schema library, since the first render reads the stored preference with it.
 */
export const LANGUAGES = ['ar', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];

export function isLang(v: unknown): v is Lang {
  return typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v);
}
