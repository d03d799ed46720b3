/**
 * The op store's tables, as Kysely sees them. One description for SQLite and PostgreSQL: the
 * migrations create exactly these, and every query is typed against them.
 *
 * Times are milliseconds since the Unix epoch. Big integers are plain numbers on both dialects
 * (`open.ts` tells `pg` to parse int8 as a number; every value here stays below 2^53).
 */
import type { Insertable, Selectable } from 'kysely';
import type { DeviceId, OpId, ReportId } from '../../domain/ids.ts';
import type { Role } from '../../domain/roles.ts';

export type OpStatus = 'ok' | 'rejected';

/** One row: the store's identity. A new epoch tells devices the store is not the one they knew. */
export interface MetaTable {
  id: number;
  epoch: string;
  created_at: number;
  /** When a server process claimed the store's first coordinator link; null until then. */
  first_link_at: number | null;
  /** The deployment's public key (`<alg>:<base64url>`), set once by a coordinator; null until then. */
  deployment_key: string | null;
  /** The deployment root's public signing key (`<alg>:<base64url>`), set once; null until then (src/domain/root.ts). */
  root_key: string | null;
  /** The key watermark receipts are a MAC under (base64url, 32 random bytes); the base's alone, never sent. */
  receipt_key: string | null;
  /** When a shown loss last renewed the epoch; null if it never has. */
  epoch_renewed_at: number | null;
}

/**
 * The op log. `seq` is the server's order, given out by `counter`. Rejected ops stay here, under
 * their (device, device_seq), so that device's sequence has no gap; they are never served.
 */
export interface OpsTable {
  seq: number;
  id: OpId;
  v: number;
  kind: string;
  /** Text, not a TargetId: a rejected op keeps whatever printable text its header carried. */
  report_id: string;
  device: DeviceId;
  device_seq: number;
  /** Exactly as received: JSON today, ciphertext once ops are sealed. Never parsed here. */
  body: string;
  sig: string | null;
  /** Version 2: the author's outer signature, as pushed; served with the op, never compared. */
  osig: string | null;
  /** Version 2: the sealed blobs of the photos the op adds, as canonical JSON (rules.ts, blobsText); null for none. */
  blobs: string | null;
  status: OpStatus;
  reject_reason: string | null;
  received_at: number;
}

/** One row holding the last sequence number given out. Writers lock it, so they commit in order. */
export interface CounterTable {
  id: number;
  last_seq: number;
}

/** Enrolled devices. Enrollment fills it; the op store reads the role of a relayed op's author. */
export interface DevicesTable {
  device: DeviceId;
  role: Role;
  token_hash: string;
  /** A rotated token the device has not used yet; the old token works until it does. */
  next_token_hash: string | null;
  revoked_at: number | null;
  /**
   * Set with `revoked_at`: the device's last `deviceSeq` this base had taken then. An op of its above
   * it, relayed by a coordinator, is refused; below it, it still counts.
   */
  cutoff?: number | null;
  created_at: number;
  /** The public keys the device sent when it enrolled, as JSON ({name: key}); null if none. */
  public_keys: string | null;
  /** The UTC date (`YYYY-MM-DD`) of its last authenticated request, never a time; null before its first. */
  last_contact?: string | null;
  /** The public id of the enrollment code it used; null for devices enrolled before codes had ids. */
  enrollment_code?: string | null;
  /** The body codecs it said it opens, sorted and comma-separated (`0,1,2`); null if it said nothing. */
  codecs?: string | null;
}

/**
 * One-time enrollment codes, by SHA-256 only: a copy of the database lets no one enroll. A code is
 * spent (`used_at`) by the first device that enrolls with it.
 */
export interface EnrollmentCodesTable {
  code_hash: string;
  role: Role;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  used_by: DeviceId | null;
  /** The code's public id, shown to the coordinator who made it and named in `GET /devices`; never the code. */
  code_id?: string | null;
}

/** Who wrote each report's create op: the one device (besides coordinators) that may edit and see it. */
export interface ReportOwnersTable {
  report_id: ReportId;
  device: DeviceId;
}

/**
 * Per device, the highest device_seq decided (acknowledged or rejected) with no gap below it.
 * Kept up to date by every push, in the same transaction, so answering it never scans the log.
 */
export interface DeviceProgressTable {
  device: DeviceId;
  watermark: number;
}

/**
 * Each sealed blob an acknowledged op names, one row per (op, blob): who may upload it (the op's
 * author, or a coordinator relaying it) and to what size, found by the blob's hash without opening
 * any op.
 */
export interface OpBlobsTable {
  sha256: string;
  bytes: number;
  /** The op's seq, for the report it belongs to (who may download the blob). */
  seq: number;
  /** The op's author. */
  device: DeviceId;
}

/**
 * Uploads (the tus protocol's resources), each bound to the device that began it: no other device
 * may continue, read or end it. Its bytes so far are in the blob bytes (a folder, or blob_chunks).
 */
export interface BlobUploadsTable {
  /** 128 random bits, hex: the last part of the upload's URL. */
  id: string;
  device: DeviceId;
  /** The blob this upload must turn out to be: checked when its last byte is in. */
  sha256: string;
  bytes: number;
  created_at: number;
  /** When its last byte came in and the hash held; null while it is incomplete. */
  done_at: number | null;
}

/** The blobs the base holds whole and checked, each once, in the bytes of one upload. */
export interface BlobsTable {
  sha256: string;
  bytes: number;
  upload_id: string;
  stored_at: number;
}

/** An upload's bytes in the database (PostgreSQL, so that base processes share them): in order of `start`. */
export interface BlobChunksTable {
  upload_id: string;
  start: number;
  data: Uint8Array;
}

export interface Database {
  op_blobs: OpBlobsTable;
  blob_uploads: BlobUploadsTable;
  blobs: BlobsTable;
  blob_chunks: BlobChunksTable;
  meta: MetaTable;
  ops: OpsTable;
  counter: CounterTable;
  devices: DevicesTable;
  report_owners: ReportOwnersTable;
  device_progress: DeviceProgressTable;
  enrollment_codes: EnrollmentCodesTable;
}

export type OpRow = Selectable<OpsTable>;
export type NewOpRow = Insertable<OpsTable>;
