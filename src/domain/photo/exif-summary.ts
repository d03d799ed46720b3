/**
 * What a photo's EXIF says of where it came from, for a coordinator weighing it as evidence: the
 * camera's make and model, the software that last wrote it, when the camera's clock says it was
 * taken, and its position when the monitor kept it. Read from the original; never from, nor into, a
 * partner's copy, which has none (decision 088).
 *
 * Text is read as the camera wrote it, cut at its first NUL, with anything that is not printable
 * dropped and at most 120 characters kept: a hostile file cannot steer the screen's text.
 */
import { exifOf, jpegSegments, type Tiff } from './jpeg-position.ts';

export interface ExifSummary {
  make?: string;
  model?: string;
  software?: string;
  /** DateTimeOriginal, or DateTime, as the camera's clock gave it: `YYYY:MM:DD HH:MM:SS`, no zone unless `offset`. */
  takenAt?: string;
  /** OffsetTimeOriginal (`+03:00`), when the camera wrote one. */
  offset?: string;
  /** Decimal degrees, when the GPS IFD holds a latitude and a longitude. */
  position?: { lat: number; lon: number };
}

const TAG = {
  make: 0x010f,
  model: 0x0110,
  software: 0x0131,
  dateTime: 0x0132,
  exifIfd: 0x8769,
  gpsIfd: 0x8825,
  dateTimeOriginal: 0x9003,
  offsetTimeOriginal: 0x9011,
  latitudeRef: 0x0001,
  latitude: 0x0002,
  longitudeRef: 0x0003,
  longitude: 0x0004,
} as const;
const ASCII = 2;
const RATIONAL = 5;
const MAX_TEXT = 120;

type Entry = ReturnType<Tiff['entries']>[number];

function text(tiff: Tiff, entry: Entry | undefined): string | undefined {
  if (!entry || entry.type !== ASCII) return undefined;
  let out = '';
  for (let i = 0; i < entry.size; i++) {
    const c = tiff.u8(entry.value + i);
    if (c === 0) break;
    if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c);
  }
  const trimmed = out.trim().slice(0, MAX_TEXT);
  return trimmed === '' ? undefined : trimmed;
}

/** Degrees, minutes and seconds as three rationals, to decimal degrees; undefined when any is not a number. */
function degrees(tiff: Tiff, entry: Entry | undefined, ref: string | undefined, negative: string): number | undefined {
  if (!entry || entry.type !== RATIONAL || entry.size !== 24) return undefined;
  const parts = [0, 1, 2].map((i) => tiff.u32(entry.value + 8 * i) / tiff.u32(entry.value + 8 * i + 4));
  if (!parts.every(Number.isFinite)) return undefined;
  const value = parts[0]! + parts[1]! / 60 + parts[2]! / 3600;
  return ref === negative ? -value : value;
}

/** The summary of a JPEG's EXIF; empty when it has none, or what it has cannot be read. */
export function exifSummary(bytes: Uint8Array): ExifSummary {
  try {
    const tiff = exifOf(bytes, jpegSegments(bytes));
    if (!tiff) return {};
    const ifd0 = new Map(tiff.entries(tiff.u32(4)).map((e) => [e.tag, e]));
    const pointed = (tag: number) => {
      const entry = ifd0.get(tag);
      return new Map(entry ? tiff.entries(tiff.u32(entry.at + 8)).map((e) => [e.tag, e]) : []);
    };
    const exif = pointed(TAG.exifIfd);
    const gps = pointed(TAG.gpsIfd);
    const lat = degrees(tiff, gps.get(TAG.latitude), text(tiff, gps.get(TAG.latitudeRef)), 'S');
    const lon = degrees(tiff, gps.get(TAG.longitude), text(tiff, gps.get(TAG.longitudeRef)), 'W');
    const found: ExifSummary = {
      make: text(tiff, ifd0.get(TAG.make)),
      model: text(tiff, ifd0.get(TAG.model)),
      software: text(tiff, ifd0.get(TAG.software)),
      takenAt: text(tiff, exif.get(TAG.dateTimeOriginal)) ?? text(tiff, ifd0.get(TAG.dateTime)),
      offset: text(tiff, exif.get(TAG.offsetTimeOriginal)),
      ...(lat !== undefined && lon !== undefined && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 && { position: { lat, lon } }),
    };
    return Object.fromEntries(Object.entries(found).filter(([, v]) => v !== undefined));
  } catch {
    return {};
  }
}
