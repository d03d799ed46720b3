/**
 * Sync by file, for a base with no network at all. The phone writes a request file (its ops above
 * its watermark, and where its last pull ended); a coordinator's app pushes those ops on its behalf
 * and writes a reply file, which the phone reads exactly as it reads a sync response. Both are JSON
 * with a `format` tag, so a wrong or damaged file is named as such instead of half-applied.
 */
import { z } from 'zod/mini';
import { SIGNATURE_TEXT_CHARS } from './crypto/sign.ts';
import { deviceIdSchema } from './id-schemas.ts';
import type { DeviceId } from './ids.ts';
import { cursorSchema, syncResponseSchema } from './op/sync.ts';
import { wireOpSchema } from './op/wire.ts';

export const SYNC_FILE_VERSION = 1;
/** Replies are signed from version 2 on; a version-1 reply is refused (crypto/reply-signature.ts). */
export const REPLY_VERSION = 2;
export const REQUEST_FORMAT = 'rasid-sync-request';
export const REPLY_FORMAT = 'rasid-sync-reply';
/** Most ops one request file carries; the coordinator pushes them in batches of MAX_BATCH. */
export const MAX_FILE_OPS = 50_000;

export const syncRequestFileSchema = z.object({
  format: z.literal(REQUEST_FORMAT),
  v: z.literal(SYNC_FILE_VERSION),
  /** The device the ops come from, and the reply is for. */
  device: deviceIdSchema,
  /** ms since the Unix epoch, on the phone's clock. */
  createdAt: z.number(),
  epoch: z.nullable(z.string().check(z.maxLength(64))),
  cursor: z.nullable(cursorSchema),
  watermark: z.int().check(z.minimum(0)),
  ops: z.array(wireOpSchema).check(z.maxLength(MAX_FILE_OPS)),
});
export type SyncRequestFile = z.infer<typeof syncRequestFileSchema>;

export const syncReplyFileSchema = z.object({
  format: z.literal(REPLY_FORMAT),
  v: z.literal(REPLY_VERSION),
  /** The device this reply is for: another device must not take it as its own. */
  device: deviceIdSchema,
  /** ms since the Unix epoch, on the coordinator's clock. */
  createdAt: z.number(),
  /** Read by the phone as if the base had sent it. `results` answers the request file's ops. */
  response: syncResponseSchema,
  /** The coordinator who answered, and its signature (crypto/reply-signature.ts). */
  signer: deviceIdSchema,
  sig: z.string().check(z.length(SIGNATURE_TEXT_CHARS)),
});
export type SyncReplyFile = z.infer<typeof syncReplyFileSchema>;

/** Catalog keys for a file that cannot be used. */
export const FILE_ERRORS = {
  notJson: 'err.syncFile.notJson',
  wrongKind: 'err.syncFile.wrongKind',
  invalid: 'err.syncFile.invalid',
  otherDevice: 'err.syncFile.otherDevice',
  ownFile: 'err.syncFile.ownFile',
  /** A request file carrying an op that another device wrote, or one this device wrote twice. */
  otherAuthor: 'err.syncFile.otherAuthor',
  /** A request file carrying settings its device may not write: only coordinators write them. */
  notAllowed: 'err.syncFile.notAllowed',
  /** A request file carrying an op in clear (version 1) to a deployment that has its key. */
  inClear: 'err.syncFile.inClear',
  /** A request file carrying an op whose signature does not verify. */
  unproven: 'err.syncFile.unproven',
  /** A request file whose ops this desk cannot open to check them: it lacks the deployment key. */
  cannotCheck: 'err.syncFile.cannotCheck',
  /** A request file from a device this desk's roster does not name yet (enrolled since its last sync). */
  unknownDevice: 'err.syncFile.unknownDevice',
  /** A request file carrying an op its device wrote after its revocation's cut-off. */
  revoked: 'err.syncFile.revoked',
  /** A reply file that no coordinator this phone knows has signed: an older app's, or forged. */
  unsignedReply: 'err.syncFile.unsignedReply',
  /** This desk has no signing key of its own (enrolled before devices had keys), so it cannot sign a reply. */
  cannotSign: 'err.syncFile.cannotSign',
} as const;
export type FileError = (typeof FILE_ERRORS)[keyof typeof FILE_ERRORS];

export type ReadFile<T> = { ok: true; file: T } | { ok: false; error: FileError };

/** A reply as read, with its response as it stood in the file: what the signature covers. */
export type ReadReply = { ok: true; file: SyncReplyFile; rawResponse: unknown } | { ok: false; error: FileError };

function readJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function formatOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? (value as { format?: unknown }).format : undefined;
}

export function readRequestFile(text: string): ReadFile<SyncRequestFile> {
  const json = readJson(text);
  if (!json.ok) return { ok: false, error: FILE_ERRORS.notJson };
  if (formatOf(json.value) !== REQUEST_FORMAT) return { ok: false, error: FILE_ERRORS.wrongKind };
  const parsed = syncRequestFileSchema.safeParse(json.value);
  return parsed.success ? { ok: true, file: parsed.data } : { ok: false, error: FILE_ERRORS.invalid };
}

export function readReplyFile(text: string, device: DeviceId): ReadReply {
  const json = readJson(text);
  if (!json.ok) return { ok: false, error: FILE_ERRORS.notJson };
  if (formatOf(json.value) !== REPLY_FORMAT) return { ok: false, error: FILE_ERRORS.wrongKind };
  const value = json.value as { v?: unknown; sig?: unknown; device?: unknown; response?: unknown };
  if (value.v === SYNC_FILE_VERSION || value.sig === undefined) return { ok: false, error: FILE_ERRORS.unsignedReply };
  const parsed = syncReplyFileSchema.safeParse(value);
  if (!parsed.success) return { ok: false, error: FILE_ERRORS.invalid };
  if (parsed.data.device !== device) return { ok: false, error: FILE_ERRORS.otherDevice };
  return { ok: true, file: parsed.data, rawResponse: value.response };
}

/** A file name that says what the file is, whose device, and when: files pile up in a Downloads folder. */
export function syncFileName(kind: 'request' | 'reply', device: DeviceId, at: number): string {
  const stamp = new Date(at).toISOString().slice(0, 19).replace(/[:T]/g, '-');
  return `rasid-${kind}-${device.slice(0, 8)}-${stamp}.json`;
}
