/**
 * Rows as they lie on the phone's disk. Each table keeps in clear only what its indexes and the
 * sync bookkeeping need (ids, type, times, sequence numbers, sync state); everything else of a row
 * is sealed into one `$sealed` property with XChaCha20-Poly1305 under the data key, with the
 * table's name and the row's key as associated data, so a sealed row moved to another row or table
 * does not open.
 *
 * The cipher is synchronous on purpose: a row is sealed inside the transaction that writes it, so an
 * op and its report still land in one strict transaction (WebCrypto's asynchronous calls would end
 * an IndexedDB transaction half way). docs/decisions.md, 035, has the measurements behind the choice.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';

export const SEALED_PROP = '$sealed';
/** Set on a row whose sealed part did not open: only its clear part is there. */
export const UNREADABLE_PROP = '$unreadable';
const FORMAT = 1;
const NONCE_BYTES = 24;
export const DATA_KEY_BYTES = 32;

/** Per table, the properties kept in clear; every other property is sealed. Tables not named are not sealed. */
export const CLEAR_PROPS: Readonly<Record<string, readonly string[]>> = {
  reports: ['id', 'type', 'createdAt', 'lastOwnSeq', 'hasConflict'],
  ops: ['id', 'v', 'kind', 'reportId', 'device', 'deviceSeq', 'seq', 'receivedAt', 'rejected'],
  drafts: ['id', 'updatedAt'],
  settings: ['id'],
  quarantine: ['id', 'seq', 'receivedAt', 'at'],
  /** The enrollment record in idb-keyval (enrollment-store.ts): its token is a secret, all of it is sealed. */
  enrollment: [],
};

/** Asked to read or write a sealed table while the app is locked. */
export class LockedError extends Error {
  readonly code = 'lock.err.locked';
  constructor() {
    super('locked');
    this.name = 'LockedError';
  }
}

/** A sealed row that does not open: changed on disk, moved, or sealed under another key. */
export class UnreadableRowError extends Error {
  readonly code = 'lock.err.unreadableRow';
  constructor(table: string) {
    super(`a row of ${table} does not open`);
    this.name = 'UnreadableRowError';
  }
}

/** The data key while the app is unlocked; nothing after `clear()`. */
export class DataKeyHolder {
  private key: Uint8Array | undefined;

  set(key: Uint8Array): void {
    if (key.length !== DATA_KEY_BYTES) throw new Error('a data key is 32 bytes');
    this.clear();
    this.key = Uint8Array.from(key);
  }

  /** Drops the key from memory (the bytes are overwritten, not just forgotten). */
  clear(): void {
    this.key?.fill(0);
    this.key = undefined;
  }

  get unlocked(): boolean {
    return this.key !== undefined;
  }

  get(): Uint8Array {
    if (!this.key) throw new LockedError();
    return this.key;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function associatedData(table: string, primaryKey: unknown): Uint8Array {
  return encoder.encode(`rasid/at-rest/${FORMAT}\u0000${table}\u0000${JSON.stringify(primaryKey)}`);
}

export function isSealedTable(table: string): boolean {
  return Object.hasOwn(CLEAR_PROPS, table);
}

/** The row as stored: its clear properties and the rest sealed. */
export function sealRow(
  table: string,
  row: Record<string, unknown>,
  primaryKey: unknown,
  key: Uint8Array,
  random: (n: number) => Uint8Array,
): Record<string, unknown> {
  const clear = CLEAR_PROPS[table]!;
  const stored: Record<string, unknown> = {};
  const secret: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) {
    if (clear.includes(name)) stored[name] = value;
    else if (value !== undefined) secret[name] = value;
  }
  const nonce = random(NONCE_BYTES);
  const sealed = xchacha20poly1305(key, nonce, associatedData(table, primaryKey)).encrypt(encoder.encode(JSON.stringify(secret)));
  const out = new Uint8Array(1 + NONCE_BYTES + sealed.length);
  out[0] = FORMAT;
  out.set(nonce, 1);
  out.set(sealed, 1 + NONCE_BYTES);
  stored[SEALED_PROP] = out;
  return stored;
}

/** The row as the app knows it. A row stored before sealing (no `$sealed`) is returned as it is. */
export function openRow(table: string, stored: Record<string, unknown>, primaryKey: unknown, key: Uint8Array): Record<string, unknown> {
  const sealed = stored[SEALED_PROP];
  if (sealed === undefined) return stored;
  if (!(sealed instanceof Uint8Array) || sealed.length < 1 + NONCE_BYTES + 16 || sealed[0] !== FORMAT) throw new UnreadableRowError(table);
  let secret: unknown;
  try {
    const plain = xchacha20poly1305(key, sealed.subarray(1, 1 + NONCE_BYTES), associatedData(table, primaryKey)).decrypt(
      sealed.subarray(1 + NONCE_BYTES),
    );
    secret = JSON.parse(decoder.decode(plain));
  } catch {
    throw new UnreadableRowError(table);
  }
  const row: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(stored)) if (name !== SEALED_PROP) row[name] = value;
  return Object.assign(row, secret);
}
