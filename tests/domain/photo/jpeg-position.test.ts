import { describe, expect, test } from 'vitest';
import { readJpegMetadata, withoutPosition } from '../../../src/domain/photo/jpeg-position.ts';

const LATITUDE_TEXT = '33,30.5123N';
const LONGITUDE_TEXT = '36,18.2456E';
const CAMERA = 'Rasid-Test-Cam';
/** Rationals no other field holds: found anywhere in the file, the position is still there. */
const LATITUDE = [33, 30, 51237];
const LONGITUDE = [36, 18, 24569];

interface Entry {
  tag: number;
  type: number;
  count: number;
  /** Bytes of the value, in the file's order; more than four go out of line. */
  value: number[];
}

/** A TIFF structure as a camera writes one: IFD0 (orientation, make, the GPS pointer), then the GPS IFD. */
function tiff(little: boolean, gps: boolean): Uint8Array {
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
    { tag: 0x010f, type: 2, count: CAMERA.length + 1, value: ascii(CAMERA) },
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

const segment = (marker: number, data: Uint8Array) => {
  const length = data.length + 2;
  return Uint8Array.from([0xff, marker, length >> 8, length & 0xff, ...data]);
};
const text = (s: string) => new TextEncoder().encode(s);
const join = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

const XMP = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" exif:GPSLatitude="${LATITUDE_TEXT}" xmp:CreatorTool="${CAMERA}">
<exif:GPSLongitude>${LONGITUDE_TEXT}</exif:GPSLongitude><exif:GPSVersionID/></rdf:Description></rdf:RDF></x:xmpmeta>`;
/** What follows the metadata: a scan header and "image data", which nothing here may touch. */
const IMAGE = Uint8Array.from([0xff, 0xda, 0x00, 0x04, 0x01, 0x00, ...Array.from({ length: 300 }, (_, i) => (i * 37) % 255), 0xff, 0xd9]);

function photo({ little = true, gps = true, xmp = true } = {}): Uint8Array {
  return join(
    Uint8Array.from([0xff, 0xd8]),
    segment(0xe1, join(text('Exif\0\0'), tiff(little, gps))),
    ...(xmp ? [segment(0xe1, join(text('http://ns.adobe.com/xap/1.0/\0'), text(XMP)))] : []),
    IMAGE,
  );
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

function u32s(ns: number[], little: boolean): Uint8Array {
  const view = new DataView(new ArrayBuffer(4 * ns.length));
  ns.forEach((n, i) => view.setUint32(4 * i, n, little));
  return new Uint8Array(view.buffer);
}

describe("a photo's position in its metadata", () => {
  for (const little of [true, false]) {
    test(`is found in EXIF (${little ? 'little' : 'big'}-endian) and XMP, and removed from both, every other byte kept`, () => {
      const original = photo({ little });
      expect(readJpegMetadata(original)).toEqual({ ok: true, metadata: { position: { exif: true, xmp: true }, orientation: 6 } });
      expect(contains(original, u32s([LATITUDE[0]!, 1, LATITUDE[1]!, 1, LATITUDE[2]!], little))).toBe(true);

      const kept = withoutPosition(original);
      if (!kept.ok) throw new Error(kept.reason);
      expect(readJpegMetadata(kept.bytes)).toEqual({ ok: true, metadata: { position: { exif: false, xmp: false }, orientation: 6 } });
      // Nothing of the position is left, in either form.
      expect(contains(kept.bytes, u32s([LATITUDE[0]!, 1, LATITUDE[1]!, 1, LATITUDE[2]!], little))).toBe(false);
      expect(contains(kept.bytes, u32s([LONGITUDE[0]!, 1, LONGITUDE[1]!, 1, LONGITUDE[2]!], little))).toBe(false);
      expect(contains(kept.bytes, text(LATITUDE_TEXT))).toBe(false);
      expect(contains(kept.bytes, text(LONGITUDE_TEXT))).toBe(false);
      // The rest is as it was: the same length, the camera's name in both, the image data untouched.
      expect(kept.bytes.length).toBe(original.length);
      expect(contains(kept.bytes, text(`${CAMERA}\0`))).toBe(true);
      expect(contains(kept.bytes, text(`xmp:CreatorTool="${CAMERA}"`))).toBe(true);
      expect(kept.bytes.slice(-IMAGE.length)).toEqual(IMAGE);
      // The original is not changed in place.
      expect(readJpegMetadata(original)).toMatchObject({ ok: true, metadata: { position: { exif: true, xmp: true } } });
    });
  }

  test('a photo without one is said to carry none, and is kept byte for byte', () => {
    const bare = photo({ gps: false, xmp: false });
    expect(readJpegMetadata(bare)).toEqual({ ok: true, metadata: { position: { exif: false, xmp: false }, orientation: 6 } });
    const kept = withoutPosition(bare);
    expect(kept.ok && kept.bytes).toEqual(bare);
    const noMetadata = join(Uint8Array.from([0xff, 0xd8]), IMAGE);
    expect(readJpegMetadata(noMetadata)).toEqual({ ok: true, metadata: { position: { exif: false, xmp: false }, orientation: 1 } });
  });

  test('a file that is not a JPEG, or whose segments or EXIF do not hold together, is said to be one', () => {
    expect(readJpegMetadata(text('GIF89a not a photo'))).toEqual({ ok: false, reason: 'notJpeg' });
    expect(withoutPosition(new Uint8Array(0))).toEqual({ ok: false, reason: 'notJpeg' });
    const whole = photo();
    // A segment longer than the file.
    expect(readJpegMetadata(whole.slice(0, 40))).toEqual({ ok: false, reason: 'damaged' });
    // The GPS pointer sent outside the EXIF segment.
    const wild = Uint8Array.from(whole);
    const at = 2 + 4 + 6 + 8 + 2 + 12 * 2 + 8;
    wild.set([0xff, 0xff, 0xff, 0x7f], at);
    expect(readJpegMetadata(wild)).toEqual({ ok: false, reason: 'damaged' });
    expect(withoutPosition(wild)).toEqual({ ok: false, reason: 'damaged' });
  });
});
