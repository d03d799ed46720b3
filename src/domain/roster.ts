/**
 * The roster: which devices are coordinators. It is a deployment setting (fixed reportId `roster`),
 * one field per device holding `{device, role}`, merged like any other. The merge's Authority is read
 * from it and nothing else: an op never names its own author, and the server's word on roles
 * reaches devices only as roster ops a coordinator wrote.
 */
import { z } from 'zod/mini';
import { distinctHeads, type Authority, type MergedState } from './merge.ts';
import { deviceIdSchema, settingIdSchema } from './id-schemas.ts';
import type { DeviceId } from './ids.ts';
import type { Op } from './op/op.ts';
import { ROLES, type Role } from './roles.ts';
import type { RosterStatement } from './trusted-roster.ts';

/** Fixed reportIds of deployment settings. */
export const ROSTER_ID = settingIdSchema.parse('roster');
export const GAZETTEER_ID = settingIdSchema.parse('gazetteer');
/** The field a gazetteer setting is written under. */
export const GAZETTEER_FIELD = 'gazetteer';

export const rosterEntrySchema = z.object({
  device: deviceIdSchema,
  role: z.enum(ROLES),
  /** The public keys the device enrolled with (`agreement`, `signing`), as a coordinator names them. */
  keys: z.optional(z.record(z.string().check(z.maxLength(32)), z.string().check(z.maxLength(200)))),
  /** The device's first `deviceSeq` these keys sign: 1 unless the keys replace earlier ones. */
  since: z.optional(z.int().check(z.minimum(1), z.maximum(Number.MAX_SAFE_INTEGER))),
  /** Revocation: the device's last `deviceSeq` that still counts. */
  cutoff: z.optional(z.int().check(z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER))),
});
export type RosterEntry = z.infer<typeof rosterEntrySchema>;

/**
 * The field a device's entry is written under. Field names allow fewer characters than device ids
 * (no '-', must start with a letter, at most 64): the entry's value names the device in full, so two
 * ids that map to one field would only make a visible conflict, never a silent mix-up.
 */
export function rosterField(device: DeviceId): string {
  return `d_${device.replace(/-/g, '_')}`.slice(0, 64);
}

/** Device → role. For an entry in conflict, the first head in display order counts, as for any setting. */
export function rosterOf(state: MergedState | undefined): Map<DeviceId, Role> {
  const roles = new Map<DeviceId, Role>();
  if (!state) return roles;
  for (const field of Object.values(state.fields)) {
    const head = distinctHeads(field)[0];
    const entry = rosterEntrySchema.safeParse(head?.value);
    if (entry.success) roles.set(entry.data.device, entry.data.role);
  }
  return roles;
}

/** Every entry of the roster, keys included, by device. */
export function rosterEntriesOf(state: MergedState | undefined): Map<DeviceId, RosterEntry> {
  const entries = new Map<DeviceId, RosterEntry>();
  if (!state) return entries;
  for (const field of Object.values(state.fields)) {
    const entry = rosterEntrySchema.safeParse(distinctHeads(field)[0]?.value);
    if (entry.success) entries.set(entry.data.device, entry.data);
  }
  return entries;
}

/** Coordinators as a roster names them; with `cutoffs` (the trust rule's), only for their ops up to their cut-off. */
export function authorityOf(roster: ReadonlyMap<DeviceId, Role>, cutoffs: ReadonlyMap<DeviceId, number> = new Map()): Authority {
  return (device, deviceSeq) => roster.get(device) === 'coordinator' && !(deviceSeq > (cutoffs.get(device) ?? Infinity));
}

/** Devices whose coordinator standing differs between two rosters: their reports must be merged again. */
export function changedAuthority(before: ReadonlyMap<DeviceId, Role>, after: ReadonlyMap<DeviceId, Role>): DeviceId[] {
  const devices = new Set([...before.keys(), ...after.keys()]);
  return [...devices].filter((d) => (before.get(d) === 'coordinator') !== (after.get(d) === 'coordinator')).sort();
}

/** The entries a roster op writes (its valid ones): what it names, before any merge. */
export function entriesWritten(changes: Record<string, unknown>): RosterEntry[] {
  return Object.values(changes).flatMap((v) => {
    const entry = rosterEntrySchema.safeParse(v);
    return entry.success ? [entry.data] : [];
  });
}

/** The field of a root statement naming the deployment public key, beside the device entries. */
export const DEPLOYMENT_KEY_FIELD = 'deploymentKey';

/**
 * The field of a coordinator's roster op naming the deployment root it made for a deployment made
 * before roots: devices enrolled before take the root on that coordinator's word (the upgrade).
 */
export const DEPLOYMENT_ROOT_FIELD = 'deploymentRoot';

/** A roster op as the trust rule reads it: what it names, whoever signed it. */
export function statementOf(op: Op): RosterStatement {
  const key = op.body.changes[DEPLOYMENT_KEY_FIELD];
  return {
    opId: op.id,
    author: op.device,
    deviceSeq: op.deviceSeq,
    entries: entriesWritten(op.body.changes),
    ...(typeof key === 'string' && key.length <= 200 && { deploymentKey: key }),
  };
}
