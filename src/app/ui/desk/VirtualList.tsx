/**
 * A list of any length that keeps only the rows in view, plus a few either side, in the page. Rows
 * have one fixed height, so where a row sits is a multiplication and 100,000 rows cost no more to
 * show than 20. Screen readers still hear the whole length through aria-setsize and aria-posinset.
 *
 * Keyboard: Tab enters the list at one row and leaves it at the next control (a roving tabindex);
 * the arrow keys, Page Up/Down, Home and End move between rows, scrolling as they go. The row with
 * focus stays rendered even when scrolled out of view, so focus is never dropped to the page. The
 * active row is followed by its key: when rows arrive above it (a sync), the arrow keys move on
 * from it, not from the place it had.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

export interface VirtualListProps<T> {
  items: readonly T[];
  /** Height of every row in CSS pixels. */
  rowHeight: number;
  /** The list's accessible name. */
  label: string;
  keyOf: (item: T) => string;
  /** `tabIndex` is 0 for the one row Tab lands on and -1 for the others: give it to the row's link. */
  renderRow: (item: T, tabIndex: 0 | -1) => ComponentChildren;
  /** Rows rendered beyond each edge of the view, so a fast scroll shows no blank strip. */
  overscan?: number;
  /** When this changes (other filters, say), the list goes back to its first row. */
  resetKey?: string;
  class?: string;
}

const KEYS = ['ArrowDown', 'ArrowUp', 'PageDown', 'PageUp', 'Home', 'End'] as const;
type NavKey = (typeof KEYS)[number];
const isNavKey = (k: string): k is NavKey => (KEYS as readonly string[]).includes(k);

export function VirtualList<T>({
  items,
  rowHeight,
  label,
  keyOf,
  renderRow,
  overscan = 6,
  resetKey,
  class: className,
}: VirtualListProps<T>) {
  const scroller = useRef<HTMLDivElement>(null);
  const frame = useRef(0);
  // The row to move the focus to, once a render shows it as the active one.
  const focusTarget = useRef<number | undefined>(undefined);
  const [scrollTop, setScrollTop] = useState(0);
  // Until measured, assume a laptop's worth of rows; the first layout corrects it.
  const [viewport, setViewport] = useState(800);
  // The active row by its place and, once one was chosen, by its key.
  const [active, setActive] = useState<{ index: number; key?: string }>({ index: 0 });

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => setViewport(el.clientHeight);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => {
      observer.disconnect();
      cancelAnimationFrame(frame.current);
    };
  }, []);

  // At commit, not after paint: a key pressed between the two (a coordinator clears the filters and
  // presses Down at once) would otherwise move from the old row and then be undone by this reset.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    // The row with focus may scroll out and go: focus then moves to the first row, never to the page.
    if (el.contains(document.activeElement)) focusTarget.current = 0;
    el.scrollTop = 0;
    setScrollTop(0);
    setActive({ index: 0 });
  }, [resetKey]);

  const count = items.length;
  // Where the active row is now: at its place, unless rows came or went before it since it was
  // chosen (then found by its key, each render until another is chosen: no effect re-places it, so
  // a reset by other filters is never undone by a render from before it).
  const atPlace = active.key === undefined || (items[active.index] !== undefined && keyOf(items[active.index]!) === active.key);
  const keyed = atPlace ? active.index : items.findIndex((item) => keyOf(item) === active.key);
  const current = Math.min(keyed >= 0 ? keyed : active.index, Math.max(0, count - 1));
  const activate = (index: number) => setActive({ index, key: items[index] === undefined ? undefined : keyOf(items[index]) });

  useEffect(() => {
    const target = focusTarget.current;
    if (target === undefined) return;
    // A key pressed again before the render of the last one (an arrow held down) runs this for a
    // render that does not show the target yet: the focus waits for the render that does.
    const link = scroller.current?.querySelector<HTMLElement>(`[aria-posinset="${target + 1}"] [tabindex="0"]`);
    if (!link) return;
    focusTarget.current = undefined;
    link.focus();
  });

  // One state update per frame however many scroll events the browser sends.
  const onScroll = () => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      if (scroller.current) setScrollTop(scroller.current.scrollTop);
    });
  };

  const moveTo = (index: number) => {
    const el = scroller.current;
    if (!el || count === 0) return;
    const next = Math.max(0, Math.min(count - 1, index));
    const top = next * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight - el.clientHeight;
    setScrollTop(el.scrollTop);
    activate(next);
    focusTarget.current = next;
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (!isNavKey(e.key) || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    const page = Math.max(1, Math.floor(viewport / rowHeight) - 1);
    const step: Record<NavKey, number> = {
      ArrowDown: current + 1,
      ArrowUp: current - 1,
      PageDown: current + page,
      PageUp: current - page,
      Home: 0,
      End: count - 1,
    };
    moveTo(step[e.key]);
  };

  // Whatever put focus in a row (a click, Tab, a screen reader's cursor), that row becomes the active one.
  const onFocusIn = (e: FocusEvent) => {
    const row = (e.target as Element | null)?.closest?.('[aria-posinset]');
    const pos = Number(row?.getAttribute('aria-posinset'));
    if (pos >= 1 && pos - 1 !== current) activate(pos - 1);
  };

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const end = Math.min(count, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  const shown: number[] = [];
  for (let i = first; i < end; i++) shown.push(i);
  if (count > 0 && (current < first || current >= end)) shown.push(current);

  return (
    <div ref={scroller} role="list" aria-label={label} class={className} onScroll={onScroll} onKeyDown={onKeyDown} onFocusIn={onFocusIn}>
      <div role="none" style={{ position: 'relative', blockSize: `${count * rowHeight}px` }}>
        {shown.map((i) => {
          const item = items[i]!;
          return (
            <div
              key={keyOf(item)}
              role="listitem"
              aria-setsize={count}
              aria-posinset={i + 1}
              style={{ position: 'absolute', insetInline: 0, insetBlockStart: `${i * rowHeight}px`, blockSize: `${rowHeight}px` }}
            >
              {renderRow(item, i === current ? 0 : -1)}
            </div>
          );
        })}
      </div>
    </div>
  );
}
