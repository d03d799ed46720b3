/** The choice of the app's plain "Notes" name and icon: in Settings, and before an install. */
import type { Appearance } from '../appearance.ts';
import type { Translator } from '../i18n/i18n.ts';

export function AppearanceChoice({
  tr,
  appearance,
  onChange,
  id,
}: {
  tr: Translator;
  appearance: Appearance;
  onChange: (a: Appearance) => void;
  id: string;
}) {
  return (
    <>
      <label class="check">
        <input
          type="checkbox"
          checked={appearance === 'neutral'}
          onChange={(e) => onChange(e.currentTarget.checked ? 'neutral' : 'rasid')}
          aria-describedby={`${id}-hint`}
        />
        {tr.t('appearance.neutral')}
      </label>
      <p class="hint" id={`${id}-hint`}>
        {tr.t('appearance.hint')}
      </p>
    </>
  );
}
