/**
 * On a coordinator's desk that pinned the root: the changes each device wrote before it, how many
 * the device vouches for, how many no device vouches for, and the countersignature that lets the
 * vouched ones in on every device that pulls them afresh (sync/vouching.ts).
 */
import { useState } from 'preact/hooks';
import { countersign, reviewVouching, type DeviceVouching } from '../sync/vouching.ts';
import { useEnrollment, useTr, useWriter } from './context.ts';
import { useAsync } from './use-async.ts';
import { deviceName, useDeviceLabels } from '../desk/device-labels.ts';

export function VouchingPanel() {
  const tr = useTr();
  const { writer } = useWriter();
  const { sync } = useEnrollment();
  const { value: review, reload } = useAsync((gone) => reviewVouching(writer.db, writer.device, { gone }), [writer.db, writer.device]);
  const [signed, setSigned] = useState(false);
  const labels = useDeviceLabels(writer.db);
  if (!review?.length) return null;

  const sign = async (row: DeviceVouching) => {
    await countersign(writer, row.awaiting);
    setSigned(true);
    await sync?.syncNow();
    reload();
  };
  return (
    <section class="form-section" aria-labelledby="vouching-h">
      <h2 id="vouching-h">{tr.t('vouching.title')}</h2>
      <p class="hint">{tr.t('vouching.hint')}</p>
      <ul class="plain" aria-labelledby="vouching-h">
        {review.map((r) => (
          <li key={r.device}>
            <span class="mono" dir="ltr">
              {r.device}
            </span>
            <p>
              {tr.plural('vouching.vouched', r.vouched)} {tr.plural('vouching.countersignedCount', r.countersigned)}
            </p>
            {r.unvouched > 0 && <p class="badge conflict">{tr.plural('vouching.unvouched', r.unvouched)}</p>}
            {r.awaiting.length > 0 && (
              <button type="button" class="primary" onClick={() => void sign(r)}>
                {tr.t('vouching.countersign', { device: deviceName(labels, r.device) })}
              </button>
            )}
          </li>
        ))}
      </ul>
      {signed && <p role="status">{tr.t('vouching.done')}</p>}
    </section>
  );
}
