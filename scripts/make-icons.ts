/**
 * Renders the app icons' SVG sources to the PNG sizes the manifest lists, with the system Chromium.
 * The PNGs are committed as source assets; run this again only when an SVG changes:
 *
 *   npx tsx scripts/make-icons.ts
 *
 * PNGs are still needed beside the SVG: install prompts and iOS home screens do not take SVG icons.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../tests/chromium.ts';

const ICONS = fileURLToPath(new URL('../public/icons/', import.meta.url));

const OUTPUTS = [
  { source: 'icon.svg', size: 192, out: 'icon-192.png' },
  { source: 'icon.svg', size: 512, out: 'icon-512.png' },
  { source: 'maskable.svg', size: 512, out: 'maskable-512.png' },
  { source: 'neutral.svg', size: 192, out: 'neutral-192.png' },
  { source: 'neutral.svg', size: 512, out: 'neutral-512.png' },
] as const;

async function main(): Promise<void> {
  const browser = await launchBrowser();
  try {
    for (const { source, size, out } of OUTPUTS) {
      const svg = await readFile(ICONS + source);
      const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
      const src = `data:image/svg+xml;base64,${svg.toString('base64')}`;
      await page.setContent(
        `<!doctype html><html><body style="margin:0;overflow:hidden">` +
          `<img id="icon" src="${src}" width="${size}" height="${size}" style="display:block"></body></html>`,
      );
      const loaded = await page.$eval('#icon', (img) =>
        (img as HTMLImageElement).decode().then(
          () => true,
          () => false,
        ),
      );
      if (!loaded) throw new Error(`${source} did not render`);
      await page.screenshot({ path: ICONS + out, omitBackground: false, clip: { x: 0, y: 0, width: size, height: size } });
      await page.close();
      console.log(`${out} (${size}×${size}) from ${source}`);
    }
  } finally {
    await browser.close();
  }
}

await main();
