/**
 * Ids made on the device, and their types. UUID v7 ids are time-ordered so an index on them is
 * append-mostly; time and randomness are passed in so tests can pin them.
 *
 * Loaded at first render, so it stays free of the schema library: the types come from
 * id-schemas.ts by a type-only re-export, erased at build. The helpers below that make a new id,
 * and the two that tell a report id from a setting id, are the one place text is taken for a
 * branded id unchecked: each makes, or tests for, the very shape its schema checks.
 */

import type { DeviceId, Fingerprint, KeyId, OpId, ReportId, SettingId, TargetId } from './id-schemas.ts';

export type { DeviceId, Fingerprint, KeyId, OpId, ReportId, SettingId, TargetId };

export type RandomBytes = (n: number) => Uint8Array;

export function uuidv7(nowMs: number, random: RandomBytes): string {
  const b = random(16);
  const ms = BigInt(Math.max(0, Math.floor(nowMs)));
  for (let i = 0; i < 6; i++) b[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Any UUID in lower case: a setting's name is never one, so the two kinds of target cannot be confused. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A UUID v7 (version 7, RFC 9562 variant) in lower case: the only op and report ids a device makes. */
export const UUID_V7_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A new op id: a UUID v7, which sorts in the order its author made its ops. */
export function newOpId(nowMs: number, random: RandomBytes): OpId {
  return uuidv7(nowMs, random) as OpId;
}

/** A new report id: a UUID v7, made by the device that creates the report. */
export function newReportId(nowMs: number, random: RandomBytes): ReportId {
  return uuidv7(nowMs, random) as ReportId;
}

/** Whether text is a report id: the whole check, so it also reads a report id from a path. */
export function isReportId(id: string): id is ReportId {
  return UUID_V7_PATTERN.test(id);
}

/** Whether an op's target is a setting: reports are named by UUID, settings never are. */
export function isSettingId(id: TargetId): id is SettingId {
  return !UUID_PATTERN.test(id);
}

/** A new device id: 32 hex digits, made once at first start (app/device.ts). */
export function newDeviceId(random: RandomBytes): DeviceId {
  return Array.from(random(16), (b) => b.toString(16).padStart(2, '0')).join('') as DeviceId;
}

export const cryptoRandom: RandomBytes = (n) => globalThis.crypto.getRandomValues(new Uint8Array(n));
