/** What a coordinator is shown of a photo's EXIF, from camera files in either byte order, and from hostile ones. */
import { describe, expect, it } from 'vitest';
import { exifSummary } from '../../../src/domain/photo/exif-summary.ts';
import { withoutPosition } from '../../../src/domain/photo/jpeg-position.ts';
import { CAMERA, LATITUDE, LONGITUDE, photo } from './jpeg-fixture.ts';

const decimal = ([d, m, s]: number[]) => d! + m! / 60 + s! / 1000 / 3600;

describe('a photo’s EXIF as a coordinator sees it', () => {
  it.each([true, false])('gives the camera and the position, little-endian %s', (little) => {
    const summary = exifSummary(photo({ little }));
    expect(summary.make).toBe(CAMERA);
    expect(summary.position!.lat).toBeCloseTo(decimal(LATITUDE), 9);
    expect(summary.position!.lon).toBeCloseTo(decimal(LONGITUDE), 9);
  });

  it('has no position once the monitor removed it, and still the camera', () => {
    const removed = withoutPosition(photo());
    if (!removed.ok) throw new Error(removed.reason);
    expect(exifSummary(removed.bytes)).toEqual({ make: CAMERA });
  });

  it('keeps only printable text, cut short, and reads nothing from a file that is not one', () => {
    const steering = `\u001bCam\u0007${'x'.repeat(300)}`;
    const make = exifSummary(photo({ camera: steering })).make!;
    expect(make).toBe(`Cam${'x'.repeat(117)}`);
    expect(exifSummary(new Uint8Array([0xff, 0xd8, 0xff]))).toEqual({});
    expect(exifSummary(new TextEncoder().encode('not a photo'))).toEqual({});
    const cut = photo();
    expect(exifSummary(cut.subarray(0, 40))).toEqual({});
  });
});
