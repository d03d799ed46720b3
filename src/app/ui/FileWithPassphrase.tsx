/**
 * A file and the passphrase that opens it, as one form: the key file another coordinator passed on,
 * or the root file. The form's state lives with its caller; this is how it looks and is named.
 */
import type { ComponentChildren } from 'preact';
import { useTr } from './context.ts';

export interface FileWithPassphraseProps {
  /** Prefix of the ids within the form: one form of each kind is on a screen at a time. */
  id: string;
  title: string;
  intro: string;
  fileLabel: string;
  passphraseLabel: string;
  button: string;
  passphrase: string;
  busy: boolean;
  /** A catalog key, shown as an alert; the passphrase is marked invalid when it is `wrongPassphrase`. */
  error: string | undefined;
  wrongPassphrase: string;
  onFile: (file: File | undefined) => void;
  onPassphrase: (value: string) => void;
  onSubmit: () => void;
  /** More fields, between the passphrase and the button. */
  fields?: ComponentChildren;
  /** Shown under the button: what the form did. */
  children?: ComponentChildren;
}

export function FileWithPassphrase(p: FileWithPassphraseProps) {
  const tr = useTr();
  const errorId = `${p.id}-error`;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        p.onSubmit();
      }}
      aria-labelledby={`${p.id}-h`}
    >
      <h3 id={`${p.id}-h`}>{p.title}</h3>
      <p class="hint">{p.intro}</p>
      <div class="field">
        <label for={`${p.id}-file`}>{p.fileLabel}</label>
        <input
          id={`${p.id}-file`}
          type="file"
          accept=".json,application/json"
          required
          onChange={(e) => p.onFile(e.currentTarget.files?.[0])}
        />
      </div>
      <div class="field">
        <label for={`${p.id}-passphrase`}>{p.passphraseLabel}</label>
        <input
          id={`${p.id}-passphrase`}
          type="password"
          autocomplete="off"
          value={p.passphrase}
          onInput={(e) => p.onPassphrase(e.currentTarget.value)}
          required
          aria-invalid={p.error === p.wrongPassphrase}
          aria-describedby={p.error ? errorId : undefined}
        />
      </div>
      {p.fields}
      <button type="submit" class="primary" disabled={p.busy}>
        {p.busy ? tr.t('lock.working') : p.button}
      </button>
      {p.children}
      {p.error && (
        <p class="form-error" role="alert" id={errorId}>
          {tr.tk(p.error)}
        </p>
      )}
    </form>
  );
}
