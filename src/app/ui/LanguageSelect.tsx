/** The interface language control: in the header, and on the introduction before the header exists. */
import { LANGUAGE_NAMES, LANGUAGES, isLang, type Lang, type Translator } from '../i18n/i18n.ts';

export function LanguageSelect({ tr, onChange, labelShown }: { tr: Translator; onChange: (lang: Lang) => void; labelShown?: boolean }) {
  return (
    <label class="lang">
      <span class={labelShown ? undefined : 'visually-hidden'}>{tr.t('settings.language')}</span>
      {/* Named by itself: a label holding a select would add the language chosen to its name. */}
      <select
        aria-label={tr.t('settings.language')}
        value={tr.lang}
        onChange={(e) => {
          const v = e.currentTarget.value;
          if (isLang(v)) onChange(v);
        }}
      >
        {LANGUAGES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LANGUAGE_NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );
}
