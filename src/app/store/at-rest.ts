/**
 * Rows as they lie on the phone's disk. Each table keeps in clear only what its indexes and the
 * sync bookkeeping need (ids, type, times, sequence numbers, sync state); everything else of a row
 * is sealed into one `$sealed` property with XChaCha20-Poly1305, with the table's name and the
 * row's key as associated data, so a sealed row moved to another row or table does not open.
 *
 * The key rows are sealed under is not the data key itself but a subkey derived from it with HKDF
 * (format 2); the data key also yields, by another HKDF label, the AES-GCM key that wraps private
 * keys, so no key bytes serve two ciphers. Format 1 rows, sealed under the data key itself by
 * earlier versions, still open, and are sealed again in format 2 when the database is upgraded.
 *
 * A row with no seal at all is refused (read as unreadable) except inside that upgrade: once a
 * phone has a passcode, a row planted in clear in its profile must never be sealed, signed and
 * sent as if this device had written it.
 *
 * The cipher is synchronous on purpose: a row is sealed inside the transaction that writes it, so an
 * op and its report still land in one strict transaction (WebCrypto's asynchronous calls would end
 * an IndexedDB transaction half way). docs/decisions.md, 035, has the measurements behind the choice.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { DATA_KEY_BYTES } from '../lock/options.ts';
import type { MergedState } from '../../domain/merge.ts';
import { packState, unpackState } from './packed-state.ts';

export const SEALED_PROP = '$sealed';
/** Set on a row whose sealed part did not open, or that had none: only its clear part is there. */
export const UNREADABLE_PROP = '$unreadable';
/** Under the data key itself, as versions before subkeys sealed: read, never written. */
const FORMAT_DATA_KEY = 1;
/** Under the rows subkey. */
const FORMAT = 2;
const NONCE_BYTES = 24;

/** Per table, the properties kept in clear; every other property is sealed. Tables not named are not sealed. */
export const CLEAR_PROPS: Readonly<Record<string, readonly string[]>> = {
  reports: ['id', 'type', 'createdAt', 'lastOwnSeq', 'hasConflict'],
  ops: ['id', 'v', 'kind', 'reportId', 'device', 'deviceSeq', 'seq', 'receivedAt', 'rejected', 'needsVouching'],
  drafts: ['id', 'updatedAt'],
  settings: ['id'],
  quarantine: ['id', 'seq', 'receivedAt', 'at'],
  photos: ['id', 'blob', 'held'],
  // The clock, watermarks, the trusted roster's summary: what decides which key new ops seal to and
  // whom they trust must not be open to a hand that holds the profile but not the passcode.
  meta: ['key'],
  // Entries in idb-keyval (keyval.ts), each sealed whole: the enrollment (its token is a
  // secret), the pinned deployment key and root (whom this device trusts), and the key file.
  enrollment: [],
  deploymentKey: [],
  deploymentRoot: [],
  deploymentKeyFile: [],
};

/**
 * Tables whose rows hold a merged state (`state`): it is sealed packed, under this name instead
 * (packed-state.ts, decision 100). Rows sealed before still hold `state` in full, and open as they are.
 */
const PACKED_STATE_TABLES: ReadonlySet<string> = new Set(['reports', 'settings']);
const PACKED_STATE_PROP = 'packedState';

/** Asked to read or write a sealed table while the app is locked. */
export class LockedError extends Error {
  readonly code = 'lock.err.locked';
  constructor() {
    super('locked');
    this.name = 'LockedError';
  }
}

/** A sealed row that does not open (changed on disk, moved, or sealed under another key), or a row that was never sealed. */
export class UnreadableRowError extends Error {
  readonly code = 'lock.err.unreadableRow';
  constructor(table: string) {
    super(`a row of ${table} does not open`);
    this.name = 'UnreadableRowError';
  }
}

/** What rows are sealed and opened with. */
export interface RowKeys {
  /** The HKDF subkey rows are sealed under (format 2). */
  rows: Uint8Array;
  /** The data key itself, to open rows of format 1. */
  data: Uint8Array;
}

interface Held extends RowKeys {
  /** The HKDF subkey that wraps private keys (AES-GCM), non-extractable. */
  wrapping: CryptoKey;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** One HKDF-SHA-256 label per purpose; the salt names the scheme, so another use of a key of the same bytes derives apart. */
const hkdf = (purpose: string): HkdfParams => ({
  name: 'HKDF',
  hash: 'SHA-256',
  salt: encoder.encode('rasid/data-key'),
  info: encoder.encode(purpose),
});

/** The data key while the app is unlocked, with the subkeys derived from it; nothing after `clear()`. */
export class DataKeyHolder {
  private held: Held | undefined;

