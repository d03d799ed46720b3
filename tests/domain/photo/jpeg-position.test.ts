import { describe, expect, test } from 'vitest';
import { readJpegMetadata, withoutPosition } from '../../../src/domain/photo/jpeg-position.ts';
import { concatBytes } from '../../../src/domain/crypto/bytes.ts';
import { CAMERA, IMAGE, LATITUDE, LATITUDE_TEXT, LONGITUDE, LONGITUDE_TEXT, photo, text } from './jpeg-fixture.ts';

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
    const noMetadata = concatBytes(Uint8Array.from([0xff, 0xd8]), IMAGE);
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
