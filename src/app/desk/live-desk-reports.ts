/**
 * The desk's reports held in memory while a desk screen is open, kept current by reading again only
 * the reports each write touched. Reading every report again at each change (what a live query over
 * the whole table does) costs as much as the first read: opening 100,000 sealed rows takes tens of
 * seconds, and a new desk's pull changes the table a batch at a time, so the list stayed empty until
 * the pull ended and the pull itself slowed to half its speed.
 *
 * The first read goes newest first, a page at a time, and the screens get what has been read after
 * each page (less often as more is held): the newest reports show at once and the filters work
 * on what has arrived while the rest is read. Writes from this tab or another (Dexie's
 * `storagemutated` names the keys each committed write touched) mark their reports to read again.
 *
 * What is held is dropped KEEP_AFTER_LAST_MS after the last desk screen closes: moving between the
 * list, the map and the charts reads nothing again. Locking reloads the page, and takes it with it.
 */
import { cmp, Dexie, RangeSet, type IndexableType, type ObservabilitySet } from 'dexie';
import type { ReportId } from '../../domain/ids.ts';
import type { RasidDb, ReportRow } from '../store/db.ts';
import { useEffect, useState } from 'preact/hooks';
import { deskReportOf, type DeskReport, type DeskReports } from './desk-reports.ts';

const FIRST_PAGE = 200;
/** Opening a row takes about half a millisecond on the main thread: a page stays a short task. */
const MAX_PAGE = 500;
/**
 * The screens index, filter and sort all they are given at each publish, so with more held they are
 * given it less often: every half second at first, about every 10 s at 100,000 reports.
 */
const publishEveryMs = (held: number) => 500 + held / 10;
const KEEP_AFTER_LAST_MS = 30_000;
/** Keys read again per transaction after writes. */
const REREAD_CHUNK = 1000;

/** A report as held: its desk report, or none when its row did not read. */
interface Held {
  report: DeskReport | undefined;
  lastOwnSeq: number;
}

type Listener = (value: DeskReports) => void;

export class LiveDeskReports {
  private readonly held = new Map<string, Held>();
  private readonly listeners = new Map<Listener, number>();
  private readonly dirty = new Set<ReportId>();
  /** A write touched a range of keys, not named ones (a clear, a delete by range): read all again. */
  private everything = true;
  private running: Promise<void> | undefined;
  private published = false;
  private complete = false;
  private version = 0;
  private cached: { version: number; watermark: number; value: DeskReports } | undefined;
  private dropTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private readonly parts: readonly string[];

  constructor(
    private readonly db: RasidDb,
    private readonly onClose: () => void,
    private readonly now: () => number = Date.now,
  ) {
    this.parts = [`idb://${db.name}/reports/`, `idb://${db.name}/reports/:dels`];
    Dexie.on('storagemutated', this.mutated);
  }

