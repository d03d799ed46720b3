/**
 * Fixture ids, parsed as the app parses ids that arrive: a fixture whose id the app would refuse
 * fails here, loudly, rather than passing a test with an id no device could send.
 */
import {
  deviceIdSchema,
  fingerprintSchema,
  keyIdSchema,
  opIdSchema,
  reportIdSchema,
  settingIdSchema,
  targetIdSchema,
} from '../src/domain/id-schemas.ts';
import type { DeviceId, Fingerprint, KeyId, OpId, ReportId, SettingId, TargetId } from '../src/domain/ids.ts';

export const deviceId = (text: string): DeviceId => deviceIdSchema.parse(text);
export const opId = (text: string): OpId => opIdSchema.parse(text);
export const reportId = (text: string): ReportId => reportIdSchema.parse(text);
export const settingId = (text: string): SettingId => settingIdSchema.parse(text);
/** A report's id or a setting's, as an op header names either. */
export const targetId = (text: string): TargetId => targetIdSchema.parse(text);
export const keyId = (text: string): KeyId => keyIdSchema.parse(text);
export const fingerprint = (text: string): Fingerprint => fingerprintSchema.parse(text);
