/**
 * `npm run bench`: measures what the budgets in the design speak of, each beside a peer measured in
 * the same run, and prints a table. Numbers vary on a shared machine: compare ratios, not runs.
 *
 * - Saving a report in Chromium: the app's save against a raw two-store strict IndexedDB
 *   transaction (budget: p95 within 1.5x), and beside the design's floor, the same reads, writes and
 *   seals with raw IndexedDB; one save of each in turn, in one page (save-floor.ts).
 * - A desk taking in one pulled batch of ops in Chromium, sealed against its floor (the same ops
 *   opened on every core at once, plus the raw one-transaction write of the reports they make), in
 *   clear against that raw write alone (budget: at least half the rate); and the desk below joining
 *   the base, against that floor at its size (budget: 1.5x), with its list usable while the pull
 *   goes on (budget: 10 s; take-in.ts).
 * - The phone's first load: gzip size of the JavaScript the list needs (budget: 60 KB), against
 *   Preact + Dexie alone, the floor any app on this stack pays.
 * - The base taking in pushed ops in batches of 500, sealed with every outer signature checked,
 *   against ops in clear with nothing to check (budget: 8,000 ops/s on SQLite, 4,000 on PostgreSQL).
 * - The desk holding 100,000 invented reports in Chromium, pulled from a real base through sync: the
 *   time to the list's first rows, and to each filter change, sort and letter typed in the search
 *   (budget: 100 ms each), and the JS heap (desk-list.ts). RASID_BENCH_QUICK=1 holds 2,000.
 * - A phone unlocking, CPU slowed 4x: from the passcode to the first report shown, beside Argon2id
 *   alone in the same unlock (budget: the list within 300 ms of the key; unlock-list.ts).
 * - A busy base: 200 seeded devices each doing a sync round every 10 s for a minute, SQLite and
 *   PostgreSQL: p50 and p99 of a round (budget: p99 500 ms), errors, the server's memory, and the
 *   highest rate of rounds it sustains (busy-base.ts). Quick: 10 devices for 2 s.
 * - One phone's 10,000 reports carried to a desk, app to app through the real base, sealed and with
 *   sealing off, beside PouchDB replicating the same documents through pouchdb-server: ops/s from the
 *   first push to the last report in the desk (budgets: 2x and 5x PouchDB at its best batch size), and
 *   bytes on the wire per op, both ways (budgets: 1.0x and 0.5x PouchDB's; app-sync.ts). Quick: 100.
 * - A partner's CSV of the desk's reports: from the records in memory to the file in the export
 *   worker, and from the click on Export to the download in the built desk, with the main thread's
 *   tasks over 200 ms counted (budget: the file within 2 s, no such task; partner-csv.ts).
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { launchBrowser } from '../chromium.ts';
import { appSyncRows } from './app-sync.ts';
import { bundle } from './bundle.ts';
import { busyBase, ROUND_P99_BUDGET_MS } from './busy-base.ts';
import { deskFigures } from './desk-list.ts';
import type { ingestRates, Spread } from './ingest.ts';
import { initialChunks } from './initial-js.ts';
import { partnerCsvRows } from './partner-csv.ts';
import { keepPhotos } from './photos.ts';
import { unlockToList } from './unlock-list.ts';
import { saveFloorRows } from './save-floor.ts';
import { TAKE_IN_BATCH, takeInRows } from './take-in.ts';
import { startPostgres, type PostgresCluster } from '../server/store/postgres.ts';

/**
 * The quick form runs every figure on small sizes, so that `npm test` can run it and the bench never
 * rots; its figures say little. Only the full form writes docs/benchmarks.md.
 */
