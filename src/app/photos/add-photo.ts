/**
 * A photo from the camera or the gallery, made ready to keep: its type and size checked, its
 * position found (a JPEG's EXIF GPS or XMP GPS, which the form asks about), removed in place when
 * the monitor says no, and a small display copy drawn upright (by its EXIF orientation) and encoded
 * anew, which carries no metadata at all. One photo at a time is in memory.
 */
import { toBase64url } from '../../domain/crypto/bytes.ts';
import type { RandomBytes } from '../../domain/ids.ts';
import { MAX_ORIGINAL_BYTES, PHOTO_TYPES, type Attachment } from '../../domain/op/op.ts';
import { readJpegMetadata, withoutPosition } from '../../domain/photo/jpeg-position.ts';
import type { RasidDb } from '../store/db.ts';
import { sealOffThread } from './keep-off-thread.ts';
import { keepPhoto } from './keep-photo.ts';

type PhotoType = (typeof PHOTO_TYPES)[number];

/** Why a chosen file is not taken, as catalog keys. */
export type PhotoRefusal = 'photo.err.type' | 'photo.err.tooLarge' | 'photo.err.damaged';

export interface ChosenPhoto {
  bytes: Uint8Array<ArrayBuffer>;
  mime: PhotoType;
  /** The file carries where it was taken: the form asks before it is kept. */
  position: boolean;
  /** UTC, to the millisecond: the camera's moment, or the gallery file's own date. */
  capturedAt: string;
}

const THUMBNAIL_PX = 320;

export async function readChosenPhoto(
  file: Blob,
  capturedAt: number,
): Promise<{ ok: true; photo: ChosenPhoto } | { ok: false; reason: PhotoRefusal }> {
  const mime = PHOTO_TYPES.find((t) => t === file.type);
  if (!mime) return { ok: false, reason: 'photo.err.type' };
  if (file.size === 0) return { ok: false, reason: 'photo.err.damaged' };
  if (file.size > MAX_ORIGINAL_BYTES) return { ok: false, reason: 'photo.err.tooLarge' };
  const bytes = new Uint8Array(await file.arrayBuffer());
  let position = false;
  if (mime === 'image/jpeg') {
    const read = readJpegMetadata(bytes);
    if (!read.ok) return { ok: false, reason: read.reason === 'notJpeg' ? 'photo.err.type' : 'photo.err.damaged' };
    position = read.metadata.position.exif || read.metadata.position.xmp;
  }
  return { ok: true, photo: { bytes, mime, position, capturedAt: new Date(capturedAt).toISOString() } };
}

/** Keeps a chosen photo, without its position when `keepPosition` is false. Resolves with its photo row's id and attachment. */
export async function addPhoto(
  db: RasidDb,
  photo: ChosenPhoto,
  keepPosition: boolean,
  random: RandomBytes,
): Promise<{ ok: true; id: string; attachment: Attachment } | { ok: false; reason: PhotoRefusal }> {
  let bytes: Uint8Array = photo.bytes;
  if (photo.position && !keepPosition) {
    const removed = withoutPosition(photo.bytes);
    if (!removed.ok) return { ok: false, reason: 'photo.err.damaged' };
    bytes = removed.bytes;
  }
  const file = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: photo.mime });
  const thumbnail = await thumbnailOf(file);
  if (thumbnail === undefined) return { ok: false, reason: 'photo.err.damaged' };
  const kept = await keepPhoto(db, { file, mime: photo.mime, capturedAt: photo.capturedAt }, random, sealOffThread);
  await db.photos.update(kept.id, { thumbnail, ...(photo.position && !keepPosition && { positionRemoved: true as const }) });
  return { ok: true, ...kept };
}

/**
 * A photo drawn again from its decoded pixels, upright by its EXIF orientation, at most `maxPx` a
 * side, and encoded as a new JPEG: nothing of the original file but its pixels survives, so no
 * metadata (EXIF, XMP, IPTC, a maker's notes, an embedded thumbnail). Undefined when it does not decode.
 */
export async function redrawnJpeg(file: Blob, maxPx: number, quality: number): Promise<Blob | undefined> {
  let image: ImageBitmap;
  try {
    image = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    return undefined;
  }
  const scale = Math.min(1, maxPx / Math.max(image.width, image.height));
  const canvas = new OffscreenCanvas(Math.max(1, Math.round(image.width * scale)), Math.max(1, Math.round(image.height * scale)));
  canvas.getContext('2d')!.drawImage(image, 0, 0, canvas.width, canvas.height);
  image.close();
  return canvas.convertToBlob({ type: 'image/jpeg', quality });
}

/** The display copy: at most 320 px a side, redrawn (so with no metadata), as base64url. */
export async function thumbnailOf(file: Blob): Promise<string | undefined> {
  const jpeg = await redrawnJpeg(file, THUMBNAIL_PX, 0.7);
  return jpeg && toBase64url(new Uint8Array(await jpeg.arrayBuffer()));
}
