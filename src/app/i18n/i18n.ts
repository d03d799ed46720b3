/**
 * Translation: typed catalog keys, `{name}` parameters, plurals chosen by Intl.PluralRules, numbers
 * and dates formatted with Intl. Arabic is the default and is written right to left.
 */
import type { Lang } from '../../domain/lang.ts';
import type { Catalog, DeskCatalog, LoadedCatalog, MessageKey, ScreensCatalog, ThisDeviceWords } from './en.ts';

export { isLang, LANGUAGES, type Lang } from '../../domain/lang.ts';
export const DEFAULT_LANG: Lang = 'ar';
export const LANGUAGE_NAMES: Record<Lang, string> = { ar: 'العربية', en: 'English' };

/** Only the language in use is loaded; the other is precached, so switching works offline too. */
const CATALOGS: Record<Lang, () => Promise<Catalog>> = {
  ar: () => import('./ar.ts').then((m) => m.ar),
  en: () => import('./en.ts').then((m) => m.en),
};

/**
 * The desk's messages: a chunk of their own, which only a coordinator's device loads; with them, the
 * wording of shared messages for a device that may be no phone (this-device.en.ts).
 */
const DESK_CATALOGS: Record<Lang, () => Promise<[DeskCatalog, ThisDeviceWords]>> = {
  ar: () => import('./desk-catalog.ar.ts').then((m) => [m.deskCatalogAr, m.thisDeviceAr]),
  en: () => import('./desk-catalog.en.ts').then((m) => [m.deskCatalogEn, m.thisDeviceEn]),
};

/** The other screens' messages: loaded once the list is drawn, and before any of those screens shows. */
const SCREEN_CATALOGS: Record<Lang, () => Promise<ScreensCatalog>> = {
  ar: () => import('./screens.ar.ts').then((m) => m.screensAr),
  en: () => import('./screens.en.ts').then((m) => m.screensEn),
};

/** `screens`: with the other screens' messages too (a language chosen later, when the list is already drawn). */
export async function loadTranslator(lang: Lang, opts: { desk?: boolean; screens?: boolean } = {}): Promise<Translator> {
  const [core, screens, desk] = await Promise.all([
    CATALOGS[lang](),
    opts.screens ? SCREEN_CATALOGS[lang]() : undefined,
    opts.desk ? DESK_CATALOGS[lang]() : undefined,
  ]);
  return translator(lang, { ...core, ...screens, ...desk?.[0] }, screens !== undefined, desk?.[1]);
}
/** Intl locales: Syrian Arabic formats numbers with Arabic-Indic digits, as monitors read them. */
const LOCALES: Record<Lang, string> = { ar: 'ar-SY', en: 'en-GB' };

export type Params = Record<string, string | number>;

export interface Translator {
  lang: Lang;
  dir: 'rtl' | 'ltr';
  t: (key: MessageKey, params?: Params) => string;
  /** For keys a value supplies at run time (an error code, a coded value): unknown keys show as is. */
  tk: (key: string, params?: Params) => string;
  plural: (key: MessageKey, n: number, params?: Params) => string;
  number: (n: number) => string;
  dateTime: (ms: number) => string;
  date: (iso: string) => string;
  /** Whether the other screens' messages are held; `withScreens` gives a translator that holds them. */
  hasScreens: boolean;
  withScreens: () => Promise<Translator>;
}

/**
 * `words`: messages that replace the catalog's own, now and in the screens' messages loaded later
 * (a coordinator's "this device").
 */
export function translator(lang: Lang, messages: LoadedCatalog, hasScreens = false, words: ThisDeviceWords = {}): Translator {
  const catalog: LoadedCatalog = { ...messages, ...words };
  const locale = LOCALES[lang];
  const numberFormat = new Intl.NumberFormat(locale);
  const pluralRules = new Intl.PluralRules(locale);
  const dateTimeFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
  const fill = (text: string, params?: Params) =>
    params ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? format(params[name]!) : m)) : text;
  const format = (v: string | number) => (typeof v === 'number' ? numberFormat.format(v) : v);
  const self: Translator = {
    lang,
    dir: lang === 'ar' ? 'rtl' : 'ltr',
    t(key, params) {
      const m = catalog[key];
      // A desk message on a device that has not loaded the desk's catalog shows its key, never a crash.
      if (m === undefined) return key;
      return fill(typeof m === 'string' ? m : m.other, params);
    },
    tk(key, params) {
      return key in catalog ? self.t(key as MessageKey, params) : key;
    },
    plural(key, n, params) {
      const m = catalog[key];
      if (m === undefined) return key;
      if (typeof m === 'string') return fill(m, { n, ...params });
      const form = pluralRules.select(n);
      return fill(m[form] ?? m.other, { n, ...params });
    },
    number: (n) => numberFormat.format(n),
    dateTime: (ms) => dateTimeFormat.format(new Date(ms)),
    date: (iso) => dateFormat.format(new Date(`${iso}T00:00:00Z`)),
    hasScreens,
    withScreens: async () => (hasScreens ? self : translator(lang, { ...catalog, ...(await SCREEN_CATALOGS[lang]()) }, true, words)),
  };
  return self;
}

export { type MessageKey } from './en.ts';
