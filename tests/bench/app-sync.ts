/**
 * One phone's reports carried to a desk, app to app, beside PouchDB carrying the same documents, in
 * the same Chromium (browser/sync-peers.ts):
 *
 * - PouchDB (IndexedDB) replicating to pouchdb-server (express-pouchdb over an in-memory PouchDB,
 *   in this process, on loopback) and from there into a second PouchDB, at its defaults and at
 *   `batch_size` 500.
 * - The app: an enrolled monitor's runSync pushing its reports to the real base process
 *   (startServer), then a coordinator's runSync pulling them into its desk. Sealed (`v: 2`, the
 *   only way a deployment runs), and with sealing off: a base started for the bench with no
 *   deployment key, its two devices written into its store as enrolled before keys came first
 *   (decision 055), so that the same code sends and reads ops in clear (`v: 1`). Nothing in src/
 *   was added for it (decision 075).
 *
 * Each is timed from the first push to the last report in the desk, push then pull, and its bytes
 * on the wire counted by a TCP proxy in front of the server: every byte both ways (HTTP headers
 * and bodies, compressed as they travel), per report. The same documents each way: the reports of
 * the invented year (src/server/demo/invented-reports.ts), Arabic narratives and all.
 */
import { mkdtempSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, connect, type Socket } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { cryptoRandom, newReportId } from '../../src/domain/ids.ts';
import type { ReportContent } from '../../src/domain/report.ts';
import { inventedReports } from '../../src/server/demo/invented-reports.ts';
import { sampleGazetteer } from '../../src/server/demo/seed.ts';
import { setDeploymentKey } from '../../src/server/enrollment/deployment-key.ts';
import { codecsText } from '../../src/server/store/codecs.ts';
import { CODECS_READ } from '../../src/domain/op/codecs.ts';
import { randomSecret, secretHash, TOKEN_BYTES } from '../../src/server/enrollment/secrets.ts';
import { openStore } from '../../src/server/store/index.ts';
import { launchBrowser } from '../chromium.ts';
import { startServer } from '../e2e/server-process.ts';
import { deviceId } from '../ids.ts';
import type { DeviceSetup, PublicTexts } from './browser/sync-peers.ts';
import { bundleWithWorkers } from './bundle.ts';

type Row = [string, string, string, string, string];

export interface AppSyncOptions {
  reports: number;
  runs: number;
  log?: (line: string) => void;
}

interface Run {
  ms: number;
  pushMs: number;
  pullMs: number;
  bytes: number;
  /** Of which the pushing phone's sync. */
  pushBytes: number;
}

/** The page's side, by name, as browser/sync-peers.ts sets it on globalThis.bench. */
interface InPage {
  newKeys(run: string): { phone: PublicTexts; desk: PublicTexts; deployment: string };
  rasidSetup(run: string, sealed: boolean, phone: DeviceSetup, desk: DeviceSetup): void;
  rasidWrite(contents: ReportContent[]): void;
  rasidPush(): number;
  rasidPull(): { ms: number; deskReports: number; quarantined: number };
  pouchSetup(run: string, remote: string, contents: ReportContent[], ids: string[]): void;
  pouchPush(batchSize: number | undefined): number;
  pouchPull(batchSize: number | undefined): { ms: number; deskReports: number };
}

const call = <K extends keyof InPage>(page: Page, name: K, ...args: Parameters<InPage[K]>): Promise<ReturnType<InPage[K]>> =>
  page.evaluate(
    ({ name, args }) => (globalThis as unknown as { bench: Record<string, (...a: unknown[]) => unknown> }).bench[name]!(...args),
    { name, args },
  ) as Promise<ReturnType<InPage[K]>>;

/**
 * A loopback TCP proxy that counts every byte it carries, both ways. The page stays on its origin
 * while the server behind it changes: switching closes every connection to the last one.
 */
interface CountingProxy {
  origin: string;
  bytes: number;
  switchTo(port: number): void;
  close(): Promise<void>;
}

