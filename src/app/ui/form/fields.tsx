/**
 * Form inputs, each labelled (a screen reader, and the tests, find them by label) and showing its
 * own error beside it. Text is never cut to a maximum length: a too-long paste stays, with a message.
 */
import type { ComponentChildren } from 'preact';
import { TEXT_LIMITS } from '../../../domain/report.ts';
import type { MessageKey } from '../../i18n/i18n.ts';
import { useTr } from '../context.ts';

export interface FieldProps {
  values: Record<string, string>;
  errors: Record<string, string>;
  /** The inputs the report cannot be saved without, as what is typed so far makes them. */
  required: ReadonlySet<string>;
  set: (key: string, value: string) => void;
}

export const inputId = (key: string) => `f-${key.replace(/\./g, '-')}`;
const hintId = (key: string) => `${inputId(key)}-hint`;
const countId = (key: string) => `${inputId(key)}-count`;

function limitOf(key: string): number {
  if (key === 'narrative') return TEXT_LIMITS.narrative;
  if (key === 'sourceDetail') return TEXT_LIMITS.detail;
  return TEXT_LIMITS.short;
}

export function ErrorText({ k, value, error }: { k: string; value?: string; error?: string }) {
  const tr = useTr();
  if (!error) return null;
  return (
    <p class="field-error" id={`${inputId(k)}-error`}>
      {tr.tk(error, { len: value?.length ?? 0, max: limitOf(k) })}
    </p>
  );
}

function Row({
  k,
  label,
  hint,
  children,
  props,
}: {
  k: string;
  label: string;
  hint?: ComponentChildren;
  children: ComponentChildren;
  props: FieldProps;
}) {
  const tr = useTr();
  return (
    <div class={`field${props.errors[k] ? ' has-error' : ''}`}>
      <div class="label-line">
        <label for={inputId(k)}>{label}</label>
        {/* Seen, not read: the input's aria-required says it to a screen reader, once. */}
        {props.required.has(k) && (
          <span class="required" aria-hidden="true">
            {tr.t('form.required')}
          </span>
        )}
      </div>
      {hint && (
        <div class="hint" id={hintId(k)}>
          {hint}
        </div>
      )}
      {children}
      <ErrorText k={k} value={props.values[k]} error={props.errors[k]} />
    </div>
  );
}

/**
 * What every input carries: its id, whether it is required or invalid, and what describes it: the
 * elements named in `described` (its hint, its counter), then its error.
 */
function aria(k: string, props: FieldProps, described: string[] = []) {
  const ids = [...described, props.errors[k] ? `${inputId(k)}-error` : ''].filter(Boolean).join(' ');
  return {
    id: inputId(k),
    'aria-required': props.required.has(k) ? true : undefined,
    'aria-invalid': props.errors[k] ? true : undefined,
    'aria-describedby': ids || undefined,
  };
}

export function TextField({ k, label, multiline, props }: { k: string; label: MessageKey; multiline?: boolean; props: FieldProps }) {
  const tr = useTr();
  const value = props.values[k] ?? '';
  const common = {
    value,
    onInput: (e: Event) => props.set(k, (e.currentTarget as HTMLInputElement).value),
  };
  return (
    <Row k={k} label={tr.t(label)} props={props}>
      {multiline ? (
        // Long text shows how much of its limit is used, counted as the limit is (in UTF-16 units).
        <>
          <textarea rows={6} {...aria(k, props, [countId(k)])} {...common} />
          <p class="hint count-chars" id={countId(k)}>
            {tr.t('field.text.count', { len: value.length, max: limitOf(k) })}
          </p>
        </>
      ) : (
        <input type="text" autoComplete="off" {...aria(k, props)} {...common} />
      )}
    </Row>
  );
}

/** Counts and coordinates: a text input with a numeric keyboard, so Eastern Arabic digits type as they are. */
export function NumberField({
  k,
  label,
  hint,
  decimal,
  props,
}: {
  k: string;
  label: MessageKey;
  hint?: MessageKey;
  decimal?: boolean;
  props: FieldProps;
}) {
  const tr = useTr();
  return (
    <Row k={k} label={tr.t(label)} hint={hint && tr.t(hint)} props={props}>
      <input
        type="text"
        inputMode={decimal ? 'decimal' : 'numeric'}
        autoComplete="off"
        dir="ltr"
        {...aria(k, props, hint ? [hintId(k)] : [])}
        value={props.values[k] ?? ''}
        onInput={(e) => props.set(k, e.currentTarget.value)}
      />
    </Row>
  );
}

export function ChoiceField({
  k,
  label,
  options,
  optionLabel,
  explain,
  props,
}: {
  k: string;
  label: MessageKey;
  options: readonly { value: string; label: string }[] | readonly string[];
  optionLabel?: (v: string) => string;
  /** What each option means, shown as a line of its own under the label. */
  explain?: (v: string) => string;
  props: FieldProps;
}) {
  const tr = useTr();
  const opts = options.map((o) => (typeof o === 'string' ? { value: o, label: optionLabel ? optionLabel(o) : o } : o));
  const explained = explain && (
    <ul class="explained">
      {opts.map((o) => (
        <li key={o.value}>{`${o.label}: ${explain(o.value)}`}</li>
      ))}
    </ul>
  );
  return (
    <Row k={k} label={tr.t(label)} hint={explained} props={props}>
      <select
        {...aria(k, props, explained ? [hintId(k)] : [])}
        value={props.values[k] ?? ''}
        onChange={(e) => props.set(k, e.currentTarget.value)}
      >
        <option value="">{tr.t('choice.unset')}</option>
        {opts.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Row>
  );
}

export function DateField({ k, label, props }: { k: string; label: MessageKey; props: FieldProps }) {
  const tr = useTr();
  return (
    <Row k={k} label={tr.t(label)} props={props}>
      <input type="date" {...aria(k, props)} value={props.values[k] ?? ''} onInput={(e) => props.set(k, e.currentTarget.value)} />
    </Row>
  );
}
