/**
 * The introduction: what the app keeps and where, how to lock and wipe, and, when the browser offers
 * it, the install to the home screen (with the plain name chosen first, since the home screen keeps
 * the name the app had when it was added). Shown once before the first passcode is chosen, and again
 * from Settings. Every step can be skipped.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { appName, type Appearance } from '../appearance.ts';
import type { Lang, Translator } from '../i18n/i18n.ts';
import { install, installOffered, watchInstallOffer } from '../install-offer.ts';
import { href, navigate } from '../router.ts';
import { AppearanceChoice } from './AppearanceChoice.tsx';
import { LanguageSelect } from './LanguageSelect.tsx';
import { useAppearance, useTr } from './context.ts';

export interface IntroProps {
  tr: Translator;
  appearance: Appearance;
  onAppearance: (a: Appearance) => void;
  /** At first start, before the app's header (and its language control) exists. */
  onLang?: (lang: Lang) => void;
  /** At first start the last step leads on to choosing a passcode; from Settings, back there. */
  firstStart: boolean;
  onDone: () => void;
}

type Step = 'keeps' | 'lock' | 'install';

function useInstallOffered(): boolean {
  const [offered, setOffered] = useState(installOffered);
  useEffect(() => watchInstallOffer(() => setOffered(installOffered())), []);
  return offered;
}

export function Intro({ tr, appearance, onAppearance, onLang, firstStart, onDone }: IntroProps) {
  const offered = useInstallOffered();
  const [asked, setAsked] = useState<'accepted' | 'dismissed'>();
  // The install step stays once shown, so the answer to it can be read there.
  const steps: Step[] = offered || asked ? ['keeps', 'lock', 'install'] : ['keeps', 'lock'];
  const [index, setIndex] = useState(0);
  const step = steps[Math.min(index, steps.length - 1)]!;
  const last = index >= steps.length - 1;
  const heading = useRef<HTMLHeadingElement>(null);
  const moved = useRef(false);
  useEffect(() => {
    // A screen reader hears each new step's title; the first one is where the page starts anyway.
    if (moved.current) heading.current?.focus();
  }, [index]);
  const go = (to: number) => {
    moved.current = true;
    setIndex(to);
  };
  const app = appName(tr, appearance);

  return (
    <section class="intro" aria-labelledby="intro-h">
      {onLang && <LanguageSelect tr={tr} onChange={onLang} labelShown />}
      <p class="hint">{tr.t('intro.step', { n: index + 1, total: steps.length })}</p>
      <h1 id="intro-h" tabIndex={-1} ref={heading}>
        {tr.t(`intro.${step}.title`, { app })}
      </h1>
      {step === 'keeps' && (
        <>
          <p>{tr.t('intro.keeps.phone')}</p>
          <p>{tr.t('intro.keeps.base')}</p>
          <p>{tr.t('intro.keeps.sent')}</p>
        </>
      )}
      {step === 'lock' && (
        <>
          <p>{tr.t('intro.lock.lock', { lock: tr.t('lock.now') })}</p>
          <p>{tr.t('intro.lock.wipe', { wipe: tr.t('panic.action') })}</p>
          <p>{tr.t('intro.lock.settings')}</p>
        </>
      )}
      {step === 'install' && (
        <>
          <p>{tr.t('intro.install.why', { app })}</p>
          <AppearanceChoice tr={tr} appearance={appearance} onChange={onAppearance} id="intro-appearance" />
          {offered && (
            <button type="button" class="secondary" onClick={() => void install().then((ok) => setAsked(ok ? 'accepted' : 'dismissed'))}>
              {tr.t('intro.install.action')}
            </button>
          )}
          {asked && <p role="status">{tr.t(asked === 'accepted' ? 'intro.install.accepted' : 'intro.install.dismissed')}</p>}
        </>
      )}
      <div class="actions">
        {index > 0 && (
          <button type="button" class="secondary" onClick={() => go(index - 1)}>
            {tr.t('action.back')}
          </button>
        )}
        {last ? (
          <button type="button" class="primary" onClick={onDone}>
            {tr.t(firstStart ? 'intro.toPasscode' : 'intro.done')}
          </button>
        ) : (
          <>
            <button type="button" class="primary" onClick={() => go(index + 1)}>
              {tr.t('intro.next')}
            </button>
            <button type="button" class="secondary" onClick={onDone}>
              {tr.t('intro.skip')}
            </button>
          </>
        )}
      </div>
    </section>
  );
}

/** The introduction again, from Settings: it leads back there. */
export function IntroAgain() {
  const tr = useTr();
  const { appearance, setAppearance } = useAppearance();
  return (
    <Intro tr={tr} appearance={appearance} onAppearance={setAppearance} firstStart={false} onDone={() => navigate(href('settings'))} />
  );
}
