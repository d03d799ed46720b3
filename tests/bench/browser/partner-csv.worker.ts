/**
 * Runs in a worker, as the desk's export does: makes the invented reports' export records (merged as
 * the desk merges their ops, with the creating device and the time the base received each), then
 * times the desk's own writer (write-export.ts) from those records in memory to the finished CSV
 * Blob under a partner profile, `rounds` times. The page around it watches its own main thread.
 */
import { writeExportFile } from '../../../src/app/desk/write-export.ts';
import { parseCodAbCsv } from '../../../src/domain/gazetteer.ts';
import type { ReportId } from '../../../src/domain/ids.ts';
import { mergeOps, viewOf } from '../../../src/domain/merge.ts';
import type { Op } from '../../../src/domain/op/op.ts';
import { partnerProfile } from '../../../src/export/profile.ts';
import { toExportRecord, type ExportRecord } from '../../../src/export/record.ts';
import { inventedDevices, inventedReports } from '../../../src/server/demo/invented-reports.ts';

export interface PartnerCsvJob {
  gazetteerCsv: string;
  reports: number;
  now: number;
  rounds: number;
  /** The partner profile's pseudonym key, base64url. */
  key: string;
}

export type PartnerCsvMessage =
  | { type: 'records'; records: number; ms: number }
  | { type: 'writing' }
  | { type: 'written'; ms: number; rows: number; blob: Blob }
  | { type: 'error'; message: string };

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: PartnerCsvMessage) => scope.postMessage(m);

export function inventedRecords(job: PartnerCsvJob): ExportRecord[] {
  const parsed = parseCodAbCsv(job.gazetteerCsv, 'Sample: Syrian coast');
  if (!parsed.ok) throw new Error(`The sample gazetteer cannot be read (${parsed.error.key})`);
  const coordinators = new Set<string>(inventedDevices().flatMap((d) => (d.role === 'coordinator' ? [d.device] : [])));
  const ops = new Map<string, Op[]>();
  const received = new Map<string, number>();
  for (const batch of inventedReports({ seed: 1, reports: job.reports, now: job.now, gazetteer: parsed.gazetteer })) {
    for (const op of batch.ops) {
      const mine = ops.get(op.reportId);
      if (mine) mine.push(op);
      else ops.set(op.reportId, [op]);
      if (op.kind === 'create') received.set(op.reportId, batch.at);
    }
  }
  const records: ExportRecord[] = [];
  for (const [id, its] of ops) {
    // Roster and gazetteer settings share the ops; only a created report makes a record.
    if (!received.has(id)) continue;
    const state = mergeOps(id as ReportId, its, (d) => coordinators.has(d));
    const record = toExportRecord(viewOf(state), { device: state.created?.device, receivedAt: received.get(id) });
    if (record) records.push(record);
  }
  return records;
}

async function run(job: PartnerCsvJob): Promise<void> {
  const t0 = performance.now();
  const records = inventedRecords(job);
  post({ type: 'records', records: records.length, ms: performance.now() - t0 });
  const profile = partnerProfile({ name: 'bench-partner', key: job.key });
  for (let round = 0; round < job.rounds; round++) {
    post({ type: 'writing' });
    const start = performance.now();
    const file = await writeExportFile(
      records,
      { format: 'csv', profile, exportedAt: new Date(job.now).toISOString() },
      // As a coordinator who keeps the small groups: the file every partner gets by default.
      { unplaced: () => undefined, smallGroups: () => Promise.resolve('keep'), progress: () => undefined },
    );
    post({ type: 'written', ms: performance.now() - start, rows: file.rows, blob: file.blob });
  }
}

scope.onmessage = (e: MessageEvent<PartnerCsvJob>) => {
  run(e.data).catch((err: unknown) => post({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
};
