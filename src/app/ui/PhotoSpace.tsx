/**
 * The space photos take on this device, in Settings: photos wait whole until the base has confirmed
 * them; those it holds can be freed here, their display copies kept.
 */
import { useState } from 'preact/hooks';
import { useLiveQuery } from '../live-query.ts';
import { freeHeldPhotos, photoCounts } from '../photos/photo-rows.ts';
import { useTr, useWriter } from './context.ts';
import { formatBytes } from './format-bytes.ts';

export function PhotoSpace() {
  const tr = useTr();
  const { writer } = useWriter();
  const counts = useLiveQuery(() => photoCounts(writer.db), [writer.db]);
  const [freed, setFreed] = useState<number>();
  if (!counts || (counts.waiting === 0 && counts.freeable === 0 && freed === undefined)) return null;
  return (
    <div aria-labelledby="photo-space-h">
      <h3 id="photo-space-h">{tr.t('settings.photos')}</h3>
      {counts.waiting > 0 && <p>{tr.plural('settings.photosWaiting', counts.waiting, { size: formatBytes(tr, counts.waitingBytes) })}</p>}
      {counts.freeable > 0 && (
        <div class="actions">
          <button type="button" onClick={() => void freeHeldPhotos(writer.db).then(setFreed)}>
            {tr.plural('settings.freePhotos', counts.freeable, { size: formatBytes(tr, counts.freeableBytes) })}
          </button>
        </div>
      )}
      {freed !== undefined && <p role="status">{tr.plural('settings.photosFreed', freed)}</p>}
    </div>
  );
}
