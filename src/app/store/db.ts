/**
 * The phone's database. Reports hold their merged state with per-field heads; ops are the log that
 * sync pushes (the outbox is every own op above the server's watermark, so acknowledging a batch
 * rewrites nothing); drafts hold forms as typed; meta holds what must commit with them (the clock and
 * the last own deviceSeq, and the pull cursor with its epoch, written in the transaction that applies
 * the ops it covers).
 * Settings hold the merged state of deployment and desk ops (the roster, the gazetteer), apart from
 * reports so the list never meets them. Quarantine holds ops that arrived and could not be read, or
 * not yet: those waiting for a key are kept whole and tried again when this device's keys or the
 * roster's keys change.
 *
 * Only non-sensitive values are indexed: ids, type, creation time, device and sequence numbers, and
 * a conflict marker.
 */
import Dexie, { type IndexableType, type Table } from 'dexie';
import type { Hlc } from '../../domain/hlc.ts';
import type { DeviceId, OpId, ReportId, SettingId } from '../../domain/ids.ts';
import { viewOf, type MergedState } from '../../domain/merge.ts';
import type { Attachment, Op } from '../../domain/op/op.ts';
import type { Cursor, Watermark } from '../../domain/op/sync.ts';
import type { WireOp } from '../../domain/op/wire.ts';
import type { TrustSummary } from '../../domain/trusted-roster.ts';
import { isSealedTable, UNREADABLE_PROP, type DataKeyHolder } from './at-rest.ts';
import { atRestMiddleware } from './at-rest-middleware.ts';

export interface ReportRow {
  id: ReportId;
  /** '' until the create op has arrived. */
  type: string;
  /** HLC of the create op; '' until it has arrived. Sorts newest-first as a string. */
  createdAt: string;
  state: MergedState<ReportId>;
  /** Highest deviceSeq of this device's own ops on the report: above the watermark means not yet synced. */
  lastOwnSeq: number;
  /** 1 while the merged report has a conflict; absent otherwise, so the index holds only those (the queue). */
  hasConflict?: 1;
}

export interface OpRow extends Op {
  /** The server's sequence number and received time (ms), once the op was pulled from it. */
  seq?: number;
  receivedAt?: number;
  /** Why the server rejected it, for good (a catalog key). A rejected op leaves the merged state. */
  rejected?: string;
  /** The body exactly as it arrived, when that differs from its canonical JSON: relayed byte for byte. */
  rawBody?: string;
  /**
   * The op exactly as it travels in version 2 (sealed, or a deployment op signed in clear): made
   * once, before its first push, so every retry and relay sends the same bytes.
   */
  wire?: WireOp;
  /**
   * Set on another device's op that travelled with nothing a device that pinned the root can check
   * its author by (domain/vouching.ts, `needsVouching`), as it was taken in: kept in clear and
   * indexed, so the vouching review reads those ops alone (sync/vouching.ts). Rows taken in before
   * version 5 carry none until that review first marks them (`vouchingMarked`).
   */
  needsVouching?: 1;
}

/** The merged state of a deployment or desk setting, by its fixed id (`roster`, `gazetteer`). */
export interface SettingRow {
  id: SettingId;
  state: MergedState<SettingId>;
}

/** An op that arrived and could not be read, or waits for a key to open it. It never blocks the ops behind it. */
export interface QuarantineRow {
  /**
   * The op's id, or `seq:<n>` when not even that could be read: text, not an op id, since what
   * arrived here is exactly what could not be read.
   */
  id: string;
  /** Catalog key: why it could not be read. */
  reason: string;
  /** What arrived, as JSON text: whole while it waits for a key (it is opened from this), otherwise cut at 64 KiB. */
  raw: string;
  seq?: number;
  receivedAt?: number;
  /** When it was put here, on this device's clock. */
  at: number;
}

export interface DraftRow {
  id: string;
  /** Set when the draft edits a saved report. */
  reportId?: ReportId;
  type: string;
  /** The form exactly as typed, valid or not: a draft never loses what the monitor wrote. */
  values: Record<string, string>;
  updatedAt: number;
}

