/**
 * On a coordinator's desk that pinned the root, on the Devices screen: monitors' new keys that wait
 * for a coordinator (sync/key-renewal.ts), each with the fingerprint to read back with the monitor
 * before confirming; and coordinators' new keys, which the root file confirms when it is opened.
 */
import { useState } from 'preact/hooks';
import { useAsync } from './use-async.ts';
import { confirmRenewal, waitingRenewals, type WaitingRenewal } from '../sync/key-renewal.ts';
import { useEnrollment, useTr, useWriter } from './context.ts';
import { isolate } from './format.ts';
import { deviceName, useDeviceLabels } from '../desk/device-labels.ts';

export function RenewalPanel() {
  const tr = useTr();
  const { writer } = useWriter();
  const { sync } = useEnrollment();
  const [done, setDone] = useState(false);
  const labels = useDeviceLabels(writer.db);
  // The label beside the whole id: the id is what the person holding the device can read back.
  const named = (device: string) => isolate(labels.byDevice.has(device) ? `${labels.byDevice.get(device)} (${device})` : device);
  const waiting = useAsync(() => waitingRenewals(writer.db, 'monitor', writer.device), [writer.db, writer.device, done]).value;
  const byRoot = useAsync(() => waitingRenewals(writer.db, 'coordinator'), [writer.db, done]).value ?? [];
  if (!waiting?.length && !byRoot.length && !done) return null;

  const confirm = async (w: WaitingRenewal) => {
    await confirmRenewal(writer, w.renewal);
    // The roster op goes to the base, where the phone finds it at its next sync.
    await sync?.syncNow();
    setDone(true);
  };
  return (
    <section class="form-section" aria-labelledby="renewal-h">
      <h2 id="renewal-h">{tr.t('renewal.deskTitle')}</h2>
      <p class="hint">{tr.t('renewal.deskHint')}</p>
      <ul class="plain" aria-labelledby="renewal-h">
        {waiting?.map((w) => (
          <li key={w.renewal.opId}>
            <p>{tr.t('renewal.asks', { device: named(w.renewal.device), since: w.renewal.since })}</p>
            <p class="mono" dir="ltr">
              {w.fingerprint}
            </p>
            <button type="button" class="primary" onClick={() => void confirm(w)}>
              {tr.t('renewal.confirm', { device: deviceName(labels, w.renewal.device) })}
            </button>
          </li>
        ))}
        {byRoot.map((w) => (
          <li key={w.renewal.opId}>
            <p>{tr.t('renewal.byRoot', { device: named(w.renewal.device), since: w.renewal.since })}</p>
            <p class="mono" dir="ltr">
              {w.fingerprint}
            </p>
          </li>
        ))}
      </ul>
      {done && <p role="status">{tr.t('renewal.done')}</p>}
    </section>
  );
}
