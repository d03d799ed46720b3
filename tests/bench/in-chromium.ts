/** How the bench runs code in a page: the entry bundled and served on loopback, to the page and its workers alike. */
import { createServer } from 'node:http';
import path from 'node:path';
import { launchBrowser } from '../chromium.ts';
import { bundle } from './bundle.ts';

/**
 * Loads `entry`, bundled, in a fresh Chromium page and returns what its `bench[name](...args)`
 * resolves to. The server hands the same script (`/bench.js`) to workers the page starts.
 */
export async function inChromium<T>(entry: string, name: string, args: unknown[]): Promise<T> {
  const code = await bundle(path.resolve(entry));
  const server = createServer((req, res) => {
    if (req.url === '/bench.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(code);
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script type="module" src="/bench.js"></script>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => 'bench' in globalThis);
    return (await page.evaluate(
      ({ name, args }) => (globalThis as unknown as { bench: Record<string, (...a: unknown[]) => Promise<unknown>> }).bench[name]!(...args),
      { name, args },
    )) as T;
  } finally {
    await browser.close();
    server.close();
  }
}
