/**
 * JPEGs with the metadata a phone's camera writes: EXIF with a GPS IFD and XMP with GPS properties,
 * in either byte order, around image data given or made up. For the position's tests and for photos
 * in the browser tests (around a JPEG the browser encoded, so it also decodes).
 */
import { concatBytes } from '../../../src/domain/crypto/bytes.ts';

export const LATITUDE_TEXT = '33,30.5123N';
export const LONGITUDE_TEXT = '36,18.2456E';
export const CAMERA = 'Rasid-Test-Cam';
/** Rationals no other field holds: found anywhere in the file, the position is still there. */
export const LATITUDE = [33, 30, 51237];
export const LONGITUDE = [36, 18, 24569];

interface Entry {
  tag: number;
  type: number;
  count: number;
  /** Bytes of the value, in the file's order; more than four go out of line. */
  value: number[];
}

/** A TIFF structure as a camera writes one: IFD0 (orientation, make, the GPS pointer), then the GPS IFD. */
function tiff(little: boolean, gps: boolean, camera: string): Uint8Array {
  const u16 = (n: number) => (little ? [n & 0xff, n >> 8] : [n >> 8, n & 0xff]);
  const u32 = (n: number) =>
    little ? [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24] : [n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0)).concat(0);
  const rationals = (ns: number[]) => ns.flatMap((n) => [...u32(n), ...u32(n === ns[2] ? 1000 : 1)]);
  const out: number[] = [...(little ? [0x49, 0x49] : [0x4d, 0x4d]), ...u16(42), ...u32(8)];
  const ifd = (entries: Entry[], at: number) => {
    // Out-of-line values follow the IFD: count, entries, next-IFD offset.
    let data = at + 2 + 12 * entries.length + 4;
    const head: number[] = [...u16(entries.length)];
    const tail: number[] = [];
    for (const e of entries) {
      head.push(...u16(e.tag), ...u16(e.type), ...u32(e.count));
      if (e.value.length <= 4) head.push(...e.value, ...new Array<number>(4 - e.value.length).fill(0));
      else {
        head.push(...u32(data));
        tail.push(...e.value);
        data += e.value.length;
      }
    }
    return [...head, ...u32(0), ...tail];
  };
  const ifd0Entries = (gpsAt: number): Entry[] => [
    { tag: 0x010f, type: 2, count: camera.length + 1, value: ascii(camera) },
    { tag: 0x0112, type: 3, count: 1, value: u16(6) },
    ...(gps ? [{ tag: 0x8825, type: 4, count: 1, value: u32(gpsAt) }] : []),
  ];
  const ifd0Length = ifd(ifd0Entries(0), 8).length;
  out.push(...ifd(ifd0Entries(8 + ifd0Length), 8));
  if (gps) {
    out.push(
      ...ifd(
        [
          { tag: 0x0001, type: 2, count: 2, value: ascii('N') },
          { tag: 0x0002, type: 5, count: 3, value: rationals(LATITUDE) },
          { tag: 0x0003, type: 2, count: 2, value: ascii('E') },
          { tag: 0x0004, type: 5, count: 3, value: rationals(LONGITUDE) },
        ],
        8 + ifd0Length,
      ),
    );
  }
  return Uint8Array.from(out);
}

export const segment = (marker: number, data: Uint8Array) => {
  const length = data.length + 2;
  return Uint8Array.from([0xff, marker, length >> 8, length & 0xff, ...data]);
};
export const text = (s: string) => new TextEncoder().encode(s);

const xmpPacket = (camera: string) => `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" exif:GPSLatitude="${LATITUDE_TEXT}" xmp:CreatorTool="${camera}">
<exif:GPSLongitude>${LONGITUDE_TEXT}</exif:GPSLongitude><exif:GPSVersionID/></rdf:Description></rdf:RDF></x:xmpmeta>`;
/** What follows the metadata: a scan header and "image data", which nothing here may touch. */
export const IMAGE = Uint8Array.from([
  0xff,
  0xda,
  0x00,
  0x04,
  0x01,
  0x00,
  ...Array.from({ length: 300 }, (_, i) => (i * 37) % 255),
  0xff,
  0xd9,
]);

/**
 * A JPEG as a phone's camera writes one: EXIF (with the GPS IFD when `gps`) and XMP (with GPS
 * properties) before `image`, the rest of a JPEG after its SOI marker. `camera` is written in both.
 */
export function photo({ little = true, gps = true, xmp = true, camera = CAMERA, image = IMAGE } = {}): Uint8Array {
  return concatBytes(
    Uint8Array.from([0xff, 0xd8]),
    segment(0xe1, concatBytes(text('Exif\0\0'), tiff(little, gps, camera))),
    ...(xmp ? [segment(0xe1, concatBytes(text('http://ns.adobe.com/xap/1.0/\0'), text(xmpPacket(camera))))] : []),
    image,
  );
}
