/** This device's preferences kept in idb-keyval: the interface language. */
import { get, set } from './store/keyval.ts';
import { DEFAULT_LANG, isLang, type Lang } from './i18n/i18n.ts';

export async function loadLang(): Promise<Lang> {
  const v = await get('lang');
  return isLang(v) ? v : DEFAULT_LANG;
}

export async function saveLang(lang: Lang): Promise<void> {
  await set('lang', lang);
}
