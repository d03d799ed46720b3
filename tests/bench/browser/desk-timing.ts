/**
 * Runs in the app's own page, on the desk: times a change a coordinator makes (a filter, a sort, a
 * letter typed in the search) from the input event to the first frame whose list shows its result,
 * read from what the screen shows (the count, the rows in view, a "loading" line). The app is
 * found by its labels, as a person finds it; nothing of its code is imported.
 */

interface Labels {
  /** The desk list's accessible name. */
  list: string;
  /** The line shown while received times load for a sort by receipt. */
  loading: string;
  /** The line shown while the desk still reads its reports. */
  reading: string;
  /** How long a change that shows nothing new is watched for a late result (ms). */
  watchMs: number;
}

let labels: Labels | undefined;

const frame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));

/** The form control a label names, by the label's text. */
function control(label: string): HTMLInputElement | HTMLSelectElement {
  for (const l of document.querySelectorAll('label')) {
    if (l.textContent?.trim() === label && l.control) return l.control as HTMLInputElement | HTMLSelectElement;
  }
  throw new Error(`No control labelled ${label}`);
}

/** Whether the screen shows a paragraph reading `line` (a "still loading" line). */
const showsLine = (line: string) => [...document.querySelectorAll('main p')].some((p) => p.textContent === line);

/** What the desk shows of its result: the count, whether it is loading, and the rows in view in order. */
function shown(): string {
  const { list, loading } = labels!;
  const count = document.querySelector('main [role="status"]')?.textContent ?? '';
  const busy = showsLine(loading);
  const rows = [...document.querySelectorAll(`[role="list"][aria-label="${list}"] [role="listitem"]`)]
    .slice(0, 12)
    .map((r) => r.querySelector('a')?.getAttribute('href') ?? '');
  return JSON.stringify([count, busy, rows]);
}

/** A change as the browser delivers it: the value set, then the event the control's handler listens for. */
interface Change {
  label: string;
  value: string | boolean;
}

/** Applies the change; false when the control already held the value, so no event was due. */
function apply({ label, value }: Change): boolean {
  const el = control(label);
  if (typeof value === 'boolean' ? (el as HTMLInputElement).checked === value : el.value === value) return false;
  if (typeof value === 'boolean') {
    (el as HTMLInputElement).checked = value;
    el.dispatchEvent(new Event('change', { bubbles: true }));
  } else if (el instanceof HTMLSelectElement) {
    el.value = value;
    el.dispatchEvent(new Event('change', { bubbles: true }));
  } else {
    el.value = value;
    el.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText' }));
  }
  return true;
}

/** How long a change may take to show what it showed before, after which the screen is taken as it settles. */
const EXPECTED_WITHIN_MS = 60_000;

/**
 * Applies `change` and waits for the frame in which the desk shows `expected` (what it showed after
 * the same change before); with no `expected`, or when it has not shown within a minute, waits until
 * what it shows has changed (or `watchMs` has passed showing the same) and holds still for a few
 * frames. A change to the value a control already holds is no change: no event, nothing to wait for. `ms` runs from just before the event
 * to that frame; `matched` says whether it showed `expected`.
 */
async function timeChange(change: Change, expected?: string): Promise<{ ms: number; result: string; matched: boolean }> {
  const before = shown();
  const t0 = performance.now();
  if (!apply(change)) return { ms: 0, result: before, matched: expected === undefined || before === expected };
  if (expected !== undefined) {
    while (performance.now() - t0 < EXPECTED_WITHIN_MS) {
      await frame();
      if (shown() === expected) return { ms: performance.now() - t0, result: expected, matched: true };
    }
  }
  let last = before;
  let still = 0;
  let ms = 0;
  while (still < 10 || (last === before && performance.now() - t0 < labels!.watchMs)) {
    await frame();
    const now = shown();
    if (now !== last) {
      last = now;
      ms = performance.now() - t0;
      still = 0;
    } else if (!JSON.parse(now)[1]) still++;
  }
  return { ms, result: last, matched: expected === undefined || last === expected };
}

/** Follows the link named `name` (already in the page) and times until the list's first rows show. */
async function timeFirstList(name: string): Promise<number> {
  const link = [...document.querySelectorAll('a')].find((a) => a.textContent?.trim() === name);
  if (!link) throw new Error(`No link named ${name}`);
  const t0 = performance.now();
  link.click();
  for (;;) {
    await frame();
    if (JSON.parse(shown())[2].length > 0) return performance.now() - t0;
  }
}

/** The numbers of the desk's count line ("N of M"), in either digits. */
function counted(): number[] {
  const text = (document.querySelector('main [role="status"]')?.textContent ?? '')
    .replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x660))
    .replace(/[٬,]/g, '');
  return [...text.matchAll(/\d+/g)].map((m) => Number(m[0]));
}

/**
 * As timeFirstList, and then on until the list holds `total` reports: the first rows show before the
 * rest is read. A list that has read everything and holds another count is an error: the desk did
 * not take in every report.
 */
async function timeWholeList(name: string, total: number): Promise<{ first: number; whole: number }> {
  const t0 = performance.now();
  const first = await timeFirstList(name);
  for (;;) {
    const held = counted().at(-1);
    if (held === total) return { first, whole: performance.now() - t0 };
    if (!showsLine(labels!.reading))
      throw new Error(`The desk's list has read everything and holds ${String(held)} reports, not ${total}.`);
    await frame();
  }
}

(globalThis as unknown as { deskBench: unknown }).deskBench = {
  setLabels: (l: Labels) => (labels = l),
  timeChange,
  timeFirstList,
  timeWholeList,
  options: (label: string) => [...(control(label) as HTMLSelectElement).options].map((o) => o.value),
};
