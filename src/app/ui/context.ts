/**
 * What the screens read, one narrow context per thing that changes on its own: a sync moves the
 * watermark every few seconds and a gazetteer may arrive with it, and neither should re-render a
 * form that only shows messages. Each value is made once per change of what it holds (AppProviders.tsx).
 */
import { createContext, type Context } from 'preact';
import { useContext } from 'preact/hooks';
import type { Gazetteer } from '../../domain/gazetteer.ts';
import type { Enrollment } from '../enrollment-store.ts';
import type { Lang, Translator } from '../i18n/i18n.ts';
import type { Appearance } from '../appearance.ts';
import type { DataKeyHolder } from '../store/at-rest.ts';
import type { WriterContext } from '../store/write-op.ts';
import type { SyncService } from '../sync/service.ts';

export interface LanguageServices {
  tr: Translator;
  setLang: (lang: Lang) => void;
  /** The other screens' messages did not load, tried again: the screens that need them say so. */
  screensFailed?: boolean;
}

/** Fixed for as long as the app is unlocked. */
export interface WriterServices {
  writer: WriterContext;
  /** Locks the app now: the data key leaves memory and the passcode is asked again. */
  lock?: () => void;
  /** The data key while unlocked: what this device's private keys are wrapped under. */
  dataKey?: DataKeyHolder;
}

export interface GazetteerServices {
  /** The deployment's gazetteer once a sync brought it, else the one loaded on this device. */
  gazetteer?: Gazetteer;
  setGazetteer: (g: Gazetteer) => void;
}

export interface EnrollmentServices {
  /** Undefined until this device is enrolled with a base. */
  enrollment?: Enrollment;
  setEnrollment: (e: Enrollment) => void;
  /** Started after the first render once enrolled. */
  sync?: SyncService;
  /** This device now holds the deployment's private key (made or imported): reports that waited for it may open. */
  deploymentKeyChanged?: () => void;
}

export interface AppearanceServices {
  /** Rasid's own name and icon, or the plain "Notes" ones (appearance.ts). */
  appearance: Appearance;
  setAppearance: (a: Appearance) => void;
}

export const LanguageContext = createContext<LanguageServices | null>(null);
export const WriterServicesContext = createContext<WriterServices | null>(null);
export const GazetteerContext = createContext<GazetteerServices | null>(null);
export const EnrollmentContext = createContext<EnrollmentServices | null>(null);
/** Highest own deviceSeq the base has decided; ops above it are not yet synced. Moves with every sync. */
export const WatermarkContext = createContext<number | null>(null);
export const AppearanceContext = createContext<AppearanceServices | null>(null);

function useProvided<T>(context: Context<T | null>): T {
  const value = useContext(context);
  // No name per context: the stack names the hook that read it, and the first load stays lighter.
  if (value === null) throw new Error('Read outside AppProviders');
  return value;
}

export const useLanguage = () => useProvided(LanguageContext);
export const useTr = () => useLanguage().tr;
export const useWriter = () => useProvided(WriterServicesContext);
export const useGazetteer = () => useProvided(GazetteerContext);
export const useEnrollment = () => useProvided(EnrollmentContext);
export const useWatermark = () => useProvided(WatermarkContext);
export const useAppearance = () => useProvided(AppearanceContext);

export function isCoordinator(enrollment: Enrollment | undefined): boolean {
  return enrollment?.role === 'coordinator';
}