  /** Calls `listener` with the reports now and after each change, until the returned function is called. */
  subscribe(watermark: number, listener: Listener): () => void {
    clearTimeout(this.dropTimer);
    this.listeners.set(listener, watermark);
    if (this.published) listener(this.snapshot(watermark));
    this.refresh();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.dropTimer = setTimeout(() => this.close(), KEEP_AFTER_LAST_MS);
    };
  }

  private close(): void {
    this.closed = true;
    Dexie.on('storagemutated').unsubscribe(this.mutated);
    this.held.clear();
    this.cached = undefined;
    this.onClose();
  }

  private readonly mutated = (changed: ObservabilitySet): void => {
    let touched = false;
    for (const part of this.parts) {
      const tree = changed[part];
      if (!tree || tree.d === 0) continue;
      touched = true;
      for (const range of new RangeSet().add(tree)) {
        if (typeof range.from === 'string' && cmp(range.from, range.to) === 0) this.dirty.add(range.from as ReportId);
        else this.everything = true;
      }
    }
    if (touched) this.refresh();
  };

  /** Starts reading what is due, unless a read runs: it reads what came due meanwhile before it ends. */
  private refresh(): void {
    if (this.running || this.closed) return;
    this.running = this.readDue()
      .catch((e: unknown) => {
        // Locked, or the database went away: the next write or screen tries again.
        this.everything = true;
        console.error(e);
      })
      .finally(() => {
        this.running = undefined;
        // A write announced after the last look at what was due, and before this: read it now.
        if (this.dirty.size > 0) this.refresh();
      });
  }

  private async readDue(): Promise<void> {
    while (!this.closed && (this.everything || this.dirty.size > 0)) {
      if (this.everything) {
        this.everything = false;
        this.dirty.clear();
        await this.readAll();
      } else {
        const keys = [...this.dirty];
        this.dirty.clear();
        for (let i = 0; i < keys.length && !this.closed; i += REREAD_CHUNK) {
          const chunk = keys.slice(i, i + REREAD_CHUNK);
          const rows = await this.db.reports.bulkGet(chunk);
          chunk.forEach((id, j) => this.hold(id, rows[j]));
        }
        this.publish();
      }
    }
  }

  /** Every report, newest first a page at a time; what is held but no longer there is let go at the end. */
  private async readAll(): Promise<void> {
    const seen = new Set<string>();
    let last: IndexableType | undefined;
    let size = FIRST_PAGE;
    let publishedAt = -Infinity;
    for (;;) {
      const rows: ReportRow[] = await (last === undefined
        ? this.db.reports.orderBy(':id').reverse().limit(size).toArray()
        : this.db.reports.where(':id').below(last).reverse().limit(size).toArray());
      if (this.closed) return;
      for (const row of rows) {
        seen.add(row.id);
        this.hold(row.id, row);
      }
      if (rows.length < size) break;
      last = rows[rows.length - 1]!.id;
      size = Math.min(size * 2, MAX_PAGE);
      if (this.now() - publishedAt >= publishEveryMs(this.held.size)) {
        this.publish();
        publishedAt = this.now();
      }
    }
    for (const id of this.held.keys()) {
      if (!seen.has(id)) {
        this.held.delete(id);
        this.version++;
      }
    }
    if (!this.complete) {
      this.complete = true;
      this.version++;
    }
    this.publish();
  }

  private hold(id: string, row: ReportRow | undefined): void {
    this.version++;
    if (row === undefined) {
      this.held.delete(id);
      return;
    }
    this.held.set(id, { report: deskReportOf(row, 0), lastOwnSeq: row.lastOwnSeq });
  }

  private publish(): void {
    this.published = true;
    for (const [listener, watermark] of this.listeners) listener(this.snapshot(watermark));
  }

  /** The reports as held, `unsynced` set for `watermark`; the same object until something changes. */
  private snapshot(watermark: number): DeskReports {
    const cached = this.cached;
    if (cached && cached.version === this.version && cached.watermark === watermark) return cached.value;
    const reports: DeskReport[] = [];
    const unreadable: string[] = [];
    for (const [id, entry] of this.held) {
      const report = entry.report;
      if (!report) {
        unreadable.push(id);
        continue;
      }
      const unsynced = entry.lastOwnSeq > watermark;
      // A new object only where the flag moved: the screens' caches keep the rest.
      if (report.unsynced !== unsynced) entry.report = { ...report, unsynced };
      reports.push(entry.report!);
    }
    const value = { reports, unreadable, readAt: this.now(), complete: this.complete };
    this.cached = { version: this.version, watermark, value };
    return value;
  }
}

const live = new WeakMap<RasidDb, LiveDeskReports>();

/** The one LiveDeskReports of `db` while any desk screen uses it. */
export function liveDeskReports(db: RasidDb): LiveDeskReports {
  let held = live.get(db);
  if (!held) {
    held = new LiveDeskReports(db, () => live.delete(db));
    live.set(db, held);
  }
  return held;
}

/**
 * Every report, kept current as sync and edits change them; undefined until they are all read. With
 * `partial` (the list, which says it is still reading), from the first page on.
 */
export function useDeskReports(db: RasidDb, watermark: number, { partial = false } = {}): DeskReports | undefined {
  const [value, setValue] = useState<DeskReports>();
  useEffect(
    () =>
      liveDeskReports(db).subscribe(watermark, (next) => {
        if (partial || next.complete) setValue(next);
      }),
    [db, watermark, partial],
  );
  return value;
}