const QUICK = process.env.RASID_BENCH_QUICK === '1';
/** Photos chosen at once for one report, and their size: a camera's, or a quick run's small ones. */
const PHOTOS = QUICK ? { count: 3, megabytes: 1 } : { count: 20, megabytes: 4 };
const SAVES = Number(process.env.RASID_BENCH_SAVES || (QUICK ? 100 : 1000));
const TAKE_IN_ROUNDS = QUICK ? 1 : 5;
const INGEST_OPS = Number(process.env.RASID_BENCH_INGEST_OPS || (QUICK ? 1000 : 10_000));
const INGEST_RUNS = QUICK ? 1 : 3;
const DESK_REPORTS = Number(process.env.RASID_BENCH_DESK_REPORTS || (QUICK ? 200 : 100_000));
const DESK_ROUNDS = QUICK ? 1 : 3;
/** Reports written on a phone and pulled by a desk, app to app, and the same documents through PouchDB. */
const SYNC_REPORTS = QUICK ? 100 : 10_000;
/** A change in the desk's list, from the input event to the frame that shows it. */
const DESK_BUDGET_MS = 100;
const BUSY = QUICK
  ? { devices: 10, seconds: 2, periodMs: 2_000, stepSeconds: 1, rates: [10] }
  : { devices: 200, seconds: 60, periodMs: 10_000, stepSeconds: 5, rates: [25, 50, 100, 200, 400, 800] };
const UNLOCK = QUICK ? { reports: 1, runs: 1 } : { reports: 50, runs: 5 };
/** From the key derived to a usable list, on a phone slowed 4x. */
const UNLOCK_BUDGET_MS = 300;

/**
 * One PostgreSQL cluster for the parts that need one, made when the first asks (a cluster takes
 * seconds to make) and dropped at the end: each part makes its own database in it.
 */
let postgres: Promise<PostgresCluster> | undefined;
const sharedPostgres = () => (postgres ??= startPostgres());

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * Runs `script` in a Node process of its own, its stderr passed on as it comes, and gives what it
 * printed as JSON on the stdout line starting with `marker`.
 */
function answerOfOwnProcess<T>(script: string, args: string[], env: NodeJS.ProcessEnv, marker: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, path.resolve(script), ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith(marker));
      if (code !== 0 || !line) reject(new Error(`${script} gave no answer (exit ${code}):\n${stdout}`));
      else resolve(JSON.parse(line.slice(marker.length)) as T);
    });
  });
}

/** The ingest rates, from `ingest-process.ts` run in a new Node process (why: see that file). */
async function ingestInOwnProcess(ops: number): Promise<Awaited<ReturnType<typeof ingestRates>>> {
  const env = { RASID_BENCH_INGEST_RUNS: String(INGEST_RUNS), RASID_BENCH_POSTGRES: (await sharedPostgres()).url };
  return answerOfOwnProcess('tests/bench/ingest-process.ts', [String(ops)], env, 'ingest-rates ');
}

function median(values: number[]): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

async function gzipKb(files: string[]): Promise<number> {
  let total = 0;
  for (const f of files) total += gzipSync(await readFile(f), { level: 9 }).length;
  return total / 1024;
}

type Row = [string, string, string, string, string];

const spread = (ms: number[]) => `${median(ms).toFixed(0)} (${Math.min(...ms).toFixed(0)}–${Math.max(...ms).toFixed(0)})`;

async function firstLoadRows(): Promise<Row[]> {
  const initial = await gzipKb(await initialChunks('dist', 'ar'));
  const floor = gzipSync(await bundle(path.resolve('tests/bench/browser/floor.ts')), { level: 9 }).length / 1024;
  return [
    ['first-load JavaScript, gzip (KB)', initial.toFixed(1), `Preact + Dexie ${floor.toFixed(1)}`, (initial / floor).toFixed(2), '≤ 60 KB'],
  ];
}

async function ingestRows(): Promise<Row[]> {
  const rows: Row[] = [];
  const ingest = await ingestInOwnProcess(INGEST_OPS);
  for (const [dialect, rates, least] of [
    ['SQLite', ingest.sqlite, 8000],
    ['PostgreSQL', ingest.postgres, 4000],
  ] as const) {
    const ranged = ({ median, min, max }: Spread) => `${median.toFixed(0)} (${min.toFixed(0)}–${max.toFixed(0)})`;
    rows.push([
      `base takes in sealed ops, outer signatures checked, ${dialect} (ops/s)`,
      ranged(rates.sealed),
      `floor: checks on all cores + raw insert ${ranged(rates.floor)}`,
      (rates.sealed.median / rates.floor.median).toFixed(2),
      `≥ 0.6 and ≥ ${least}`,
    ]);
    rows.push([`  the same ops in clear on a base with no key, nothing checked (ops/s)`, ranged(rates.clear), '', '', '']);
  }

  return rows;
}