/**
 * A photo this device holds, as the form kept it: its attachment (the blob key included, so the row
 * is sealed) and where its upload stands. Its bytes are the sealed blob, in `blobChunks`.
 */
export interface PhotoRow {
  /** Random, given when keeping starts, before the blob's hash is known. */
  id: string;
  /** The sealed blob's SHA-256, as the base names it: uploads find the photo by it. */
  blob: string;
  attachment: Attachment;
  /** The upload under way at the base (its URL), so that it resumes after a reload. */
  uploadUrl?: string;
  /** 1 once the base holds the blob (an upload finished, or the base said it held it). */
  held?: 1;
  /** A small JPEG of the photo (base64url), turned upright and with no metadata: what forms and lists show. */
  thumbnail?: string;
  /** The monitor said no to the position the original carried: it was removed before the original was hashed. */
  positionRemoved?: true;
  /** 1 when the photo fetched is not what its author signed (photos/fetch-photo.ts): its bytes were not kept, and it is never shown. */
  unverified?: 1;
}

/**
 * The sealed blob of a photo, one 64 KiB chunk (sealed under the photo's blob key) a row, in the
 * order of `index`: written as the photo is read, so that keeping one never holds it whole in
 * memory. The blob key is only in the sealed photo and op rows: without the data key these rows are
 * ciphertext no key on the phone opens, so they are not sealed a second time.
 */
export interface BlobChunkRow {
  photo: string;
  index: number;
  bytes: Uint8Array<ArrayBuffer>;
}

/** What the next own op continues from: this device's clock and its last deviceSeq. */
export interface WriterState {
  device: DeviceId;
  clock: Hlc;
  deviceSeq: number;
}

export interface MetaRows {
  writer: WriterState;
  /** Highest own deviceSeq the server has decided without a gap. */
  watermark: number;
  /** The base's receipt for `watermark`, when it gave one: shown back if the base later holds less. */
  watermarkReceipt: string | null;
  /** Where the last pull ended, and the epoch of the store it names; null pulls from zero. */
  cursor: Cursor | null;
  epoch: string | null;
  /** Coordinators: every device's watermark from the last response, to relay ops the base lacks. */
  watermarks: Watermark[];
  /** The body codecs every device opens, as the base last said: what own ops are sealed with (decision 092). */
  codecs: number[];
  /**
   * The keys this device could open ops with when it last tried those waiting in quarantine, and the
   * `waitingAdded` it read then: the next try skips the quarantine only if neither has changed.
   */
  waitingTried: string;
  /** Changed whenever an op is put in the quarantine to wait for a key (sync/take-in-steps.ts). */
  waitingAdded: string;
  /** Once this device pinned its deployment's root: the trusted roster as it last stood (sync/trust.ts). */
  trust: TrustSummary;
  /** Revoked devices' cut-offs whose later ops this device has set aside (sync/take-in.ts), by device. */
  cutoffsApplied: Record<string, number>;
  /** Once this device, having pinned the root, vouched for its own ops from before it (sync/vouching.ts). */
  ownVouched: boolean;
  /** Once every op row this device held before version 5 that needs vouching carries `needsVouching` (sync/vouching.ts). */
  vouchingMarked: true;
  /** When the last sync that worked finished, on this device's clock, and how many ops it sent and received: shown after a reload. */
  lastSync: LastSync;
  /** Set by the upgrade that sealed the meta table: idb-keyval entries an earlier version kept in clear are sealed next (keyval.ts). */
  entriesToSeal: true;
}
export interface LastSync {
  at: number;
  sent: number;
  received: number;
}
export interface MetaRow {
  key: keyof MetaRows;
  value: MetaRows[keyof MetaRows];
}

const CHUNK = 500;

/** The tables as version 3 left them. */
const V3_TABLES = ['reports', 'ops', 'drafts', 'meta', 'settings', 'quarantine'];

/** Every row of a table read and put back, a chunk at a time; a row that does not open is left as it lies. */
async function writeAgain(table: Table<Record<string, unknown>, IndexableType>): Promise<void> {
  const keys = await table.toCollection().primaryKeys();
  for (let i = 0; i < keys.length; i += CHUNK) {
    const rows = await table.bulkGet(keys.slice(i, i + CHUNK));
    await table.bulkPut(rows.filter((r): r is Record<string, unknown> => r !== undefined && !r[UNREADABLE_PROP]));
  }
}

