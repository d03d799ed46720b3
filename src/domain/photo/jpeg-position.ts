/**
 * The position a JPEG carries in its metadata, found and removed without touching the image. A phone's
 * camera writes where the photo was taken into EXIF (the GPS IFD) and often into XMP as well: a
 * position the monitor did not choose to give, which the report form asks about as it does for its
 * point field. A "no" removes it here, before the original is hashed, so the hash covers the bytes
 * kept; everything else in the file stays byte for byte.
 *
 * Removal keeps every offset in the file valid, so nothing has to be rewritten around it: the GPS
 * IFD's entries and the data they point to are overwritten with zeros, the IFD0 entry that points to
 * it is taken out (the entries after it move up one, the freed twelve bytes become zeros), and each
 * GPS property of an XMP packet is overwritten with spaces, which XMP reads as padding.
 *
 * Only the metadata segments before the image data are read (a JPEG's APP1 segments come first); a
 * file that is not a JPEG, or whose segments or EXIF do not hold together, is said to be one, never
 * guessed at.
 */

const SOI = 0xd8;
const SOS = 0xda;
const EOI = 0xd9;
const APP1 = 0xe1;
const EXIF_HEADER = 'Exif\0\0';
const XMP_HEADER = 'http://ns.adobe.com/xap/1.0/\0';
const TAG_GPS_IFD = 0x8825;
const TAG_ORIENTATION = 0x0112;
/** Bytes of one value of each TIFF type (1 BYTE … 12 DOUBLE); 0 for a type TIFF does not define. */
const TYPE_BYTES = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8];
/** More entries than any camera writes: a count above it is damage, not a real IFD. */
const MAX_IFD_ENTRIES = 1000;

export type JpegReadFailure = 'notJpeg' | 'damaged';

export interface JpegPosition {
  /** The EXIF GPS IFD is there and holds at least one entry. */
  exif: boolean;
  /** An XMP packet holds a GPS property (exif:GPSLatitude and its kin). */
  xmp: boolean;
}

export interface JpegMetadata {
  position: JpegPosition;
  /** EXIF orientation, 1 to 8 (1 when absent or out of range): how the display copy is turned. */
  orientation: number;
}

export interface Segment {
  marker: number;
  /** Where the segment's data starts (after its marker and length). */
  start: number;
  /** Where it ends (exclusive). */
  end: number;
}

class Damaged extends Error {}

/** The marker segments before the image data, or why there are none to read. */
export function jpegSegments(bytes: Uint8Array): Segment[] {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== SOI) throw new TypeError('notJpeg');
  const found: Segment[] = [];
  let at = 2;
  for (;;) {
    // Fill bytes (0xFF repeated) may come before a marker.
    while (at < bytes.length && bytes[at] === 0xff && bytes[at + 1] === 0xff) at++;
    if (at + 1 >= bytes.length || bytes[at] !== 0xff) throw new Damaged();
    const marker = bytes[at + 1]!;
    if (marker === SOS || marker === EOI) return found;
    if (at + 3 >= bytes.length) throw new Damaged();
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    const end = at + 2 + length;
    if (length < 2 || end > bytes.length) throw new Damaged();
    found.push({ marker, start: at + 4, end });
    at = end;
  }
}

