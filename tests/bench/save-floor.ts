/**
 * Saving a report beside the design's floor (browser/save-floor.ts): the same reads, writes and seals
 * in one strict transaction with the raw IndexedDB API, measured in one Chromium page with the app's
 * own save and the raw two-store write, in turn. The `save a report` rows' peer writes two rows in
 * clear and reads nothing; this row says how much of the gap to it is the design (a writer row read
 * inside the transaction, three stores, three seals) and how much is left to the app's own code.
 */
import { inChromium } from './in-chromium.ts';

type Row = [string, string, string, string, string];

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export async function saveFloorRows(saves: number): Promise<Row[]> {
  const t = await inChromium<{ rasid: number[]; floor: number[]; raw: number[] }>('tests/bench/browser/save-floor.ts', 'saveFloors', [
    saves,
  ]);
  if (t.rasid.length !== saves || t.floor.length !== saves) throw new Error('the save floor measured too few saves');
  const againstRaw = [0.5, 0.95].map((q): Row => {
    const rasid = quantile(t.rasid, q);
    const raw = quantile(t.raw, q);
    return [
      `save a report, p${q * 100} (ms)`,
      rasid.toFixed(2),
      `raw IndexedDB ${raw.toFixed(2)}`,
      (rasid / raw).toFixed(2),
      q === 0.95 ? '≤ 1.5' : '',
    ];
  });
  const againstFloor = [0.5, 0.95].map((q): Row => {
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
  return [...againstRaw, ...againstFloor];
}
