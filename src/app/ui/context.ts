/** What every screen needs: the translator, the writer that saves ops, the gazetteer, and this device's enrollment and sync. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Gazetteer } from '../../domain/gazetteer.ts';
import type { Enrollment } from '../enrollment-store.ts';
import type { Lang, Translator } from '../i18n/i18n.ts';
import type { Appearance } from '../appearance.ts';
import type { DataKeyHolder } from '../store/at-rest.ts';
import type { WriterContext } from '../store/write-op.ts';
import type { SyncService } from '../sync/service.ts';

export interface AppServices {
  tr: Translator;
  setLang: (lang: Lang) => void;
  writer: WriterContext;
  /** The deployment's gazetteer once a sync brought it, else the one loaded on this device. */
  gazetteer?: Gazetteer;
  setGazetteer: (g: Gazetteer) => void;
  /** Highest own deviceSeq the base has decided; ops above it are not yet synced. */
  watermark: number;
  /** Undefined until this device is enrolled with a base. */
  enrollment?: Enrollment;
  setEnrollment: (e: Enrollment) => void;
  /** Started after the first render once enrolled. */
  sync?: SyncService;
  /** Locks the app now: the data key leaves memory and the passcode is asked again. */
  lock?: () => void;
  /** The data key while unlocked: what this device's private keys are wrapped under. */
  dataKey?: DataKeyHolder;
  /** This device now holds the deployment's private key (made or imported): reports that waited for it may open. */
  deploymentKeyChanged?: () => void;
  /** Rasid's own name and icon, or the plain "Notes" ones (appearance.ts). */
  appearance: Appearance;
  setAppearance: (a: Appearance) => void;
}

export const Services = createContext<AppServices | null>(null);

export function useServices(): AppServices {
  const s = useContext(Services);
  if (!s) throw new Error('Services missing');
  return s;
}

export function isCoordinator(s: AppServices): boolean {
  return s.enrollment?.role === 'coordinator';
}