  /** Takes a copy of the data key and derives its subkeys; the caller may overwrite its own bytes once this resolves. */
  async set(key: Uint8Array): Promise<void> {
    if (key.length !== DATA_KEY_BYTES) throw new Error('a data key is 32 bytes');
    const data = Uint8Array.from(key);
    const base = await crypto.subtle.importKey('raw', data, 'HKDF', false, ['deriveBits', 'deriveKey']);
    const [rows, wrapping] = await Promise.all([
      crypto.subtle.deriveBits(hkdf('rasid/rows/2'), base, 256),
      crypto.subtle.deriveKey(hkdf('rasid/wrap/2'), base, { name: 'AES-GCM', length: 256 }, false, ['wrapKey', 'unwrapKey']),
    ]);
    this.clear();
    this.held = { data, rows: new Uint8Array(rows), wrapping };
  }

  /** Drops the keys from memory (the bytes are overwritten, not just forgotten). */
  clear(): void {
    this.held?.data.fill(0);
    this.held?.rows.fill(0);
    this.held = undefined;
  }

  get unlocked(): boolean {
    return this.held !== undefined;
  }

  private keys(): Held {
    if (!this.held) throw new LockedError();
    return this.held;
  }

  /** The data key itself: to hand to a worker that derives the same subkeys, or to open what format 1 sealed. */
  get(): Uint8Array {
    return this.keys().data;
  }

  rowKeys(): RowKeys {
    return this.keys();
  }

  /** The AES-GCM key that wraps this device's private keys. */
  wrappingKey(): CryptoKey {
    return this.keys().wrapping;
  }
}

function associatedData(format: number, table: string, primaryKey: unknown): Uint8Array {
  return encoder.encode(`rasid/at-rest/${format}\u0000${table}\u0000${JSON.stringify(primaryKey)}`);
}

export function isSealedTable(table: string): boolean {
  return Object.hasOwn(CLEAR_PROPS, table);
}

/** The row as stored: its clear properties and the rest sealed, in the current format. */
export function sealRow(
  table: string,
  row: Record<string, unknown>,
  primaryKey: unknown,
  keys: RowKeys,
  random: (n: number) => Uint8Array,
): Record<string, unknown> {
  const clear = CLEAR_PROPS[table]!;
  const stored: Record<string, unknown> = {};
  const secret: Record<string, unknown> = {};
  const packs = PACKED_STATE_TABLES.has(table);
  for (const [name, value] of Object.entries(row)) {
    if (clear.includes(name)) stored[name] = value;
    else if (packs && name === 'state' && value !== undefined) secret[PACKED_STATE_PROP] = packState(value as MergedState);
    else if (value !== undefined) secret[name] = value;
  }
  const nonce = random(NONCE_BYTES);
  const sealed = xchacha20poly1305(keys.rows, nonce, associatedData(FORMAT, table, primaryKey)).encrypt(
    encoder.encode(JSON.stringify(secret)),
  );
  const out = new Uint8Array(1 + NONCE_BYTES + sealed.length);
  out[0] = FORMAT;
  out.set(nonce, 1);
  out.set(sealed, 1 + NONCE_BYTES);
  stored[SEALED_PROP] = out;
  return stored;
}

/**
 * The row as the app knows it. A row with no seal is returned as it is only with `takeClear` (the
 * upgrade that seals what was stored in clear); otherwise it is refused like a damaged one.
 */
export function openRow(
  table: string,
  stored: Record<string, unknown>,
  primaryKey: unknown,
  keys: RowKeys,
  opts: { takeClear?: boolean } = {},
): Record<string, unknown> {
  const sealed = stored[SEALED_PROP];
  if (sealed === undefined) {
    if (opts.takeClear) return stored;
    throw new UnreadableRowError(table);
  }
  const format = sealed instanceof Uint8Array ? sealed[0] : undefined;
  if (!(sealed instanceof Uint8Array) || sealed.length < 1 + NONCE_BYTES + 16 || (format !== FORMAT && format !== FORMAT_DATA_KEY))
    throw new UnreadableRowError(table);
  let secret: unknown;
  try {
    const key = format === FORMAT ? keys.rows : keys.data;
    const plain = xchacha20poly1305(key, sealed.subarray(1, 1 + NONCE_BYTES), associatedData(format, table, primaryKey)).decrypt(
      sealed.subarray(1 + NONCE_BYTES),
    );
    secret = JSON.parse(decoder.decode(plain));
    const packed = (secret as Record<string, unknown>)[PACKED_STATE_PROP];
    if (packed !== undefined && PACKED_STATE_TABLES.has(table)) {
      const { [PACKED_STATE_PROP]: _, ...rest } = secret as Record<string, unknown>;
      secret = { ...rest, state: unpackState(packed) };
    }
  } catch {
    throw new UnreadableRowError(table);
  }
  const row: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(stored)) if (name !== SEALED_PROP) row[name] = value;
  return Object.assign(row, secret);
}

/** What is left of a row that does not open: its clear properties alone, marked. Nothing a hand could have planted beside them. */
export function unreadableRow(table: string, stored: Record<string, unknown>): Record<string, unknown> {
  const clear: Record<string, unknown> = { [UNREADABLE_PROP]: true };
  for (const name of CLEAR_PROPS[table] ?? []) if (Object.hasOwn(stored, name)) clear[name] = stored[name];
  return clear;
}