async function countingProxy(): Promise<CountingProxy> {
  const sockets = new Set<Socket>();
  let target: number | undefined;
  const server = createTcpServer((client) => {
    // Before any server is behind it, only the browser's own asks come (its icon): refused.
    if (target === undefined) return void client.destroy();
    const upstream = connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
      s.on('data', (chunk: Buffer) => (proxy.bytes += chunk.length));
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy: CountingProxy = {
    origin: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    bytes: 0,
    switchTo(port) {
      for (const s of sockets) s.destroy();
      target = port;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return proxy;
}

/** pouchdb-server's HTTP side over an in-memory PouchDB, on loopback. */
async function pouchServer(): Promise<{ port: number; server: Server }> {
  // CommonJS packages without types of their own: loaded as Node loads them.
  const require = createRequire(import.meta.url);
  const core = require('pouchdb-core') as { plugin(p: unknown): { defaults(o: object): unknown } };
  const memory = core.plugin(require('pouchdb-adapter-memory')).defaults({ adapter: 'memory' });
  const expressPouchDb = require('express-pouchdb') as (pouch: unknown, options: object) => Parameters<typeof createHttpServer>[1];
  const app = expressPouchDb(memory, { mode: 'minimumForPouchDB', inMemoryConfig: true });
  const server = createHttpServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

/** The first `count` reports the invented year creates, as a monitor's form holds them. */
function reportContents(count: number): ReportContent[] {
  const out: ReportContent[] = [];
  const now = Date.UTC(2026, 11, 1);
  for (let scale = count; out.length < count; scale *= 2) {
    out.length = 0;
    for (const batch of inventedReports({ seed: 1, reports: scale, now, gazetteer: sampleGazetteer() })) {
      if (batch.role !== 'monitor') continue;
      for (const op of batch.ops) if (op.kind === 'create' && out.length < count) out.push(op.body.changes as ReportContent);
    }
  }
  return out;
}

/**
 * Opens the bench page on the proxy's origin: the page is the bench's, and so are the workers it
 * starts (the sync's own, which opens pages read ahead); every other request goes to the network.
 */
async function openOn(page: Page, origin: string, { code, workers }: Awaited<ReturnType<typeof bundleWithWorkers>>): Promise<void> {
  await page.route(
    (url) => url.pathname === '/bench' || url.pathname === '/bench.js',
    (route) =>
      new URL(route.request().url()).pathname === '/bench.js'
        ? route.fulfill({ contentType: 'text/javascript', body: code })
        : route.fulfill({ contentType: 'text/html', body: '<!doctype html><script type="module" src="/bench.js"></script>' }),
  );
  await page.goto(`${origin}/bench`);
  await page.waitForFunction(() => 'bench' in globalThis);
  // Intercepting costs a round trip to this process per request: the sync's own go untouched.
  await page.unrouteAll({ behavior: 'wait' });
  for (const [at, script] of workers)
    await page.route(`${origin}${at}`, (route) => route.fulfill({ contentType: 'text/javascript', body: script }));
}

/** A base for one of the app's runs: its store made here with the two devices in it (and the deployment key when sealed), then started. */
async function rasidBase(sealed: boolean, keys: Awaited<ReturnType<InPage['newKeys']>>) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'rasid-bench-sync-'));
  const store = await openStore({ dataDir });
  const phone = { device: 'bench-phone-a', token: randomSecret(cryptoRandom, TOKEN_BYTES) };
  const desk = { device: 'bench-desk-b', token: randomSecret(cryptoRandom, TOKEN_BYTES) };
  try {
    for (const [who, role, pub] of [
      [phone, 'monitor', keys.phone],
      [desk, 'coordinator', keys.desk],
    ] as const) {
      await store.db
        .insertInto('devices')
        .values({
          device: deviceId(who.device),
          role,
          token_hash: secretHash(who.token),
          revoked_at: null,
          created_at: Date.now(),
          public_keys: sealed ? JSON.stringify(pub) : null,
          // What this app's enrollment says: every body codec it writes, it opens.
          codecs: codecsText(CODECS_READ),
        })
        .execute();
    }
    if (sealed) {
      const set = await setDeploymentKey(store.db, keys.deployment);
      if (!set.ok) throw new Error(set.reason);
    }
  } finally {
    await store.close();
  }
  return { server: await startServer({ dataDir }), phone, desk };
}

type Base = Awaited<ReturnType<typeof rasidBase>>;

async function rasidRun(
  page: Page,
  proxy: CountingProxy,
  base: Base,
  sealed: boolean,
  contents: ReportContent[],
  run: string,
): Promise<Run> {
  proxy.switchTo(Number(new URL(base.server.baseUrl).port));
  await call(page, 'rasidSetup', run, sealed, base.phone, base.desk);
  await call(page, 'rasidWrite', contents);
  proxy.bytes = 0;
  const pushMs = await call(page, 'rasidPush');
  const pushBytes = proxy.bytes;
  const r = await call(page, 'rasidPull');
  const bytes = proxy.bytes;
  if (r.deskReports !== contents.length || r.quarantined > 0)
    throw new Error(`the desk holds ${r.deskReports} reports of ${contents.length}, ${r.quarantined} in quarantine`);
  return { ms: pushMs + r.ms, pushMs, pullMs: r.ms, bytes, pushBytes };
}

async function pouchRun(
  page: Page,
  proxy: CountingProxy,
  pouchPort: number,
  batchSize: number | undefined,
  docs: { contents: ReportContent[]; ids: string[] },
  run: string,
): Promise<Run> {
  proxy.switchTo(pouchPort);
  const remote = `bench-${run}`;
  const made = await fetch(`http://127.0.0.1:${pouchPort}/${remote}`, { method: 'PUT' });
  if (made.status !== 201) throw new Error(`pouchdb-server did not make a database: ${made.status}`);
  await call(page, 'pouchSetup', run, remote, docs.contents, docs.ids);
  proxy.bytes = 0;
  const pushMs = await call(page, 'pouchPush', batchSize);
  const pushBytes = proxy.bytes;
  const r = await call(page, 'pouchPull', batchSize);
  const bytes = proxy.bytes;
  if (r.deskReports !== docs.contents.length) throw new Error(`PouchDB B holds ${r.deskReports} documents of ${docs.contents.length}`);
  await fetch(`http://127.0.0.1:${pouchPort}/${remote}`, { method: 'DELETE' });
  return { ms: pushMs + r.ms, pushMs, pullMs: r.ms, bytes, pushBytes };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function appSyncRows({ reports, runs, log = () => undefined }: AppSyncOptions): Promise<Row[]> {
  const contents = reportContents(reports);
  const at = Date.now();
  const ids = contents.map((_, i) => newReportId(at + i, cryptoRandom));
  const code = await bundleWithWorkers(path.resolve('tests/bench/browser/sync-peers.ts'));
  const pouch = await pouchServer();
  const browser = await launchBrowser();
  const ways = [
    { key: 'pouch-default', batchSize: undefined },
    { key: 'pouch-500', batchSize: 500 },
    { key: 'sealed', sealed: true },
    { key: 'clear', sealed: false },
  ] as const;
  const seen = new Map<string, Run[]>(ways.map((w) => [w.key, []]));
  const proxy = await countingProxy();
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => log(`app sync: the page failed: ${e.message}`));
    await openOn(page, proxy.origin, code);
    for (let r = 0; r < runs; r++) {
      // Both bases of a run start together: a server's start is most of the quick form's time.
      const [sealedBase, clearBase] = await Promise.all(
        [true, false].map(async (sealed) => rasidBase(sealed, await call(page, 'newKeys', `${sealed ? 'sealed' : 'clear'}-${r}`))),
      );
      try {
        for (const way of ways) {
          const run = `${way.key}-${r}`;
          const result =
            'sealed' in way
              ? await rasidRun(page, proxy, way.sealed ? sealedBase! : clearBase!, way.sealed, contents, `${way.key}-${r}`)
              : await pouchRun(page, proxy, pouch.port, way.batchSize, { contents, ids }, run);
          seen.get(way.key)!.push(result);
          log(
            `app sync: ${run} ${((reports / result.ms) * 1000).toFixed(0)} ops/s (push ${result.pushMs.toFixed(0)} ms, pull ${result.pullMs.toFixed(0)} ms), ${(result.bytes / reports).toFixed(0)} B/op (push ${(result.pushBytes / reports).toFixed(0)})`,
          );
        }
      } finally {
        await Promise.all([sealedBase!.server.stop(), clearBase!.server.stop()]);
      }
    }
  } finally {
    await browser.close();
    await proxy.close();
    await new Promise((resolve) => pouch.server.close(resolve));
  }

  const rates = (key: string) => seen.get(key)!.map((x) => (reports / x.ms) * 1000);
  const perOp = (key: string) => seen.get(key)!.map((x) => x.bytes / reports);
  const spread = (values: number[]) =>
    runs === 1
      ? values[0]!.toFixed(0)
      : `${median(values).toFixed(0)} (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`;
  const best = median(rates('pouch-500')) >= median(rates('pouch-default')) ? 'pouch-500' : 'pouch-default';
  const bestLabel = best === 'pouch-500' ? 'batch_size 500' : 'defaults';
  const n = reports.toLocaleString('en');
  const rows: Row[] = [
    [
      `sync A → server → B, ${n} reports: PouchDB to pouchdb-server, defaults (docs/s)`,
      '',
      `PouchDB ${spread(rates('pouch-default'))}`,
      '',
      '',
    ],
    [`sync A → server → B, ${n} reports: PouchDB, batch_size 500 (docs/s)`, '', `PouchDB ${spread(rates('pouch-500'))}`, '', ''],
  ];
  for (const [key, label, rateBudget, byteBudget] of [
    ['sealed', 'sealed', 2, 1],
    ['clear', 'sealing off in the bench (v1 ops, a base with no deployment key)', 5, 0.5],
  ] as const) {
    rows.push([
      `app to app, ${n} reports, monitor → real base → desk, ${label} (ops/s)`,
      spread(rates(key)),
      `PouchDB ${bestLabel} ${median(rates(best)).toFixed(0)}`,
      (median(rates(key)) / median(rates(best))).toFixed(2),
      `≥ ${rateBudget}`,
    ]);
    const ms = (way: string, part: 'pushMs' | 'pullMs') => median(seen.get(way)!.map((x) => x[part])).toFixed(0);
    rows.push([
      `  of which the phone's sync / the desk's (ms)`,
      `${ms(key, 'pushMs')} / ${ms(key, 'pullMs')}`,
      `PouchDB A → server ${ms(best, 'pushMs')} / server → B ${ms(best, 'pullMs')}`,
      '',
      '',
    ]);
    rows.push([
      `bytes on the wire per op, push and pull, ${key === 'sealed' ? 'sealed' : 'sealing off'} (B)`,
      spread(perOp(key)),
      `PouchDB ${bestLabel} ${median(perOp(best)).toFixed(0)}`,
      (median(perOp(key)) / median(perOp(best))).toFixed(2),
      `≤ ${byteBudget.toFixed(1)}`,
    ]);
    const part = (way: string, which: 'push' | 'pull') =>
      median(seen.get(way)!.map((x) => (which === 'push' ? x.pushBytes : x.bytes - x.pushBytes) / reports)).toFixed(0);
    rows.push([
      `  of which the phone's sync / the desk's (B per op)`,
      `${part(key, 'push')} / ${part(key, 'pull')}`,
      `PouchDB A → server ${part(best, 'push')} / server → B ${part(best, 'pull')}`,
      '',
      '',
    ]);
  }
  return rows;
}
