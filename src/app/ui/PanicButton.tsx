/**
 * The panic control in the header of every screen. Two taps within a few seconds, not a dialog: at a
 * checkpoint there is no time to read, but a pocket tap alone must not wipe the phone. Armed, it says
 * how many reports have not reached the base yet, once that is counted: the second tap never waits
 * for the count.
 */
import { useEffect, useState } from 'preact/hooks';
import { loadPanic, wipeNow } from '../panic-loader.ts';
import { waitingReports } from '../store/waiting.ts';
import { useEnrollment, useTr, useWatermark, useWriter } from './context.ts';

/** How long the first tap stays armed. */
export const CONFIRM_WINDOW_MS = 4000;

export function PanicButton() {
  const tr = useTr();
  const { writer } = useWriter();
  const { sync } = useEnrollment();
  const watermark = useWatermark();
  const [state, setState] = useState<'idle' | 'armed' | 'wiping'>('idle');
  const [unsynced, setUnsynced] = useState(0);
  useEffect(() => void loadPanic().catch(() => undefined), []);
  useEffect(() => {
    if (state !== 'armed') return;
    const timer = setTimeout(() => setState('idle'), CONFIRM_WINDOW_MS);
    return () => clearTimeout(timer);
  }, [state]);

  const onClick = () => {
    if (state === 'idle') {
      setUnsynced(0);
      // The list's own count of what waits; a count that fails says nothing.
      void waitingReports(writer.db, writer.device, watermark).then(
        (w) => setUnsynced(w.size),
        () => undefined,
      );
      return setState('armed');
    }
    if (state !== 'armed') return;
    setState('wiping');
    // Sync stops first: a pull landing mid-wipe would write into what is being deleted.
    sync?.stop();
    // Its code failed to load (only when a cache was lost while offline): the button is offered again.
    void wipeNow(() => writer.db.close()).catch(() => setState('idle'));
  };

  return (
    <button type="button" class={state === 'idle' ? 'panic' : 'panic armed'} onClick={onClick} disabled={state === 'wiping'}>
      {state === 'armed'
        ? unsynced > 0
          ? tr.plural('panic.confirmUnsynced', unsynced)
          : tr.t('panic.confirm')
        : tr.t(state === 'idle' ? 'panic.action' : 'panic.wiping')}
    </button>
  );
}
