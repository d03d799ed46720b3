import { describe, expect, test } from 'vitest';
import {
  startExport,
  type ExportJob,
  type ExportProgress,
  type ExportRequest,
  type ExportWorker,
  type ExportWorkerMessage,
} from '../../../src/app/desk/run-export.ts';
import { partnerProfile } from '../../../src/export/profile.ts';
import type { SmallGroupCount } from '../../../src/export/small-groups.ts';

const EXPORTED_AT = '2025-03-12T08:00:00.000Z';
const PARTNER = partnerProfile({ name: 'shelter-cluster', key: 'A'.repeat(43) });

/** A worker the test speaks for: it keeps what the page asked of it, and says what the test tells it to. */
class FakeWorker implements ExportWorker {
  readonly requests: ExportRequest[] = [];
  terminated = false;
  onmessage: ((e: MessageEvent<ExportWorkerMessage>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  postMessage(request: ExportRequest): void {
    this.requests.push(request);
  }
  terminate(): void {
    this.terminated = true;
  }
  say(message: ExportWorkerMessage): void {
    this.onmessage?.({ data: message } as MessageEvent<ExportWorkerMessage>);
  }
}

function start(format: ExportJob['format'] = 'csv') {
  const worker = new FakeWorker();
  const progress: ExportProgress[] = [];
  const told: SmallGroupCount[] = [];
  const job: ExportJob = { format, profile: PARTNER, dbName: 'rasid', watermark: 0, exportedAt: EXPORTED_AT };
  const run = startExport(job, { progress: (p) => progress.push(p), smallGroups: (found) => told.push(found) }, () => worker);
  return { worker, run, progress, told };
}

describe("a partner's file of reports with small groups, from the page", () => {
  test('is counted and said before a row is written, and written only once the coordinator has chosen', async () => {
    const { worker, run, progress, told } = start();
    worker.say({ type: 'reading' });
    worker.say({ type: 'smallGroups', groups: 3, rows: 7 });
    expect(told).toEqual([{ groups: 3, rows: 7 }]);
    // Nothing asked the worker to write yet: it waits.
    expect(worker.requests.map((r) => r.type)).toEqual(['start']);
    expect(progress.map((p) => p.phase)).toEqual(['reading']);

    run.writeWith('drop');
    expect(worker.requests.at(-1)).toEqual({ type: 'write', smallGroups: 'drop' });
    worker.say({ type: 'progress', rows: 5, total: 5 });
    const smallGroups = { groups: 3, rows: 7, choice: 'drop' as const };
    worker.say({ type: 'done', blob: new Blob(['id\n']), rows: 5, skipped: 0, smallGroups });
    const outcome = await run.done;
    expect(outcome?.smallGroups).toEqual(smallGroups);
    expect(outcome?.log).toEqual({ profile: 'shelter-cluster', format: 'csv', rows: 5, at: EXPORTED_AT });
    expect(worker.terminated).toBe(true);
  });

  test('cancelled while the choice is asked, ends the worker and saves nothing', async () => {
    const { worker, run } = start('json');
    worker.say({ type: 'smallGroups', groups: 1, rows: 2 });
    run.cancel();
    expect(await run.done).toBeUndefined();
    expect(worker.terminated).toBe(true);
    // A choice made after the end reaches no worker.
    run.writeWith('keep');
    expect(worker.requests.map((r) => r.type)).toEqual(['start']);
  });
});