async function deskRows(): Promise<Row[]> {
  const rows: Row[] = [];
  const began = performance.now();
  const desk = await deskFigures({
    reports: DESK_REPORTS,
    rounds: DESK_ROUNDS,
    watchMs: QUICK ? 250 : 5_000,
    // The first letters of the place name: they match the most reports, and are the slowest to answer.
    letters: QUICK ? 3 : 5,
    log: (line) => console.error(`[${((performance.now() - began) / 1000).toFixed(0)} s] ${line}`),
  });
  const n = desk.reports.toLocaleString('en');
  rows.push([
    `desk, ${n} reports: base seals and stores their ${desk.ops.toLocaleString('en')} ops (s)`,
    (desk.seedMs / 1000).toFixed(0),
    '',
    '',
    '',
  ]);
  rows.push([`desk, ${n} reports: opening the list to its first rows (ms)`, spread(desk.firstList), '', '', '']);
  rows.push([`  the same, until the list holds all ${n} (ms)`, spread(desk.wholeList), '', '', '']);
  for (const { name, ms } of desk.changes) {
    rows.push([
      `desk, ${n} reports: ${name} (ms)`,
      spread(ms),
      `budget ${DESK_BUDGET_MS}`,
      (median(ms) / DESK_BUDGET_MS).toFixed(2),
      `< ${DESK_BUDGET_MS}`,
    ]);
  }
  const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
  rows.push([
    `desk, ${n} reports: JS heap with the list open (MB)`,
    mb(desk.heapDesk),
    `Settings screen ${mb(desk.heapBefore)}`,
    (desk.heapDesk / desk.heapBefore).toFixed(2),
    '',
  ]);

  // The take-in rows after the desk's: the desk's join is set beside the take-in's floor at its size.
  rows.push(...(await takeInRows({ rounds: TAKE_IN_ROUNDS, desk })));
  rows.push(
    ...(await partnerCsvRows({ reports: DESK_REPORTS, rounds: DESK_ROUNDS, atTheDesk: desk.partnerCsv, log: (l) => console.error(l) })),
  );
  return rows;
}

async function unlockRows(): Promise<Row[]> {
  const rows: Row[] = [];
  const unlock = await unlockToList(UNLOCK.reports, UNLOCK.runs);
  rows.push([
    `phone, CPU 4x slower, ${UNLOCK.reports} reports: unlock to the first report shown (ms)`,
    spread(unlock.total),
    `Argon2id alone ${spread(unlock.derive)}`,
    (median(unlock.total) / median(unlock.derive)).toFixed(2),
    '',
  ]);
  rows.push([
    `  of which from the key to the first report (ms)`,
    spread(unlock.afterKey),
    `budget ${UNLOCK_BUDGET_MS}`,
    (median(unlock.afterKey) / UNLOCK_BUDGET_MS).toFixed(2),
    `≤ ${UNLOCK_BUDGET_MS}`,
  ]);

  return rows;
}

async function busyRows(dialect: string, database: 'sqlite' | 'postgres'): Promise<Row[]> {
  const rows: Row[] = [];
  const busy = await busyBase(database, { ...BUSY, ...(database === 'postgres' && { postgresUrl: (await sharedPostgres()).url }) });
  const who = `busy base, ${dialect}, ${BUSY.devices} devices a round each ${BUSY.periodMs / 1000} s for ${BUSY.seconds} s`;
  rows.push([
    `${who}: round p50 / p99 (ms)`,
    `${busy.p50.toFixed(0)} / ${busy.p99.toFixed(0)}`,
    `budget ${ROUND_P99_BUDGET_MS}`,
    (busy.p99 / ROUND_P99_BUDGET_MS).toFixed(2),
    `p99 ≤ ${ROUND_P99_BUDGET_MS}`,
  ]);
  rows.push([`${who}: rounds failed, of ${busy.rounds}`, String(busy.errors), '', '', '0']);
  rows.push([`${who}: server's resident memory at most (MB)`, busy.rssMb.toFixed(0), '', '', '']);
  rows.push([
    `busy base, ${dialect}: highest rate of rounds with p99 ≤ ${ROUND_P99_BUDGET_MS} ms and no error (rounds/s)`,
    String(busy.sustained),
    `the load above ${BUSY.devices / (BUSY.periodMs / 1000)}`,
    (busy.sustained / (BUSY.devices / (BUSY.periodMs / 1000))).toFixed(1),
    '',
  ]);
  return rows;
}

