/**
 * Numbers as monitors type them: Eastern Arabic (٠-٩) and Persian (۰-۹) digits, the Arabic decimal
 * separator (٫) and thousands separator (٬), are folded to ASCII before anything parses them.
 */

const EASTERN_ARABIC_ZERO = 0x0660;
const PERSIAN_ZERO = 0x06f0;

export function normalizeDigits(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code >= EASTERN_ARABIC_ZERO && code <= EASTERN_ARABIC_ZERO + 9) out += String(code - EASTERN_ARABIC_ZERO);
    else if (code >= PERSIAN_ZERO && code <= PERSIAN_ZERO + 9) out += String(code - PERSIAN_ZERO);
    else if (ch === '\u066b') out += '.';
    else if (ch === '\u066c') continue;
    // U+2212 MINUS SIGN: what some Arabic keyboards produce for "-"
    else if (ch === '\u2212') out += '-';
    else out += ch;
  }
  return out;
}

export type Parsed<T> = { ok: true; value: T | undefined } | { ok: false; error: string };

/** A count typed by a person: empty means unknown (not zero); anything else must be a whole number ≥ 0. */
export function parseCount(text: string): Parsed<number> {
  const t = normalizeDigits(text).trim().replace(/[\s,]/g, '');
  if (t === '') return { ok: true, value: undefined };
  if (/^-\d+(\.\d+)?$/.test(t)) return { ok: false, error: 'err.count.negative' };
  if (/^\d+\.\d+$/.test(t)) return { ok: false, error: 'err.count.whole' };
  if (!/^\d+$/.test(t)) return { ok: false, error: 'err.count.notNumber' };
  const value = Number(t);
  if (!Number.isSafeInteger(value) || value > MAX_COUNT) return { ok: false, error: 'err.count.tooLarge' };
  return { ok: true, value };
}

/** A decimal such as a latitude; empty means not given. */
export function parseDecimal(text: string): Parsed<number> {
  const t = normalizeDigits(text).trim();
  if (t === '') return { ok: true, value: undefined };
  if (!/^-?\d+(\.\d+)?$/.test(t)) return { ok: false, error: 'err.number.invalid' };
  return { ok: true, value: Number(t) };
}

export const MAX_COUNT = 100_000_000;
