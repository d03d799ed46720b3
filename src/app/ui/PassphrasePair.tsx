/**
 * A passphrase being chosen for a file that travels (the key file, the root file), typed twice: with
 * the reason it matters on screen, and a suggestion from a word list on request, shown in words so
 * it can be copied onto paper.
 */
import { useState } from 'preact/hooks';
import { useTr } from './context.ts';

/** A passphrase being chosen: typed hidden, and never offered for autofill of an old one. */
function NewPassphrase({
  id,
  label,
  value,
  describedBy,
  onInput,
}: {
  id: string;
  label: string;
  value: string;
  describedBy?: string;
  onInput: (value: string) => void;
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="password"
        autocomplete="new-password"
        aria-describedby={describedBy}
        value={value}
        onInput={(e) => onInput(e.currentTarget.value)}
        required
      />
    </div>
  );
}

export function PassphrasePair({
  id,
  label,
  confirmLabel,
  value,
  confirm,
  onInput,
}: {
  id: string;
  label: string;
  confirmLabel: string;
  value: string;
  confirm: string;
  onInput: (value: string, confirm: string) => void;
}) {
  const tr = useTr();
  const [suggested, setSuggested] = useState<string>();
  const suggest = async () => {
    const { suggestPassphrase } = await import('../keys/suggest-passphrase.ts');
    const words = await suggestPassphrase(tr.lang);
    setSuggested(words);
    onInput(words, words);
  };
  return (
    <>
      <p class="hint" id={`${id}-why`}>
        {tr.t('passphrase.why')}
      </p>
      <NewPassphrase id={id} label={label} value={value} describedBy={`${id}-why`} onInput={(v) => onInput(v, confirm)} />
      <NewPassphrase id={`${id}-confirm`} label={confirmLabel} value={confirm} onInput={(v) => onInput(value, v)} />
      <button type="button" class="secondary" onClick={() => void suggest()}>
        {tr.t('passphrase.suggest')}
      </button>
      {/* Shown while the fields still hold it: once the coordinator types another, this one is not the passphrase. */}
      {suggested !== undefined && suggested === value && (
        <p role="status">
          {tr.t('passphrase.suggested')}{' '}
          <span class="mono" lang={tr.lang}>
            {suggested}
          </span>
        </p>
      )}
    </>
  );
}
