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
      // As base64: megabytes passed as an array of numbers cost seconds each way.
      const url = await new Promise<string>((resolve, reject) => {
        const reader = new FileReader();
        reader.onload = () => resolve(reader.result as string);
        reader.onerror = () => reject(new Error(String(reader.error)));
        reader.readAsDataURL(blob);
      });
      return url.slice(url.indexOf(',') + 1);
    },
    [width, height] as const,
  );
  return Uint8Array.from(Buffer.from(bytes, 'base64').subarray(2));
}
