/**
 * A report's photos on its screen. A photo this device holds is shown from its sealed row; one it
 * does not is fetched from the base and checked first (photos/fetch-photo.ts), and shown only when
 * it is the one its author signed. A coordinator sees each photo's hashes, when it was taken, who
 * added it and whether it verifies; a photo that does not is marked and never shown.
 */
import { useEffect, useState } from 'preact/hooks';
import { attachmentsOf, type AttachmentVersion, type MergedState } from '../../domain/merge.ts';
import { isCoordinator, useEnrollment, useTr, useWriter } from './context.ts';
import { formatBytes } from './format-bytes.ts';
import { isolate } from './format.ts';
import { shortDevice, useDeviceLabels } from '../desk/device-labels.ts';
import { PhotoExif } from './PhotoExif.tsx';
import { Thumbnail, usePhotoRow } from './PhotoThumbnail.tsx';

export function ReportPhotos({ state }: { state: MergedState }) {
  const tr = useTr();
  const photos = attachmentsOf(state);
  if (photos.length === 0) return null;
  return (
    <section aria-labelledby="report-photos" class="report-photos">
      <h2 id="report-photos">{tr.t('view.photos')}</h2>
      <ul class="photo-list">
        {photos.map((p, i) => (
          <ReportPhoto key={p.attachment.sha256} version={p} n={i + 1} />
        ))}
      </ul>
    </section>
  );
}

type Fetching = 'fetching' | 'unavailable' | undefined;

function ReportPhoto({ version, n }: { version: AttachmentVersion; n: number }) {
  const tr = useTr();
  const { writer } = useWriter();
  const { enrollment, sync } = useEnrollment();
  const coordinator = isCoordinator(enrollment);
  const { attachment } = version;
  const row = usePhotoRow(attachment);
  const missing = row === null;
  const [fetching, setFetching] = useState<Fetching>();
  const [round, setRound] = useState(0);

  useEffect(() => {
    if (!missing || !sync) return;
    let gone = false;
    setFetching('fetching');
    void import('../photos/fetch-photo.ts')
      .then((m) => m.fetchPhoto(writer.db, sync.endpoint, attachment, { again: round > 0 }))
      .then((check) => !gone && setFetching(check === 'unavailable' ? 'unavailable' : undefined))
      .catch(() => !gone && setFetching('unavailable'));
    return () => {
      gone = true;
    };
  }, [missing, sync, round, writer.db, attachment]);

  const alt = tr.t('photo.alt', { n });
  return (
    <li>
      {row && !row.unverified && <Thumbnail row={row} alt={alt} />}
      {row?.unverified ? (
        <>
          <p class="form-error" role="status">
            {tr.t('photo.unverified')}
          </p>
          <button
            type="button"
            class="secondary"
            onClick={() => {
              void writer.db.photos.delete(row.id).then(() => setRound((r) => r + 1));
            }}
          >
            {tr.t('action.fetchAgain')}
          </button>
        </>
      ) : (
        row && coordinator && <p class="verified">{tr.t('photo.verified')}</p>
      )}
      {!row && fetching && <p role="status">{tr.t(fetching === 'fetching' ? 'photo.fetching' : 'photo.unavailable')}</p>}
      {coordinator && <PhotoDetails version={version} />}
      {coordinator && row && !row.unverified && <PhotoExif attachment={attachment} />}
    </li>
  );
}

/** What a coordinator checks a photo by: its hashes, when it was taken, who added it and its size. */
function PhotoDetails({ version }: { version: AttachmentVersion }) {
  const tr = useTr();
  const { writer } = useWriter();
  const label = useDeviceLabels(writer.db).byDevice.get(version.device);
  const { attachment } = version;
  return (
    <dl class="photo-details">
      <dt>{tr.t('photo.sha256')}</dt>
      <dd>
        <code>{attachment.sha256}</code>
      </dd>
      <dt>{tr.t('photo.blobSha256')}</dt>
      <dd>
        <code>{attachment.blob.sha256}</code>
      </dd>
      {attachment.capturedAt && (
        <>
          <dt>{tr.t('photo.capturedAt')}</dt>
          <dd>{tr.dateTime(Date.parse(attachment.capturedAt))}</dd>
        </>
      )}
      <dt>{tr.t('photo.device')}</dt>
      <dd>{label ? isolate(label) : isolate(shortDevice(version.device))}</dd>
      <dt>{tr.t('photo.size')}</dt>
      <dd>{formatBytes(tr, attachment.bytes)}</dd>
    </dl>
  );
}
