/**
 * The main-thread side of an export: starts the export worker, hands it the reports the screen
 * holds, passes on its progress, stops it on Cancel, and saves the finished file as a download. The
 * reports go as the screen counted them, already opened: a worker opening 100,000 sealed rows again
 * took most of a minute (decision 081). They go a slice at a time, each its own task, so the page
 * keeps drawing; the worker writes the file and only the finished Blob comes back.
 *
 * A partner's file of reports is counted before it is written: the worker says how many small
 * groups it would hold and, when there are any, waits for the coordinator's choice (`writeWith`)
 * before writing a row (docs/decisions.md, 053).
 */
import { nextTask } from '../next-task.ts';
import { AGGREGATE_LEVEL } from '../../export/aggregate.ts';
import type { ExportLogEntry } from '../../export/desk-settings.ts';
import { FILE_FORMATS, type ExportFormat } from '../../export/export-file.ts';
import type { Profile } from '../../export/profile.ts';
import type { SmallGroupChoice, SmallGroupCount } from '../../export/small-groups.ts';
import type { DeskReport, DeskReports } from './desk-reports.ts';

/** What to export: a file of records, or the aggregate counts at the deployment's level, under a profile. */
export type ExportChoice = { format: ExportFormat | 'aggregate_csv' | 'aggregate_json'; profile: Profile };

export type ExportJob = ExportChoice & {
  /** The app's database, where the worker reads when the base received each report (clear parts only, no key). */
  dbName: string;
  /** ISO 8601: written into the file, its name and the log. */
  exportedAt: string;
};

/**
 * What the page posts: the job, the reports a slice at a time, how many could not be read, then,
 * once told of small groups, what becomes of their rows.
 */
export type ExportRequest =
  | { type: 'start'; job: ExportJob }
  | { type: 'reports'; reports: DeskReport[] }
  | { type: 'read'; unreadable: number }
  | { type: 'write'; smallGroups: SmallGroupChoice };

/** Reports posted in one message: cloning a slice is one task on the page, kept well under 50 ms. */
const REPORTS_PER_MESSAGE = 1_000;

/** A partner file's small groups, and what became of them. */
export type SmallGroupsOutcome = SmallGroupCount & { choice: SmallGroupChoice };

/**
 * What the worker posts, in order: reading; for a partner's file of reports, its small groups
 * (waiting for a `write` request when there are any); progress as rows are written; done or error.
 */
export type ExportWorkerMessage =
  | { type: 'reading' }
  /** A file of reports: how many of its rows will carry no admin area and no point. */
  | { type: 'unplaced'; unplaced: number }
  | ({ type: 'smallGroups' } & SmallGroupCount)
  | { type: 'progress'; rows: number; total: number }
  | ({ type: 'done' } & Omit<ExportOutcome, 'fileName' | 'log'>)
  /** `code` is a catalog key; `detail` is what the failure said, for the coordinator to pass on. */
  | { type: 'error'; code: string; detail?: string };

export interface ExportProgress {
  /** Re-encoding photos comes last, for a partner's profile with photos: `rows` and `total` count photos. */
  phase: 'reading' | 'writing' | 'photos';
  rows: number;
  total: number;
}

export interface ExportEvents {
  progress(p: ExportProgress): void;
  /** A file of reports: its rows with no admin area and no point, counted before a row is written. */
  unplaced?(count: number): void;
  /** A partner's file of reports, counted before a row is written; with any small group, the worker waits for `writeWith`. */
  smallGroups?(found: SmallGroupCount): void;
}

export interface ExportOutcome {
  blob: Blob;
  fileName: string;
  rows: number;
  /** Reports that could not be read or have no type yet: not in the file, counted for the coordinator. */
  skipped: number;
  /** An aggregate's cells left out for holding too few reports: how many, never which. */
  suppressed?: number;
  /** A partner's file of reports: its small groups and what became of their rows. */
  smallGroups?: SmallGroupsOutcome;
  /** A file of reports: its rows with no admin area and no point. */
  unplaced?: number;
  /** A partner's file with photos: the reports it holds, in its order. */
  included?: string[];
  /** What the export log records for it. */
  log: Omit<ExportLogEntry, 'by'>;
}

/** A failure the coordinator can read: `code` is a catalog key. */
export class ExportError extends Error {
  constructor(
    readonly code: string,
    readonly detail?: string,
  ) {
    super(detail ? `${code}: ${detail}` : code);
  }
}

export interface RunningExport {
  /** The file, or undefined when cancelled. Rejects with an ExportError. */
  done: Promise<ExportOutcome | undefined>;
  cancel(): void;
  /** Once told of small groups: what becomes of their rows; the worker then writes the file. */
  writeWith(choice: SmallGroupChoice): void;
}

