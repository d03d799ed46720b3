/**
 * Saving a report beside the design's floor (browser/save-floor.ts): the same reads, writes and seals
 * in one strict transaction with the raw IndexedDB API, measured in one Chromium page with the app's
 * own save and the raw two-store write, in turn. The `save a report` rows' peer writes two rows in
 * clear and reads nothing; this row says how much of the gap to it is the design (a writer row read
 * inside the transaction, three stores, three seals) and how much is left to the app's own code.
 */
import { createServer } from 'node:http';
import path from 'node:path';
import { launchBrowser } from '../chromium.ts';
import { bundle } from './bundle.ts';

type Row = [string, string, string, string, string];

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function inPage(saves: number): Promise<{ rasid: number[]; floor: number[]; raw: number[] }> {
  const code = await bundle(path.resolve('tests/bench/browser/save-floor.ts'));
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
    return await page.evaluate(
      (n) =>
        (
          globalThis as unknown as { bench: { saveFloors: (n: number) => Promise<{ rasid: number[]; floor: number[]; raw: number[] }> } }
        ).bench.saveFloors(n),
      saves,
    );
  } finally {
    await browser.close();
    server.close();
  }
}

export async function saveFloorRows(saves: number): Promise<Row[]> {
  const t = await inPage(saves);
  if (t.rasid.length !== saves || t.floor.length !== saves) throw new Error('the save floor measured too few saves');
  return [0.5, 0.95].map((q) => {
    const rasid = quantile(t.rasid, q);
    const floor = quantile(t.floor, q);
    return [
      `save a report, p${q * 100}, beside the same reads, writes and seals in raw IndexedDB (ms)`,
      rasid.toFixed(2),
      `floor ${floor.toFixed(2)} (raw two-store ${quantile(t.raw, q).toFixed(2)})`,
      (rasid / floor).toFixed(2),
      '',
    ];
  });
}
