/**
 * The phone's database. Reports hold their merged state with per-field heads; ops are the log that
 * sync pushes (the outbox is every own op above the server's watermark, so acknowledging a batch
 * rewrites nothing); drafts hold forms as typed; meta holds what must commit with them (the clock).
 *
 * Only non-sensitive values are indexed: ids, type, creation time, device and sequence numbers.
 */
import Dexie, { type Table } from 'dexie';
import type { Hlc } from '../../domain/hlc.ts';
import type { ReportState } from '../../domain/merge.ts';
import type { Op } from '../../domain/op.ts';

export interface ReportRow {
  id: string;
  /** '' until the create op has arrived. */
  type: string;
  /** HLC of the create op; '' until it has arrived. Sorts newest-first as a string. */
  createdAt: string;
  state: ReportState;
  /** Highest deviceSeq of this device's own ops on the report: above the watermark means not yet synced. */
  lastOwnSeq: number;
}

export type OpRow = Op;

export interface DraftRow {
  id: string;
  /** Set when the draft edits a saved report. */
  reportId?: string;
  type: string;
  /** The form exactly as typed, valid or not: a draft never loses what the monitor wrote. */
  values: Record<string, string>;
  updatedAt: number;
}

export interface MetaRows {
  hlc: Hlc;
  /** Highest own deviceSeq the server has decided without a gap. */
  watermark: number;
}
export interface MetaRow {
  key: keyof MetaRows;
  value: MetaRows[keyof MetaRows];
}

export class RasidDb extends Dexie {
  reports!: Table<ReportRow, string>;
  ops!: Table<OpRow, string>;
  drafts!: Table<DraftRow, string>;
  meta!: Table<MetaRow, string>;

  constructor(name = 'rasid') {
    // Chromium's default durability acknowledges a write before it is on disk; a saved report must
    // survive the battery dying right after "Save". Dexie's query cache is off: with it, the list kept
    // offering drafts that the save transaction had already deleted.
    super(name, { chromeTransactionDurability: 'strict', cache: 'disabled' });
    this.version(1).stores({
      reports: 'id, createdAt, [type+createdAt]',
      ops: 'id, reportId, [device+deviceSeq]',
      drafts: 'id, updatedAt',
      meta: 'key',
    });
  }

  async getMeta<K extends keyof MetaRows>(key: K): Promise<MetaRows[K] | undefined> {
    return (await this.meta.get(key))?.value as MetaRows[K] | undefined;
  }

  async setMeta<K extends keyof MetaRows>(key: K, value: MetaRows[K]): Promise<void> {
    await this.meta.put({ key, value });
  }
}