/** The name a choice goes by in file names: the profile's, and an aggregate's level. */
export function exportLabel(choice: ExportChoice): string {
  return isAggregate(choice) ? `${choice.profile.name}-aggregate-adm${AGGREGATE_LEVEL}` : choice.profile.name;
}

export function isAggregate(choice: ExportChoice): choice is ExportChoice & { format: 'aggregate_csv' | 'aggregate_json' } {
  return choice.format === 'aggregate_csv' || choice.format === 'aggregate_json';
}

function extensionOf(choice: ExportChoice): string {
  const format = choice.format === 'aggregate_csv' ? 'csv' : choice.format === 'aggregate_json' ? 'json' : choice.format;
  return FILE_FORMATS[format].extension;
}

/** `rasid-<profile>-<YYYY-MM-DD>.<ext>`, the date of the export in UTC as the file says it. */
export function exportFileName(choice: ExportChoice, exportedAt: string): string {
  return `rasid-${exportLabel(choice)}-${exportedAt.slice(0, 10)}.${extensionOf(choice)}`;
}

/** The worker seen from here: what a test can stand in for. */
export interface ExportWorker {
  postMessage(request: ExportRequest): void;
  terminate(): void;
  onmessage: ((e: MessageEvent<ExportWorkerMessage>) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
}

/** Vite bundles the worker as a chunk of its own, precached like every other script, so exports work offline. */
export function exportWorker(): ExportWorker {
  return new Worker(new URL('./export.worker.ts', import.meta.url), { type: 'module' });
}

export function startExport(
  job: ExportJob,
  desk: Pick<DeskReports, 'reports' | 'unreadable'>,
  on: ExportEvents,
  makeWorker: () => ExportWorker = exportWorker,
): RunningExport {
  let worker: ExportWorker | undefined;
  let settle: (outcome: ExportOutcome | undefined) => void = () => {};
  let fail: (e: ExportError) => void = () => {};
  const done = new Promise<ExportOutcome | undefined>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  const stop = () => {
    worker?.terminate();
    worker = undefined;
  };
  try {
    worker = makeWorker();
  } catch (e) {
    fail(new ExportError('exports.err.worker', e instanceof Error ? e.message : String(e)));
    return { done, cancel: () => {}, writeWith: () => {} };
  }
  worker.onmessage = (e) => {
    const m = e.data;
    if (m.type === 'reading') on.progress({ phase: 'reading', rows: 0, total: 0 });
    else if (m.type === 'unplaced') on.unplaced?.(m.unplaced);
    else if (m.type === 'smallGroups') on.smallGroups?.({ groups: m.groups, rows: m.rows });
    else if (m.type === 'progress') on.progress({ phase: 'writing', rows: m.rows, total: m.total });
    else if (m.type === 'error') {
      stop();
      fail(new ExportError(m.code, m.detail));
    } else {
      stop();
      settle({
        blob: m.blob,
        fileName: exportFileName(job, job.exportedAt),
        rows: m.rows,
        skipped: m.skipped,
        ...(m.suppressed === undefined ? {} : { suppressed: m.suppressed }),
        ...(m.smallGroups === undefined ? {} : { smallGroups: m.smallGroups }),
        ...(m.unplaced === undefined ? {} : { unplaced: m.unplaced }),
        ...(m.included === undefined ? {} : { included: m.included }),
        log: { profile: job.profile.name, format: job.format, rows: m.rows, at: job.exportedAt },
      });
    }
  };
  worker.onerror = (e) => {
    stop();
    // A worker that could not load says little; its event type is still something to pass on.
    fail(new ExportError('exports.err.worker', e.message || e.type));
  };
  worker.postMessage({ type: 'start', job });
  void (async () => {
    for (let at = 0; at < desk.reports.length; at += REPORTS_PER_MESSAGE) {
      await nextTask();
      // Cancelled, failed or done meanwhile: nobody is there to take the rest.
      if (!worker) return;
      worker.postMessage({ type: 'reports', reports: desk.reports.slice(at, at + REPORTS_PER_MESSAGE) });
    }
    worker?.postMessage({ type: 'read', unreadable: desk.unreadable.length });
  })();
  return {
    done,
    cancel: () => {
      if (!worker) return;
      stop();
      settle(undefined);
    },
    writeWith: (choice) => worker?.postMessage({ type: 'write', smallGroups: choice }),
  };
}

/** How long an object URL outlives its click: the download reads the Blob after the click returns. */
const REVOKE_AFTER_MS = 60_000;

/** Saves the file through a download link, never by opening it in a tab, and lets its URL go afterwards. */
export function download(blob: Blob, fileName: string, doc: Document = document): void {
  const url = URL.createObjectURL(blob);
  const link = doc.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  doc.body.append(link);
  try {
    link.click();
  } finally {
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
  }
}