/** The row the photos will fill: a report form taking 20 photos of 4 MB, once reports carry photos. */
async function photoRows(): Promise<Row[]> {
  const t = await keepPhotos(PHOTOS.count, PHOTOS.megabytes);
  const mb = (t.bytes / 1024 / 1024).toFixed(1);
  const over = (ms: number) => t.longTasks.filter((d) => d > ms).length;
  return [
    [
      `phone, CPU 4x slower, ${PHOTOS.count} photos of ${mb} MB chosen at once: kept, each hashed and sealed in a worker, thumbnails shown (s)`,
      (t.kept / 1000).toFixed(1),
      `raw IndexedDB put of the files ${(t.raw / 1000).toFixed(1)}`,
      (t.kept / t.raw).toFixed(2),
      '',
    ],
    [
      '  main-thread tasks over 200 ms meanwhile (over 50 ms; longest, ms)',
      String(over(200)),
      `${over(50)}; ${(t.longTasks[0] ?? 0).toFixed(0)}`,
      '',
      '0',
    ],
  ];
}

/**
 * The parts of the table, in its order; each says how long it took. `lane`: the quick form runs the
 * parts of lane 1 beside those of lane 2, each lane in order, the two about as long. `postgres`: the
 * part needs a PostgreSQL cluster.
 */
const PARTS: { name: string; lane: 1 | 2; rows: () => Promise<Row[]>; postgres?: true }[] = [
  { name: 'saving reports', lane: 2, rows: () => saveFloorRows(SAVES) },
  { name: 'first-load JavaScript', lane: 1, rows: firstLoadRows },
  { name: "the base's ingest", lane: 2, rows: ingestRows, postgres: true },
  { name: "the desk's list", lane: 1, rows: deskRows },
  { name: 'unlock to the list', lane: 1, rows: unlockRows },
  {
    name: 'app-to-app sync and PouchDB',
    lane: 2,
    rows: () =>
      appSyncRows({ reports: SYNC_REPORTS, runs: Number(process.env.RASID_BENCH_SYNC_RUNS || 1), log: (line) => console.error(line) }),
  },
  { name: 'photos', lane: 1, rows: photoRows },
  { name: 'the busy base, SQLite', lane: 2, rows: () => busyRows('SQLite', 'sqlite') },
  { name: 'the busy base, PostgreSQL', lane: 2, rows: () => busyRows('PostgreSQL', 'postgres'), postgres: true },
];

