/**
 * The ids that are easy to confuse, as branded strings: a device id cannot be passed where an op id
 * is due, nor a key id where a fingerprint is. Each schema checks what its id looked like before it
 * had a brand (same patterns, same catalog keys); only its parsed output carries the brand.
 *
 * Modules loaded at first render take these types from ids.ts, whose type-only re-exports are
 * erased at build: importing this module loads the schema library.
 */
import { z } from 'zod/mini';
import { UUID_PATTERN, UUID_V7_PATTERN } from './ids.ts';

export const deviceIdSchema = z
  .string()
  .check(z.regex(/^[0-9A-Za-z_-]{8,64}$/, { error: 'err.device.invalid' }))
  .brand<'DeviceId'>();
export type DeviceId = z.infer<typeof deviceIdSchema>;

/** An op's UUID v7, made by its author. */
export const opIdSchema = z
  .string()
  .check(z.regex(UUID_V7_PATTERN, { error: 'err.id.invalid' }))
  .brand<'OpId'>();
export type OpId = z.infer<typeof opIdSchema>;

/** A report's UUID v7, made on the device that creates it. */
export const reportIdSchema = z
  .string()
  .check(z.regex(UUID_V7_PATTERN, { error: 'err.id.invalid' }))
  .brand<'ReportId'>();
export type ReportId = z.infer<typeof reportIdSchema>;

/** A setting's fixed name (`roster`, `gazetteer`, `profile:<name>`, `export:<uuid>`): never a UUID, as the base checks. */
export const settingIdSchema = z
  .string()
  .check(
    z.regex(/^[0-9A-Za-z_.:-]{1,64}$/),
    z.refine((s) => !UUID_PATTERN.test(s)),
  )
  .brand<'SettingId'>();
export type SettingId = z.infer<typeof settingIdSchema>;

/** What an op's header names in `reportId`: a report, or a setting. Together, the names an op header always took. */
export const targetIdSchema = z.union([reportIdSchema, settingIdSchema]);
export type TargetId = z.infer<typeof targetIdSchema>;

/** Which public key sealed an op, or may open it: the first 12 characters of its fingerprint. */
export const keyIdSchema = z
  .string()
  .check(z.regex(/^[A-Za-z0-9_-]{12}$/))
  .brand<'KeyId'>();
export type KeyId = z.infer<typeof keyIdSchema>;

/** A public key's fingerprint: SHA-256 of its raw bytes, base64url, as enrollment links carry it. */
export const fingerprintSchema = z
  .string()
  .check(z.regex(/^[A-Za-z0-9_-]{43}$/))
  .brand<'Fingerprint'>();
export type Fingerprint = z.infer<typeof fingerprintSchema>;