function startsWith(bytes: Uint8Array, at: number, text: string): boolean {
  if (at + text.length > bytes.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** A TIFF structure (EXIF's body) seen through its own byte order, every read checked against its end. */
export class Tiff {
  private readonly view: DataView;
  private readonly little: boolean;

  constructor(
    readonly bytes: Uint8Array,
    /** Where the TIFF header starts in `bytes`: every offset in it counts from here. */
    readonly base: number,
    readonly end: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const order = String.fromCharCode(bytes[base] ?? 0, bytes[base + 1] ?? 0);
    if (order !== 'II' && order !== 'MM') throw new Damaged();
    this.little = order === 'II';
    if (this.u16(2) !== 42) throw new Damaged();
  }

  private check(offset: number, size: number): number {
    const at = this.base + offset;
    if (offset < 0 || at + size > this.end) throw new Damaged();
    return at;
  }

  u8(offset: number): number {
    return this.view.getUint8(this.check(offset, 1));
  }

  u16(offset: number): number {
    return this.view.getUint16(this.check(offset, 2), this.little);
  }

  u32(offset: number): number {
    return this.view.getUint32(this.check(offset, 4), this.little);
  }

  setU16(offset: number, value: number): void {
    this.view.setUint16(this.check(offset, 2), value, this.little);
  }

  setU32(offset: number, value: number): void {
    this.view.setUint32(this.check(offset, 4), value, this.little);
  }

  zero(offset: number, size: number): void {
    const at = this.check(offset, size);
    this.bytes.fill(0, at, at + size);
  }

  /** The entries of the IFD at `offset`: each entry's own offset, tag, and where its value lies. */
  entries(offset: number): { at: number; tag: number; type: number; value: number; size: number }[] {
    const count = this.u16(offset);
    if (count > MAX_IFD_ENTRIES) throw new Damaged();
    const out = [];
    for (let i = 0; i < count; i++) {
      const at = offset + 2 + 12 * i;
      const tag = this.u16(at);
      const type = this.u16(at + 2);
      const size = (TYPE_BYTES[type] ?? 0) * this.u32(at + 4);
      // Four bytes or fewer sit in the entry itself; more, at the offset the entry holds.
      out.push({ at, tag, type, value: size <= 4 ? at + 8 : this.u32(at + 8), size });
    }
    return out;
  }
}

/** The EXIF segment's TIFF structure, if the file has one. */
export function exifOf(bytes: Uint8Array, found: readonly Segment[]): Tiff | undefined {
  const exif = found.find((s) => s.marker === APP1 && startsWith(bytes, s.start, EXIF_HEADER));
  return exif && new Tiff(bytes, exif.start + EXIF_HEADER.length, exif.end);
}

/** The XMP packets, as ranges of the file. */
function xmpOf(bytes: Uint8Array, found: readonly Segment[]): { start: number; end: number }[] {
  return found
    .filter((s) => s.marker === APP1 && startsWith(bytes, s.start, XMP_HEADER))
    .map((s) => ({ start: s.start + XMP_HEADER.length, end: s.end }));
}

/**
 * A GPS property of an XMP packet, as an attribute (`exif:GPSLatitude="…"`) or an element
 * (`<exif:GPSLatitude>…</exif:GPSLatitude>`, or empty), under any namespace prefix.
 */
const XMP_GPS = /\s[\w-]+:GPS\w*\s*=\s*("[^"]*"|'[^']*')|<([\w-]+:GPS\w*)\b[^>]*?(\/>|>[\s\S]*?<\/\2\s*>)/g;

/** The packet as text, one character per byte, so that positions in it are positions in the file. */
function latin1(bytes: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let at = start; at < end; at += 8192) text += String.fromCharCode(...bytes.subarray(at, Math.min(end, at + 8192)));
  return text;
}

/** Reads what the form needs to know of a photo: whether it carries a position, and how it is turned. */
export function readJpegMetadata(bytes: Uint8Array): { ok: true; metadata: JpegMetadata } | { ok: false; reason: JpegReadFailure } {
  try {
    const found = jpegSegments(bytes);
    const tiff = exifOf(bytes, found);
    let exif = false;
    let orientation = 1;
    if (tiff) {
      for (const entry of tiff.entries(tiff.u32(4))) {
        if (entry.tag === TAG_GPS_IFD) exif = tiff.entries(tiff.u32(entry.at + 8)).length > 0;
        if (entry.tag === TAG_ORIENTATION) {
          const value = tiff.u16(entry.at + 8);
          orientation = value >= 1 && value <= 8 ? value : 1;
        }
      }
    }
    const xmp = xmpOf(bytes, found).some(({ start, end }) => new RegExp(XMP_GPS.source).test(latin1(bytes, start, end)));
    return { ok: true, metadata: { position: { exif, xmp }, orientation } };
  } catch (error) {
    return { ok: false, reason: error instanceof TypeError && error.message === 'notJpeg' ? 'notJpeg' : 'damaged' };
  }
}

/** A copy of the file without the position in its EXIF and XMP; every other byte as it was. */
export function withoutPosition(original: Uint8Array): { ok: true; bytes: Uint8Array } | { ok: false; reason: JpegReadFailure } {
  const bytes = Uint8Array.from(original);
  try {
    const found = jpegSegments(bytes);
    const tiff = exifOf(bytes, found);
    if (tiff) removeGpsIfd(tiff);
    for (const { start, end } of xmpOf(bytes, found)) {
      for (const match of latin1(bytes, start, end).matchAll(XMP_GPS)) {
        // Overwritten in place: a shorter packet would move every byte after it.
        bytes.fill(0x20, start + match.index, start + match.index + match[0].length);
      }
    }
    return { ok: true, bytes };
  } catch (error) {
    return { ok: false, reason: error instanceof TypeError && error.message === 'notJpeg' ? 'notJpeg' : 'damaged' };
  }
}

function removeGpsIfd(tiff: Tiff): void {
  const ifd0 = tiff.u32(4);
  const entries = tiff.entries(ifd0);
  const pointer = entries.findIndex((e) => e.tag === TAG_GPS_IFD);
  if (pointer < 0) return;
  const gps = tiff.u32(entries[pointer]!.at + 8);
  // The GPS IFD's values first (those held out of line), then the IFD itself: its count, entries and next-IFD offset.
  const gpsEntries = tiff.entries(gps);
  for (const e of gpsEntries) if (e.value !== e.at + 8) tiff.zero(e.value, e.size);
  tiff.zero(gps, 2 + 12 * gpsEntries.length + 4);
  // Then IFD0 without the entry pointing there: the entries after it, and the next-IFD offset, move up.
  const count = entries.length;
  const after = ifd0 + 2 + 12 * count;
  const next = tiff.u32(after);
  for (let i = pointer; i < count - 1; i++) {
    const from = ifd0 + 2 + 12 * (i + 1);
    const to = ifd0 + 2 + 12 * i;
    for (let b = 0; b < 12; b += 4) tiff.setU32(to + b, tiff.u32(from + b));
  }
  tiff.setU16(ifd0, count - 1);
  tiff.setU32(after - 12, next);
  tiff.zero(after - 8, 12);
}
