/** What every screen needs: the translator, the writer that saves ops, and the device's gazetteer. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Gazetteer } from '../../domain/gazetteer.ts';
import type { Lang, Translator } from '../i18n/i18n.ts';
import type { WriterContext } from '../store/write-op.ts';

export interface AppServices {
  tr: Translator;
  setLang(lang: Lang): void;
  writer: WriterContext;
  gazetteer?: Gazetteer;
  setGazetteer(g: Gazetteer): void;
  /** Highest own deviceSeq the base has decided; ops above it are not yet synced. */
  watermark: number;
}

export const Services = createContext<AppServices | null>(null);

export function useServices(): AppServices {
  const s = useContext(Services);
  if (!s) throw new Error('Services missing');
  return s;
}
