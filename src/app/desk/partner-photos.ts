/**
 * A partner's photos: never an original. Each photo of each report in the partner's file is taken
 * as this desk holds it (fetched from the base and checked first when it does not), drawn again from
 * its pixels at most 2048 px a side and encoded as a new JPEG, so no metadata of the original reaches
 * the partner. The file and the photos go in one ZIP, each photo named by its row's id in the file
 * (the partner's pseudonym) and its place among the report's photos: `photos/<id>-1.jpg`.
 *
 * Written a photo at a time, each stored as it is (a JPEG does not compress again), the ZIP's parts
 * kept as Blobs: however many photos, one is in this page's memory at a time.
 */
import { Zip, ZipPassThrough } from 'fflate';
import type { ReportView } from '../../domain/merge.ts';
import type { Attachment } from '../../domain/op/op.ts';
import type { PartnerProfile } from '../../export/profile.ts';
import { pseudonymsOf } from '../../export/pseudonym.ts';
import { redrawnJpeg } from '../photos/add-photo.ts';
import { fetchPhoto } from '../photos/fetch-photo.ts';
import { originalOf } from '../photos/original.ts';
import type { RasidDb } from '../store/db.ts';
import type { Endpoint } from '../sync/transport.ts';

/** Enough to see what a photo shows, not a print of the camera's full resolution. */
export const PARTNER_PHOTO_PX = 2048;
const QUALITY = 0.85;

export interface PartnerPhotos {
  blob: Blob;
  fileName: string;
  photos: number;
  /** Photos of the file's reports not in the ZIP: not at the base yet, or not what their author signed. */
  leftOut: number;
}

/** The re-encoded copy of one photo, from what this desk holds or fetches; undefined when it has no verified original. */
export async function partnerCopy(db: RasidDb, endpoint: Endpoint | undefined, attachment: Attachment): Promise<Blob | undefined> {
  let original = await originalOf(db, attachment);
  if (!original && endpoint && (await fetchPhoto(db, endpoint, attachment)) === 'verified') original = await originalOf(db, attachment);
  return original && redrawnJpeg(original, PARTNER_PHOTO_PX, QUALITY);
}

/**
 * The ZIP of the partner's file and its reports' photos. `included` is the file's reports in its
 * order (their real ids); `copy` gives a photo's re-encoded copy; `progress` hears of each photo.
 */
export async function zipWithPhotos(
  file: { blob: Blob; fileName: string },
  included: readonly string[],
  views: ReadonlyMap<string, ReportView>,
  profile: PartnerProfile,
  copy: (attachment: Attachment) => Promise<Blob | undefined>,
  progress: (done: number, total: number) => void,
  exportedAt: string,
): Promise<PartnerPhotos> {
  const pseudonyms = pseudonymsOf(profile.key, included);
  const photosOf = included.map((id) => ({ id: pseudonyms.get(id)!, photos: views.get(id)?.attachments ?? [] }));
  const total = photosOf.reduce((n, r) => n + r.photos.length, 0);
  const parts: Blob[] = [];
  const failures: Error[] = [];
  const zip = new Zip((error, data) => {
    if (error) failures.push(error);
    else parts.push(new Blob([data]));
  });
  const mtime = new Date(exportedAt);
  const add = async (name: string, blob: Blob) => {
    const entry = new ZipPassThrough(name);
    entry.mtime = mtime;
    zip.add(entry);
    const reader = blob.stream().getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) entry.push(read.value);
    entry.push(new Uint8Array(0), true);
  };

  await add(file.fileName, file.blob);
  let done = 0;
  let photos = 0;
  progress(0, total);
  for (const report of photosOf) {
    for (const [i, version] of report.photos.entries()) {
      const jpeg = await copy(version.attachment);
      if (jpeg) {
        await add(`photos/${report.id}-${i + 1}.jpg`, jpeg);
        photos++;
      }
      progress(++done, total);
    }
  }
  zip.end();
  if (failures[0]) throw failures[0];
  return {
    blob: new Blob(parts, { type: 'application/zip' }),
    fileName: file.fileName.replace(/\.[a-z]+$/, '.zip'),
    photos,
    leftOut: total - photos,
  };
}
