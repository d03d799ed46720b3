/**
 * A photo's EXIF, for a coordinator weighing it: read from the original this device holds when the
 * coordinator opens it, never before (a report may have many photos), and never part of anything a
 * partner receives. What the camera wrote is shown as text, isolated, so a name cannot turn the line.
 */
import { useState } from 'preact/hooks';
import type { ExifSummary } from '../../domain/photo/exif-summary.ts';
import type { Attachment } from '../../domain/op/op.ts';
import type { RasidDb } from '../store/db.ts';
import { useTr, useWriter } from './context.ts';
import { isolate } from './format.ts';

type Read = ExifSummary | 'unavailable' | 'reading';

async function readExif(db: RasidDb, attachment: Attachment): Promise<Read> {
  const [{ originalOf }, { exifSummary }] = await Promise.all([
    import('../photos/original.ts'),
    import('../../domain/photo/exif-summary.ts'),
  ]);
  const original = await originalOf(db, attachment);
  if (!original) return 'unavailable';
  return attachment.mime === 'image/jpeg' ? exifSummary(new Uint8Array(await original.arrayBuffer())) : {};
}

export function PhotoExif({ attachment }: { attachment: Attachment }) {
  const tr = useTr();
  const { writer } = useWriter();
  const [read, setRead] = useState<Read>();
  const onToggle = (e: Event) => {
    if (!(e.currentTarget as HTMLDetailsElement).open || read !== undefined) return;
    setRead('reading');
    readExif(writer.db, attachment).then(setRead, () => setRead('unavailable'));
  };
  const rows: [string, string][] = [];
  if (typeof read === 'object') {
    if (read.make) rows.push([tr.t('photo.exif.make'), read.make]);
    if (read.model) rows.push([tr.t('photo.exif.model'), read.model]);
    if (read.software) rows.push([tr.t('photo.exif.software'), read.software]);
    if (read.takenAt) rows.push([tr.t('photo.exif.takenAt'), read.offset ? `${read.takenAt} ${read.offset}` : read.takenAt]);
    if (read.position) rows.push([tr.t('photo.exif.position'), `${read.position.lat.toFixed(5)}, ${read.position.lon.toFixed(5)}`]);
  }
  return (
    <details class="photo-exif" onToggle={onToggle}>
      <summary>{tr.t('photo.exif.title')}</summary>
      {read === 'reading' && <p role="status">{tr.t('photo.exif.reading')}</p>}
      {read === 'unavailable' && <p role="status">{tr.t('photo.exif.unavailable')}</p>}
      {typeof read === 'object' && rows.length === 0 && <p>{tr.t('photo.exif.none')}</p>}
      {rows.length > 0 && (
        <dl class="photo-details">
          {rows.map(([name, value]) => (
            <>
              <dt>{name}</dt>
              <dd dir="ltr">{isolate(value)}</dd>
            </>
          ))}
        </dl>
      )}
    </details>
  );
}
