/**
 * A desk taking in pulled ops, in Chromium (browser/take-in-ops.ts): one batch as a sync answer
 * brings it, sealed and in clear, each beside its floor measured in the same page. Sealed, the floor
 * is what no desk can beat on this machine: the same ops opened and their signatures checked on every
 * core at once, plus the raw one-transaction write of the reports they make; in clear, nothing is
 * opened and the floor is that raw write alone.
 */
import { inChromium } from './in-chromium.ts';

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

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const spread = (values: number[]) => `${median(values).toFixed(0)} (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`;

/** What desk-list.ts saw of a new desk joining a base and pulling all it holds. */
interface Joined {
  reports: number;
  ops: number;
  joinMs: number;
  usableMs: number;
  usableWith: number;
}

/** The list usable within this long of the first pull's start, the pull still going on. */
const USABLE_BUDGET_MS = 10_000;

/**
 * The rows; with `desk`, also the new desk taking in all the base holds, beside the floor at that
 * size: as many batches as it pulls, each at the floor's median for one batch measured here.
 * RASID_BENCH_QUICK=1: two rounds, enough to show the figures, as `npm test` runs it.
 */
export async function takeInRows({
  rounds = process.env.RASID_BENCH_QUICK === '1' ? 2 : 5,
  desk,
}: { rounds?: number; desk?: Joined } = {}): Promise<Row[]> {
  const t = await inChromium<TakenIn>('tests/bench/browser/take-in-ops.ts', 'takeInOps', [TAKE_IN_BATCH, rounds]);
  const rates = (ms: number[]) => ms.map((m) => (TAKE_IN_BATCH / m) * 1000);
  const floor = t.openAll.map((ms, i) => ms + t.raw[i]!);
  const sealed = rates(t.sealed);
  const clear = rates(t.clear);
  const joined: Row[] = [];
  if (desk) {
    const n = desk.reports.toLocaleString('en');
    const floorS = ((desk.ops / TAKE_IN_BATCH) * median(floor)) / 1000;
    joined.push(
      [
        `new desk, ${n} reports: joins and takes in their ${desk.ops.toLocaleString('en')} sealed ops (s)`,
        (desk.joinMs / 1000).toFixed(0),
        `floor at that size ${floorS.toFixed(0)}`,
        (desk.joinMs / 1000 / floorS).toFixed(2),
        '≤ 1.5',
      ],
      [
        `new desk, ${n} reports: list usable from the first pull's start (first rows, a filter answered) (s)`,
        (desk.usableMs / 1000).toFixed(1),
        `holding ${desk.usableWith.toLocaleString('en')} of ${n} then`,
        (desk.usableMs / USABLE_BUDGET_MS).toFixed(2),
        `≤ ${USABLE_BUDGET_MS / 1000}`,
      ],
    );
  }
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
    ...joined,
  ];
}
