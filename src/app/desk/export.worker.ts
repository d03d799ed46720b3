/**
 * The export worker: takes the reports the page holds (opened, as the screen counted them), a slice
 * at a time, reads when the base received each (the ops' clear parts: no key comes here), builds the
 * export records, writes the file in chunks, posting progress as it goes, and posts the finished
 * file as a Blob. The page stays responsive however many reports there are, and Cancel is simply the
 * end of this worker.
 *
 * A partner's file of reports is counted first, here, where the records already are: the page is
 * told how many small groups it would hold, and when there are any this worker waits for the
 * coordinator's choice before writing a row.
 */
import { profileSchema } from '../../export/profile.ts';
import { toExportRecord, type ExportRecord } from '../../export/record.ts';
import type { SmallGroupChoice } from '../../export/small-groups.ts';
import { RasidDb } from '../store/db.ts';
import { receivedTimes, type DeskReport } from './desk-reports.ts';
import { writeExportFile } from './write-export.ts';
// Types only: run-export.ts starts this worker, and a worker bundling its own starter would nest itself.
import type { ExportJob, ExportRequest, ExportWorkerMessage } from './run-export.ts';

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

/** The reports as the page sends them; resolved with the count it could not read once all have come. */
const reports: DeskReport[] = [];
let allRead: ((unreadable: number) => void) | undefined;
const reportsRead = new Promise<number>((resolve) => {
  allRead = resolve;
});

async function readRecords(job: ExportJob): Promise<{ records: ExportRecord[]; skipped: number }> {
  const unreadable = await reportsRead;
  const db = new RasidDb(job.dbName);
  try {
    const received = await receivedTimes(db, reports);
    const records: ExportRecord[] = [];
    let skipped = unreadable;
    for (const r of reports) {
      const record = toExportRecord(r.view, { device: r.device || undefined, receivedAt: received.get(r.id) });
      if (record) records.push(record);
      else skipped++;
    }
    return { records, skipped };
  } finally {
    db.close();
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
  // Checked again here: a profile that skipped its schema must not reach the writers.
  const profile = profileSchema.parse(job.profile);
  const file = await writeExportFile(
    records,
    { format: job.format, profile, exportedAt: job.exportedAt },
    {
      unplaced: (unplaced) => post({ type: 'unplaced', unplaced }),
      smallGroups: (found) => {
        post({ type: 'smallGroups', ...found });
        // With none there is nothing to choose, and the file is written at once.
        return found.groups > 0 ? smallGroupsChosen() : Promise.resolve('keep');
      },
      progress: (rows, total) => post({ type: 'progress', rows, total }),
    },
  );
  post({ type: 'done', ...file, skipped });
}

scope.onmessage = (e: MessageEvent<ExportRequest>) => {
  const request = e.data;
  if (request.type === 'write') {
    chooseSmallGroups?.(request.smallGroups);
    return;
  }
  if (request.type === 'reports') {
    for (const r of request.reports) reports.push(r);
    return;
  }
  if (request.type === 'read') {
    allRead?.(request.unreadable);
    return;
  }
  run(request.job)
    .catch((err: unknown) => {
      const code = err instanceof Error && err.message.startsWith('err.') ? err.message : 'exports.err.failed';
      post({ type: 'error', code, detail: err instanceof Error ? err.message : String(err) });
    })
    .finally(() => scope.close());
};
