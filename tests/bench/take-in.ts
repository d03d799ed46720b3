/**
 * A desk taking in pulled ops, in Chromium (browser/take-in-ops.ts): one batch as a sync answer
 * brings it, sealed and in clear, each beside its floor measured in the same page. Sealed, the floor
 * is what no desk can beat on this machine: the same ops opened and their signatures checked on every
 * core at once, plus the raw one-transaction write of the reports they make; in clear, nothing is
 * opened and the floor is that raw write alone.
 */
import { createServer } from 'node:http';
import path from 'node:path';
import { launchBrowser } from '../chromium.ts';
import { bundle } from './bundle.ts';

type Row = [string, string, string, string, string];

/** One pull's worth: the most ops a sync answer carries. */
export const TAKE_IN_BATCH = 500;

interface TakenIn {
  sealed: number[];
  sealedRead: number[];
  clear: number[];
  raw: number[];
  openAll: number[];
  cores: number;
}

/**
 * Runs `entry`'s `bench[name]` in a page whose server also hands the same script to the page's
 * workers (`/bench.js`): the floor opens ops in a pool of them.
 */
async function inPage<T>(entry: string, name: string, args: unknown[]): Promise<T> {
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

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const spread = (values: number[]) => `${median(values).toFixed(0)} (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`;

/** RASID_BENCH_QUICK=1: two rounds, enough to show the figure, as `npm test` runs it. */
export async function takeInRows({ rounds = process.env.RASID_BENCH_QUICK === '1' ? 2 : 5 }: { rounds?: number } = {}): Promise<Row[]> {
  const t = await inPage<TakenIn>('tests/bench/browser/take-in-ops.ts', 'takeInOps', [TAKE_IN_BATCH, rounds]);
  const rates = (ms: number[]) => ms.map((m) => (TAKE_IN_BATCH / m) * 1000);
  const floor = t.openAll.map((ms, i) => ms + t.raw[i]!);
  const sealed = rates(t.sealed);
  const clear = rates(t.clear);
  return [
    [
      `take in ${TAKE_IN_BATCH} pulled ops, sealed (v2) (ops/s)`,
      spread(sealed),
      `floor: open on ${t.cores} cores + raw write ${spread(rates(floor))}`,
      (median(sealed) / median(rates(floor))).toFixed(2),
      '≥ 0.5',
    ],
    [
      `  of which opening and checking (ms per op)`,
      (median(t.sealedRead) / TAKE_IN_BATCH).toFixed(3),
      `on ${t.cores} cores ${(median(t.openAll) / TAKE_IN_BATCH).toFixed(3)}`,
      '',
      '',
    ],
    [
      `take in ${TAKE_IN_BATCH} pulled ops, in clear (v1) (ops/s)`,
      spread(clear),
      `raw IndexedDB ${spread(rates(t.raw))}`,
      (median(clear) / median(rates(t.raw))).toFixed(2),
      '≥ 0.5',
    ],
  ];
}
