import { describe, expect, test, vi } from 'vitest';
import type { DeskReports } from '../../../src/app/desk/desk-reports.ts';
import type { ReportId } from '../../../src/domain/ids.ts';
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

/** Reports as the desk holds them, opened; only their ids matter here. */
function deskOf(count: number): Pick<DeskReports, 'reports' | 'unreadable'> {
  const reports = Array.from({ length: count }, (_, i) => {
    const id = `01a2428d-0000-7000-8000-${String(i).padStart(12, '0')}` as ReportId;
    return { id, view: { id, values: {}, conflicts: [], deleted: false }, device: '' as const, unsynced: false };
  });
  return { reports, unreadable: ['damaged-row'] };
}

function start(format: ExportJob['format'] = 'csv', desk = deskOf(3)) {
  const worker = new FakeWorker();
  const progress: ExportProgress[] = [];
  const told: SmallGroupCount[] = [];
  const job: ExportJob = { format, profile: PARTNER, dbName: 'rasid', exportedAt: EXPORTED_AT };
  const run = startExport(job, desk, { progress: (p) => progress.push(p), smallGroups: (found) => told.push(found) }, () => worker);
  return { worker, run, progress, told };
}

/** Until the page has handed over every report: it posts them a task at a time. */
async function allHandedOver(worker: FakeWorker): Promise<void> {
  await vi.waitFor(() => expect(worker.requests.some((r) => r.type === 'read')).toBe(true));
}

describe('the reports, from the page to the worker', () => {
  test('go as the screen holds them, in slices each its own task, then how many could not be read', async () => {
    const desk = deskOf(2_500);
    const { worker } = start('csv', desk);
    // Nothing but the job went in the task that started the export.
    expect(worker.requests.map((r) => r.type)).toEqual(['start']);
    await allHandedOver(worker);
    const slices = worker.requests.flatMap((r) => (r.type === 'reports' ? [r.reports] : []));
    expect(slices.length).toBeGreaterThan(1);
    expect(slices.flat().map((r) => r.id)).toEqual(desk.reports.map((r) => r.id));
    expect(worker.requests.at(-1)).toEqual({ type: 'read', unreadable: 1 });
  });

  test('stop going once the export is cancelled', async () => {
    const { worker, run } = start('csv', deskOf(2_500));
    run.cancel();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(await run.done).toBeUndefined();
    expect(worker.requests.map((r) => r.type)).toEqual(['start']);
  });
});

describe("a partner's file of reports with small groups, from the page", () => {
  test('is counted and said before a row is written, and written only once the coordinator has chosen', async () => {
    const { worker, run, progress, told } = start();
    await allHandedOver(worker);
    worker.say({ type: 'reading' });
    worker.say({ type: 'smallGroups', groups: 3, rows: 7 });
    expect(told).toEqual([{ groups: 3, rows: 7 }]);
    // Nothing asked the worker to write yet: it waits.
    expect(worker.requests.map((r) => r.type)).toEqual(['start', 'reports', 'read']);
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
    expect(worker.requests.map((r) => r.type)).not.toContain('write');
  });
});
