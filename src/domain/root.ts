/**
 * The deployment root (docs/security.md, "Who is trusted: the rule"): one signing key, kept offline
 * in a root file, whose statements name the coordinators and the deployment key. Its ops travel as
 * a device's would, under a device id of its own that no enrolled device can take: `root-` and the
 * root key's key id, so the id follows from the key and a device that pinned the key knows it.
 */
import type { DeviceId, KeyId } from './ids.ts';

export const ROOT_DEVICE_PREFIX = 'root-';

/** The id the root's ops carry. */
export function rootDeviceOf(kid: KeyId): DeviceId {
  return `${ROOT_DEVICE_PREFIX}${kid}` as DeviceId;
}

/** Ids of this shape are the root's alone: the base enrolls no device under one. */
export function isRootDeviceId(device: string): boolean {
  return device.startsWith(ROOT_DEVICE_PREFIX);
}
