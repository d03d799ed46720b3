/**
 * First start, before any passcode exists: the introduction, in a chunk of its own that a phone with
 * a passcode never loads. The language and the plain name chosen here hold from then on, the lock
 * screen that follows included.
 */
import { render } from 'preact';
import { applyAppearance, currentAppearance, setAppearance, type Appearance } from './appearance.ts';
import { loadTranslator, type Lang, type Translator } from './i18n/i18n.ts';
import { saveLang } from './preferences.ts';
import { Intro } from './ui/Intro.tsx';

/** Shows the introduction in `root` until the monitor is done with it; resolves to the language then chosen. */
export async function firstStart(tr: Translator, root: Element): Promise<Translator> {
  let shown = await tr.withScreens();
  let appearance = currentAppearance();
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
            onLang={(lang: Lang) => void changeLang(lang)}
            firstStart
            onDone={() => resolve(shown)}
          />
        </main>,
        root,
      );
    // Only the language asked for last is shown, whichever catalog arrives last.
    let asked = 0;
    const changeLang = async (lang: Lang) => {
      const ask = ++asked;
      const next = await loadTranslator(lang, { screens: true });
      if (ask !== asked) return;
      shown = next;
      document.documentElement.lang = shown.lang;
      document.documentElement.dir = shown.dir;
      applyAppearance(shown, document, appearance);
      draw();
      await saveLang(lang);
    };
    draw();
  });
}
