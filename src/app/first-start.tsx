/**
 * First start, before any passcode exists: the introduction, in a chunk of its own that a phone with
 * a passcode never loads. The language and the plain name chosen here hold from then on, the lock
 * screen that follows included.
 */
import { render } from 'preact';
import { applyAppearance, currentAppearance, setAppearance, type Appearance } from './appearance.ts';
import { loadTranslator, type Lang, type Translator } from './i18n/i18n.ts';
import { loadAgainOnFailure } from './load-again.ts';
import { saveLang } from './preferences.ts';
import { Intro } from './ui/Intro.tsx';

/**
 * Shows the introduction in `root` until the monitor is done with it; resolves to the language then
 * chosen. Without its messages (a first visit on a link that dropped, tried again) the passcode is
 * asked for at once, in the messages the app started with: Settings shows the introduction later.
 */
export async function firstStart(tr: Translator, root: Element): Promise<Translator> {
  const withScreens = await loadAgainOnFailure(() => tr.withScreens()).catch((e: unknown) => void console.error(e));
  if (!withScreens) return tr;
  let shown = withScreens;
  let appearance = currentAppearance();
  // The language last asked for, once its catalog has arrived: a tap on Skip right after choosing
  // a language (a slow phone still loading it) goes on in that language, and a catalog arriving
  // after the introduction is done never draws it again over the lock screen.
  let chosen: Promise<void> = Promise.resolve();
  let done = false;
  return new Promise((resolve) => {
    const draw = () =>
      render(
        <main lang={shown.lang} dir={shown.dir}>
          <Intro
            tr={shown}
            appearance={appearance}
            onAppearance={(a: Appearance) => {
              appearance = a;
              setAppearance(a);
              applyAppearance(shown, document, a);
              draw();
            }}
            onLang={(lang: Lang) => {
              if (!done) chosen = changeLang(lang);
            }}
            firstStart
            onDone={() => {
              done = true;
              void chosen.then(() => resolve(shown));
            }}
          />
        </main>,
        root,
      );
    // Only the language asked for last is shown, whichever catalog arrives last.
    let asked = 0;
    const changeLang = async (lang: Lang) => {
      const ask = ++asked;
      const next = await loadTranslator(lang, { screens: true }).catch(() => undefined);
      if (ask !== asked || !next) return;
      shown = next;
      document.documentElement.lang = shown.lang;
      document.documentElement.dir = shown.dir;
      applyAppearance(shown, document, appearance);
      if (!done) draw();
      await saveLang(lang);
    };
    draw();
  });
}
