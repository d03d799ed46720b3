/** Small settings kept in idb-keyval: the interface language and the gazetteer this device holds. */
import { get, set } from './store/keyval.ts';
import type { Gazetteer } from '../domain/gazetteer.ts';
import { DEFAULT_LANG, isLang, type Lang } from './i18n/i18n.ts';

export async function loadLang(): Promise<Lang> {
  const v = await get('lang');
  return isLang(v) ? v : DEFAULT_LANG;
}

export async function saveLang(lang: Lang): Promise<void> {
  await set('lang', lang);
}

export async function loadGazetteer(): Promise<Gazetteer | undefined> {
  return get<Gazetteer>('gazetteer');
}

export async function saveGazetteer(g: Gazetteer): Promise<void> {
  await set('gazetteer', g);
}