/** Whether a stored state has a conflict; a damaged row is left for the list to show as unreadable. */
function conflicted(state: MergedState | undefined): boolean {
  try {
    return viewOf(state!).conflicts.length > 0;
  } catch {
    return false;
  }
}

export class RasidDb extends Dexie {
  reports!: Table<ReportRow, ReportId>;
  ops!: Table<OpRow, OpId>;
  drafts!: Table<DraftRow, string>;
  meta!: Table<MetaRow, string>;
  settings!: Table<SettingRow, SettingId>;
  quarantine!: Table<QuarantineRow, string>;
  photos!: Table<PhotoRow, string>;
  blobChunks!: Table<BlobChunkRow, [string, number]>;

  /** The data key holder rows are sealed under, for work that must open the same database elsewhere (the export worker). */
  readonly dataKey?: DataKeyHolder;

  /**
   * With `dataKey`, rows of the report, op, draft, setting and quarantine tables are sealed on disk
   * under the data key it holds (at-rest.ts); without, they are stored as they are.
   */
  constructor(name = 'rasid', options: { dataKey?: DataKeyHolder } = {}) {
    // Chromium's default durability acknowledges a write before it is on disk; a saved report must
    // survive the battery dying right after "Save". Dexie's query cache is off: with it, the list kept
    // offering drafts that the save transaction had already deleted.
    super(name, { chromeTransactionDurability: 'strict', cache: 'disabled' });
    this.dataKey = options.dataKey;
    if (options.dataKey) this.use(atRestMiddleware(options.dataKey));
    this.version(1).stores({
      reports: 'id, createdAt, [type+createdAt]',
      ops: 'id, reportId, [device+deviceSeq]',
      drafts: 'id, updatedAt',
      meta: 'key',
    });
    // v2, sync: ops are found by server seq (a coordinator's reply files), reports by conflict (the
    // queue). Existing rows stay as they are; reports already in conflict get their marker.
    this.version(2)
      .stores({
        reports: 'id, createdAt, [type+createdAt], hasConflict',
        ops: 'id, reportId, [device+deviceSeq], seq',
        settings: 'id',
        quarantine: 'id',
      })
      .upgrade((tx) =>
        tx
          .table<ReportRow, ReportId>('reports')
          .toCollection()
          .modify((row) => {
            if (conflicted(row.state)) row.hasConflict = 1;
          }),
      );
    // v3, at rest: every row of a sealed table is written again through the seal, which seals the
    // meta table for the first time, seals again in format 2 (under the rows subkey) what format 1
    // sealed under the data key itself, and seals what an earlier version kept in clear. Upgrades run
    // in one transaction: a phone whose battery dies half way opens at v2 again and starts over.
    this.version(3)
      .stores({})
      .upgrade(async (tx) => {
        // The tables of v3 by name: a later version's (photos) is not there yet when this step runs.
        for (const name of V3_TABLES.filter(isSealedTable)) await writeAgain(tx.table<Record<string, unknown>, IndexableType>(name));
        await tx.table<MetaRow, string>('meta').put({ key: 'entriesToSeal', value: true });
      });
    // v4, photos: the photos this device keeps, found by their blob's hash, and their sealed chunks.
    this.version(4).stores({ photos: 'id, blob', blobChunks: '[photo+index]' });
    // v5, the vouching review: ops that travelled without proof of their author, found by a mark in
    // clear. Nothing is rewritten here (it would open every op of a desk at start): the review marks
    // the rows held before it once, the first time it runs (sync/vouching.ts).
    this.version(5).stores({ ops: 'id, reportId, [device+deviceSeq], seq, needsVouching' });
  }

  async getMeta<K extends keyof MetaRows>(key: K): Promise<MetaRows[K] | undefined> {
    return (await this.meta.get(key))?.value as MetaRows[K] | undefined;
  }

  async setMeta<K extends keyof MetaRows>(key: K, value: MetaRows[K]): Promise<void> {
    await this.meta.put({ key, value });
  }
}
