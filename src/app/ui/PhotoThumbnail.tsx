/** A photo's display copy, from its sealed row. */
import { useEffect, useMemo } from 'preact/hooks';
import { fromBase64url } from '../../domain/crypto/bytes.ts';
import type { Attachment } from '../../domain/op/op.ts';
import { useLiveQuery } from '../live-query.ts';
import { photoOf } from '../photos/photo-rows.ts';
import type { PhotoRow } from '../store/db.ts';
import { useWriter } from './context.ts';

/** This device's row of a report's photo, kept up to date: null when it holds none, undefined while reading. */
export function usePhotoRow(attachment: Attachment): PhotoRow | null | undefined {
  const { writer } = useWriter();
  return useLiveQuery(async () => (await photoOf(writer.db, attachment)) ?? null, [writer.db, attachment]);
}

/** The display copy, from the sealed row, as a blob: URL while it is shown. */
export function Thumbnail({ row, alt }: { row: PhotoRow; alt: string }) {
  const url = useMemo(() => {
    const bytes = row.thumbnail ? fromBase64url(row.thumbnail) : null;
    return bytes ? URL.createObjectURL(new Blob([bytes], { type: 'image/jpeg' })) : undefined;
  }, [row.thumbnail]);
  useEffect(() => () => url && URL.revokeObjectURL(url), [url]);
  return url ? <img src={url} alt={alt} class="photo-thumbnail" /> : <span class="photo-thumbnail">{alt}</span>;
}
