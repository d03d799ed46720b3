/** A list entry for a stored report this app version cannot read: shown, never dropped or fatal. */
import { useTr } from './context.ts';

export function UnreadableItem({ id }: { id: string }) {
  const tr = useTr();
  return <li class="unreadable">{tr.t('list.unreadable', { id: id.slice(0, 8) })}</li>;
}
