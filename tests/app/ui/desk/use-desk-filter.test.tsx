import { render } from 'preact';
import { act } from 'preact/test-utils';
import { describe, expect, test } from 'vitest';
import { NO_FILTER, type DeskFilter } from '../../../../src/app/desk/filter.ts';
import type { WriterContext } from '../../../../src/app/store/write-op.ts';
import { WriterServicesContext } from '../../../../src/app/ui/context.ts';
import { useDeskFilter } from '../../../../src/app/ui/desk/use-desk-filter.ts';
import { headless } from '../headless.ts';

/** One desk screen mounted under `writer`: what it reads of the filters, and how it sets them. */
async function screen(writer: WriterContext) {
  const seen: { form?: DeskFilter; filter?: DeskFilter; set?: (patch: Partial<DeskFilter>) => void } = {};
  function Screen() {
    const { form, filter, set } = useDeskFilter();
    Object.assign(seen, { form, filter, set });
    return null;
  }
  const root = headless();
  await act(() => render(<WriterServicesContext.Provider value={{ writer }}>{<Screen />}</WriterServicesContext.Provider>, root));
  return { seen, leave: () => act(() => render(null, root)) };
}

describe('the desk filters a coordinator sets', () => {
  test('are kept moving from one desk screen to another, and forgotten once the app is locked', async () => {
    const unlocked = {} as WriterContext;
    const list = await screen(unlocked);
    expect(list.seen.form).toEqual(NO_FILTER);
    await act(() => list.seen.set!({ type: 'damage', query: 'جبلة' }));
    await list.leave();

    const map = await screen(unlocked);
    expect(map.seen.form).toMatchObject({ type: 'damage', query: 'جبلة' });
    await map.leave();

    // Unlocking again makes a new writer: nothing typed before the lock is there.
    const afterLock = await screen({} as WriterContext);
    expect(afterLock.seen.form).toEqual(NO_FILTER);
    await afterLock.leave();
  });

  test('a date still being typed filters nothing until it reads as a date, Eastern Arabic digits included', async () => {
    const s = await screen({} as WriterContext);
    await act(() => s.seen.set!({ from: '٢٠٢٥-٠٣' }));
    expect(s.seen.form!.from).toBe('٢٠٢٥-٠٣');
    expect(s.seen.filter!.from).toBe('');
    await act(() => s.seen.set!({ from: '٢٠٢٥-٠٣-٠٧' }));
    expect(s.seen.filter!.from).toBe('2025-03-07');
    await s.leave();
  });
});
