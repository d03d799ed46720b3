/** Photos made by the page itself: real JPEGs that decode, for the photo tests and the bench. */
import type { Page } from 'playwright-core';

/**
 * A JPEG of noise that the page encodes, `width` by `height`, without its first two bytes (the SOI
 * marker): to wrap in a camera's metadata (tests/domain/photo/jpeg-fixture.ts), so it also decodes.
 */
export async function browserJpeg(page: Page, width: number, height: number): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = await page.evaluate(
    async ([width, height]) => {
      const canvas = new OffscreenCanvas(width, height);
      const context = canvas.getContext('2d')!;
      const pixels = context.createImageData(canvas.width, canvas.height);
      for (let i = 0; i < pixels.data.length; i++) pixels.data[i] = (i * 2654435761) >>> 24;
      context.putImageData(pixels, 0, 0);
      const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.95 });
      return [...new Uint8Array(await blob.arrayBuffer())];
    },
    [width, height] as const,
  );
  return Uint8Array.from(bytes.slice(2));
}
