/**
 * The export worker: reads every report from the app's IndexedDB itself, builds the export records
 * with what the desk knows of each (the creating device, when the base received it), writes the file
 * in chunks, posting progress as it goes, and posts the finished file as a Blob. The page stays
 * responsive however many reports there are, and Cancel is simply the end of this worker.
 *
 * A partner's file of reports is counted first, here, where the records already are: the page is
 * told how many small groups it would hold, and when there are any this worker waits for the
 * coordinator's choice before writing a row.
 */
import { aggregateFile } from '../../export/aggregate.ts';
import { exportChunks, FILE_FORMATS, type ExportFormat } from '../../export/export-file.ts';
import { profileSchema } from '../../export/profile.ts';
import { toExportRecord, type ExportRecord } from '../../export/record.ts';
import { countSmallGroups, SMALL_GROUP_CHOICES, type SmallGroupChoice } from '../../export/small-groups.ts';
import { countUnplaced } from '../../export/unplaced.ts';
import { DataKeyHolder } from '../store/at-rest.ts';
import { RasidDb } from '../store/db.ts';
import { loadDeskReports, receivedTimes } from './desk-reports.ts';
// Types only: run-export.ts starts this worker, and a worker bundling its own starter would nest itself.
import type { ExportJob, ExportRequest, ExportWorkerMessage, SmallGroupsOutcome } from './run-export.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;

function post(message: ExportWorkerMessage): void {
  scope.postMessage(message);
}

/** Resolves with the page's `write` request, once the small groups have been counted and said. */
let chooseSmallGroups: ((choice: SmallGroupChoice) => void) | undefined;
const smallGroupsChosen = () =>
  new Promise<SmallGroupChoice>((resolve) => {
    chooseSmallGroups = resolve;
  });

async function readRecords(job: ExportJob): Promise<{ records: ExportRecord[]; skipped: number }> {
  // Rows sealed at rest open here as they do in the page: the same middleware under the same key.
  const dataKey = job.dataKey ? new DataKeyHolder() : undefined;
  if (dataKey && job.dataKey) {
    await dataKey.set(job.dataKey);
    job.dataKey.fill(0);
  }
  const db = new RasidDb(job.dbName, dataKey ? { dataKey } : {});
  try {
    const { reports, unreadable } = await loadDeskReports(db, job.watermark);
    const received = await receivedTimes(db, reports);
    const records: ExportRecord[] = [];
    let skipped = unreadable.length;
    for (const r of reports) {
      const record = toExportRecord(r.view, { device: r.device || undefined, receivedAt: received.get(r.id) });
      if (record) records.push(record);
      else skipped++;
    }
    return { records, skipped };
  } finally {
    db.close();
    dataKey?.clear();
  }
}

async function run(job: ExportJob): Promise<void> {
  post({ type: 'reading' });
  let read: Awaited<ReturnType<typeof readRecords>>;
  try {
    read = await readRecords(job);
  } catch (e) {
    post({ type: 'error', code: 'exports.err.read', detail: e instanceof Error ? e.message : String(e) });
    return;
  }
  const { records, skipped } = read;
  // Each chunk becomes a Blob at once: the browser keeps Blob bytes outside this worker's heap (on
  // disk when large), so 100,000 rows never sit in memory twice, as text and as the file.
  const parts: Blob[] = [];
  let rows = 0;
  let suppressed: number | undefined;
  let smallGroups: SmallGroupsOutcome | undefined;
  let unplaced: number | undefined;
  let mediaType: string;
  // Checked again here: a profile that skipped its schema must not reach the writers.
  const profile = profileSchema.parse(job.profile);
  if (job.format === 'aggregate_csv' || job.format === 'aggregate_json') {
    const format = job.format === 'aggregate_csv' ? 'csv' : 'json';
    // Counting the cells is one pass over records already in memory: cheap beside writing them.
    const aggregate = aggregateFile(records, { profile, format, exportedAt: job.exportedAt });
    rows = aggregate.rows.length;
    suppressed = aggregate.suppressed;
    mediaType = FILE_FORMATS[format].mediaType;
    for (const text of aggregate.chunks) parts.push(new Blob([text]));
    post({ type: 'progress', rows, total: rows });
  } else {
    const format: ExportFormat = job.format;
    mediaType = FILE_FORMATS[format].mediaType;
    // Said before a row is written: the coordinator may stop and set their areas first.
    unplaced = countUnplaced(records, profile).unplaced;
    post({ type: 'unplaced', unplaced });
    if (profile.kind === 'partner') {
      const found = countSmallGroups(records);
      post({ type: 'smallGroups', ...found });
      // With none there is nothing to choose, and the file is written at once.
      const choice = found.groups > 0 ? await smallGroupsChosen() : 'keep';
      // The request crossed a thread boundary: only a choice the export core knows may reach it.
      if (!SMALL_GROUP_CHOICES.includes(choice)) throw new Error(`Unknown choice for small groups: ${String(choice)}`);
      smallGroups = { ...found, choice };
    }
    const writing = { profile, format, exportedAt: job.exportedAt, ...(smallGroups && { smallGroups: smallGroups.choice }) };
    for await (const chunk of exportChunks(records, writing)) {
      parts.push(new Blob([chunk.text]));
      rows = chunk.rows;
      post({ type: 'progress', rows: chunk.rows, total: chunk.total });
    }
  }
  post({
    type: 'done',
    blob: new Blob(parts, { type: mediaType }),
    rows,
    skipped,
    ...(suppressed === undefined ? {} : { suppressed }),
    ...(smallGroups && { smallGroups }),
    ...(unplaced === undefined ? {} : { unplaced }),
  });
}

scope.onmessage = (e: MessageEvent<ExportRequest>) => {
  const request = e.data;
  if (request.type === 'write') {
    chooseSmallGroups?.(request.smallGroups);
    return;
  }
  run(request.job)
    .catch((err: unknown) => {
      const code = err instanceof Error && err.message.startsWith('err.') ? err.message : 'exports.err.failed';
      post({ type: 'error', code, detail: err instanceof Error ? err.message : String(err) });
    })
    .finally(() => scope.close());
};