async function timedPart(part: (typeof PARTS)[number]): Promise<Row[]> {
  const t0 = performance.now();
  const rows = await part.rows();
  // On stderr: the table is stdout's alone.
  console.error(`bench: ${part.name} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return rows;
}

/** Set in a lane's own process: the number of the lane it runs. */
const LANE = process.env.RASID_BENCH_LANE;
/** The line a lane's process prints its rows on, as JSON: one list of rows per part, in its order. */
const LANE_ROWS = 'bench-lane-rows ';

/**
 * The full form runs one part at a time, so that no figure pays for another. The quick form, whose
 * figures say little, runs its two lanes side by side to stay within a minute, each in a process of
 * its own: the lanes share no event loop, so one lane's work in its process (a store seeded, ops
 * sealed, a proxy or pouchdb-server answering) never holds up the other's browser.
 */
async function allRows(): Promise<Row[]> {
  if (!QUICK) return (await partsInOrder(PARTS)).flat();
  const lanes = [1, 2] as const;
  const answers = await Promise.all(
    lanes.map((lane) => answerOfOwnProcess<Row[][]>('tests/bench/run.ts', [], { RASID_BENCH_LANE: String(lane) }, LANE_ROWS)),
  );
  const got = new Map<(typeof PARTS)[number], Row[]>();
  lanes.forEach((lane, i) => PARTS.filter((p) => p.lane === lane).forEach((part, j) => got.set(part, answers[i]![j]!)));
  return PARTS.flatMap((part) => got.get(part)!);
}

/** Each part's rows, the parts one after another; the PostgreSQL cluster, if one was made, dropped at the end. */
async function partsInOrder(parts: typeof PARTS): Promise<Row[][]> {
  const rows: Row[][] = [];
  try {
    for (const part of parts) rows.push(await timedPart(part));
  } finally {
    await stopPostgres();
  }
  return rows;
}

/** A lane's process: its parts in order, their rows printed for the process that started it. */
async function runLane(lane: number): Promise<void> {
  const parts = PARTS.filter((p) => p.lane === lane);
  // Made while the lane's first parts run, not when the first part that needs it begins.
  if (parts.some((p) => p.postgres)) void sharedPostgres().catch(() => undefined);
  console.log(LANE_ROWS + JSON.stringify(await partsInOrder(parts)));
}

async function stopPostgres(): Promise<void> {
  const cluster = await postgres?.catch(() => undefined);
  cluster?.stop();
}

async function main() {
  const began = performance.now();
  const rows = await allRows();
  const broken = rows.find((r) => /NaN|Infinity|undefined/.test(r.join(' ')));
  if (broken) throw new Error(`A figure was not measured: ${broken.join(' | ')}`);
  const head = ['measure', 'Rasid', 'peer', 'ratio', 'budget'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const how = `Saving ${SAVES} reports each way in Chromium; taking in a batch of ${TAKE_IN_BATCH} ops ${TAKE_IN_ROUNDS} times each way (median); sizes from dist/ (run after npm run build); the base taking in ${INGEST_OPS} ops in batches of ${TAKE_IN_BATCH} each way, after a run to warm up, median of ${INGEST_RUNS} (min–max); the desk's list with ${DESK_REPORTS} invented reports in the built app, each change ${DESK_ROUNDS} times, the first included, median (min–max), from the input event to the frame that shows its result.`;
  const table = [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
  console.log(`${how}\n\n${table}`);
  const minutes = (performance.now() - began) / 60_000;
  console.error(`bench: everything in ${minutes.toFixed(1)} min`);
  if (!QUICK) await writeReport({ how, table, minutes });
}
/** Between these lines docs/benchmarks.md holds the last full run; the rest of the file is written by hand. */
const REPORT_START = '<!-- npm run bench: start -->';
const REPORT_END = '<!-- npm run bench: end -->';

async function writeReport({ how, table, minutes }: { how: string; table: string; minutes: number }): Promise<void> {
  const file = 'docs/benchmarks.md';
  const browser = await launchBrowser();
  const chromium = browser.version();
  await browser.close();
  const packages = JSON.parse(await readFile('package-lock.json', 'utf8')) as { packages: Record<string, { version?: string }> };
  const versions = ['dexie', 'preact', 'hono', 'kysely', 'better-sqlite3', 'pg', 'zod']
    .map((name) => `${name} ${packages.packages[`node_modules/${name}`]?.version ?? '?'}`)
    .join(', ');
  const postgres = (await promisify(execFile)('bash', ['-c', 'ls /usr/lib/postgresql | sort -n | tail -1'])).stdout.trim();
  const cpus = os.cpus();
  const block = [
    REPORT_START,
    `Run on ${new Date().toISOString().slice(0, 10)}, ${minutes.toFixed(1)} minutes in all.`,
    '',
    `- Machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GB memory, ${os.type()} ${os.release()}; load average at the end ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')}.`,
    `- Browser: Chromium ${chromium} (Debian), headless.`,
    `- Node ${process.version}; PostgreSQL ${postgres || '?'}; ${versions}.`,
    '',
    how,
    '',
    table,
    REPORT_END,
  ].join('\n');
  const before = await readFile(file, 'utf8').catch(() => `# Benchmarks\n\n${REPORT_START}\n${REPORT_END}\n`);
  const start = before.indexOf(REPORT_START);
  const end = before.indexOf(REPORT_END);
  if (start < 0 || end < start) throw new Error(`${file} has lost its lines ${REPORT_START} and ${REPORT_END}`);
  await writeFile(file, before.slice(0, start) + block + before.slice(end + REPORT_END.length));
  console.error(`bench: the table is in ${file}`);
}

if (LANE) await runLane(Number(LANE));
else await main();
