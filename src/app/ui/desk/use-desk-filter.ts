/**
 * The desk's filters as a coordinator set them, shared by the list and the map: moving from one to the
 * other keeps them. Held in memory against this unlocked session's writer, so locking the app forgets
 * them, and never in the address bar, history or storage: a search for a place is itself sensitive.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { NO_FILTER, parseDateBound, type DeskFilter } from '../../desk/filter.ts';
import { useWriter } from '../context.ts';

const kept = new WeakMap<object, DeskFilter>();

export function useDeskFilter() {
  const { writer } = useWriter();
  const [form, setForm] = useState<DeskFilter>(() => kept.get(writer) ?? NO_FILTER);
  useEffect(() => void kept.set(writer, form), [writer, form]);
  // A date still being typed filters nothing until it reads as a date.
  const filter = useMemo<DeskFilter>(() => {
    const from = parseDateBound(form.from);
    const to = parseDateBound(form.to);
    return { ...form, from: from.ok ? from.value : '', to: to.ok ? to.value : '' };
  }, [form]);
  return {
    /** The form as typed. */
    form,
    /** What the reports are filtered by. */
    filter,
    set: (patch: Partial<DeskFilter>) => setForm((f) => ({ ...f, ...patch })),
    clear: () => setForm(NO_FILTER),
  };
}
