/**
 * Hands the screens what they read, each context with a value of its own that is new only when what
 * it holds changes. The children are made by the caller, once: when only the watermark moves, they
 * are the same as before, and only the screens that read the watermark render again.
 */
import type { ComponentChildren } from 'preact';
import { useMemo } from 'preact/hooks';
import {
  AppearanceContext,
  EnrollmentContext,
  GazetteerContext,
  LanguageContext,
  WatermarkContext,
  WriterServicesContext,
  type AppearanceServices,
  type EnrollmentServices,
  type GazetteerServices,
  type LanguageServices,
  type WriterServices,
} from './context.ts';

type Props = LanguageServices &
  WriterServices &
  GazetteerServices &
  EnrollmentServices &
  AppearanceServices & { watermark: number; children: ComponentChildren };

export function AppProviders(p: Props) {
  const { tr, setLang, screensFailed, writer, lock, dataKey, gazetteer, setGazetteer } = p;
  const { enrollment, setEnrollment, sync, deploymentKeyChanged, appearance, setAppearance } = p;
  const language = useMemo(() => ({ tr, setLang, screensFailed }), [tr, setLang, screensFailed]);
  const writing = useMemo(() => ({ writer, lock, dataKey }), [writer, lock, dataKey]);
  const places = useMemo(() => ({ gazetteer, setGazetteer }), [gazetteer, setGazetteer]);
  const enrolled = useMemo(
    () => ({ enrollment, setEnrollment, sync, deploymentKeyChanged }),
    [enrollment, setEnrollment, sync, deploymentKeyChanged],
  );
  const looks = useMemo(() => ({ appearance, setAppearance }), [appearance, setAppearance]);
  return (
    <LanguageContext.Provider value={language}>
      <WriterServicesContext.Provider value={writing}>
        <GazetteerContext.Provider value={places}>
          <EnrollmentContext.Provider value={enrolled}>
            <WatermarkContext.Provider value={p.watermark}>
              <AppearanceContext.Provider value={looks}>{p.children}</AppearanceContext.Provider>
            </WatermarkContext.Provider>
          </EnrollmentContext.Provider>
        </GazetteerContext.Provider>
      </WriterServicesContext.Provider>
    </LanguageContext.Provider>
  );
}
