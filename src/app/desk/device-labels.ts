/**
 * Device labels: the names coordinators give devices ("Jableh 2") so the desk shows people's phones
 * rather than hex ids. A label is a desk setting, `label:<key>`, written as a desk op: sealed, served
 * to coordinators' devices only, never in the roster (which travels in clear), never a field of any
 * request, never read by an export.
 *
 * The label is given with the enrollment code, before any device exists, so it is keyed by the code's
 * public id. Once a coordinator's desk learns from `GET /devices` which device used that code, it
 * writes the device's id into the same setting (`device`), and every coordinator's desk can then
 * name that device offline. A device enrolled before codes had ids is labelled under its own id,
 * bound at once.
 */
import { z } from 'zod/mini';
import { settingIdSchema } from '../../domain/id-schemas.ts';
import type { DeviceId, SettingId } from '../../domain/ids.ts';
import { settingBody, viewOf } from '../../domain/merge.ts';
import type { EnrolledDevice } from '../../domain/protocol.ts';
import { useLiveQuery } from '../live-query.ts';
import type { RasidDb } from '../store/db.ts';
import { writeOp, type WriterContext } from '../store/write-op.ts';

const LABEL_PREFIX = 'label:';
/** Long enough for "Jableh north 2", short enough for a list column. */
export const LABEL_MAX = 40;

/** A label as typed: trimmed; empty means none. Its error is a catalog key. */
export const labelSchema = z
  .string()
  .check(z.trim(), z.maxLength(LABEL_MAX, { error: 'err.label.tooLong' }), z.regex(/^[^\p{Cc}]*$/u, { error: 'err.label.invalid' }));

const storedSchema = z.object({ label: z.optional(z.string()), device: z.optional(z.string()) });

/** What the desk knows of labels: by the key they were given under, and by device once bound. */
export interface DeviceLabels {
  byKey: ReadonlyMap<string, { label: string; device?: string }>;
  byDevice: ReadonlyMap<string, string>;
}

const NO_LABELS: DeviceLabels = { byKey: new Map(), byDevice: new Map() };

function labelId(key: string): SettingId {
  return settingIdSchema.parse(LABEL_PREFIX + key);
}

export async function readDeviceLabels(db: RasidDb): Promise<DeviceLabels> {
  const rows = await db.settings.where('id').startsWith(LABEL_PREFIX).toArray();
  const byKey = new Map<string, { label: string; device?: string }>();
  const byDevice = new Map<string, string>();
  for (const row of rows) {
    const view = viewOf(row.state);
    const stored = storedSchema.safeParse(view.values);
    if (view.deleted || !stored.success) continue;
    const key = row.id.slice(LABEL_PREFIX.length);
    const label = stored.data.label ?? '';
    byKey.set(key, { label, ...(stored.data.device !== undefined && { device: stored.data.device }) });
    if (label && stored.data.device !== undefined) byDevice.set(stored.data.device, label);
  }
  return { byKey, byDevice };
}

/** Every label on this desk, kept current as coordinators write them and sync brings others'. */
export function useDeviceLabels(db: RasidDb): DeviceLabels {
  return useLiveQuery(() => readDeviceLabels(db), [db]) ?? NO_LABELS;
}

/**
 * A device id short enough for a list row: a phone's random 32-hex-digit id by its first 8, as the
 * rest of the app shows it; a shorter id someone chose (a demo's, a test's) whole, so two such ids
 * that share a beginning stay apart.
 */
export function shortDevice(device: string): string {
  return device.length > 24 ? device.slice(0, 8) : device;
}

/** How the desk names a device: its label, else its short id. */
export function deviceName(labels: DeviceLabels, device: string): string {
  return labels.byDevice.get(device) ?? shortDevice(device);
}

/** The longest key a setting id has room for after the prefix. */
const KEY_MAX = 64 - LABEL_PREFIX.length;

/**
 * The key a device's label is kept under: its enrollment code's id, or its own id when it has none
 * (cut to fit a setting id: the bound `device` field names it whole).
 */
export function labelKeyOf(device: Pick<EnrolledDevice, 'device' | 'enrollmentCode'>): string {
  return device.enrollmentCode ?? device.device.slice(0, KEY_MAX);
}

/** Gives (or, with '', clears) the label kept under `key`; with `device`, binds it to that device too. */
export async function setLabel(writer: WriterContext, key: string, label: string, device?: DeviceId | string): Promise<void> {
  const changes = { label: labelSchema.parse(label), ...(device !== undefined && { device }) };
  await writeOp(writer, labelId(key), (state, hlc) => ({ kind: 'desk', body: settingBody(state, changes, hlc) }));
}

/**
 * Binds each label given with a code to the device the base says used it, where no coordinator has
 * yet. Returns how many were bound. Two desks binding at once write the same value: no conflict.
 */
export async function bindLabels(writer: WriterContext, devices: readonly EnrolledDevice[]): Promise<number> {
  const { byKey } = await readDeviceLabels(writer.db);
  let bound = 0;
  for (const d of devices) {
    const given = d.enrollmentCode === undefined ? undefined : byKey.get(d.enrollmentCode);
    if (!given || given.device !== undefined) continue;
    await writeOp(writer, labelId(d.enrollmentCode!), (state, hlc) => ({
      kind: 'desk',
      body: settingBody(state, { device: d.device }, hlc),
    }));
    bound++;
  }
  return bound;
}
