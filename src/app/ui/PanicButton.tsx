/**
 * The panic control in the header of every screen. Two taps within a few seconds, not a dialog: at a
 * checkpoint there is no time to read, but a pocket tap alone must not wipe the phone.
 */
import { useEffect, useState } from 'preact/hooks';
import { loadPanic, wipeNow } from '../panic-loader.ts';
import { useServices } from './context.ts';

/** How long the first tap stays armed. */
export const CONFIRM_WINDOW_MS = 4000;

export function PanicButton() {
  const { tr, writer, sync } = useServices();
  const [state, setState] = useState<'idle' | 'armed' | 'wiping'>('idle');
  useEffect(() => void loadPanic().catch(() => undefined), []);
  useEffect(() => {
    if (state !== 'armed') return;
    const timer = setTimeout(() => setState('idle'), CONFIRM_WINDOW_MS);
    return () => clearTimeout(timer);
  }, [state]);

  const onClick = () => {
    if (state === 'idle') return setState('armed');
    if (state !== 'armed') return;
    setState('wiping');
    // Sync stops first: a pull landing mid-wipe would write into what is being deleted.
    sync?.stop();
    // Its code failed to load (only when a cache was lost while offline): the button is offered again.
    void wipeNow(() => writer.db.close()).catch(() => setState('idle'));
  };

  return (
    <button type="button" class={state === 'idle' ? 'panic' : 'panic armed'} onClick={onClick} disabled={state === 'wiping'}>
      {tr.t(state === 'idle' ? 'panic.action' : state === 'armed' ? 'panic.confirm' : 'panic.wiping')}
    </button>
  );
}
