/**
 * The deployment settings a coordinator writes, as deployment ops (kind `deployment`) through
 * writeOp: the roster (which device has which role) and the gazetteer. They reach every enrolled device at
 * its next sync, like any op.
 */
import type { Gazetteer } from '../../domain/gazetteer.ts';
import type { DeviceId } from '../../domain/ids.ts';
import { settingBody, type MergedState } from '../../domain/merge.ts';
import type { Role } from '../../domain/roles.ts';
import { canonicalJson } from '../../domain/canonical-json.ts';
import { DEPLOYMENT_ROOT_FIELD, GAZETTEER_FIELD, GAZETTEER_ID, rosterEntriesOf, rosterField, ROSTER_ID } from '../../domain/roster.ts';
import { writeOp, type WriterContext } from '../store/write-op.ts';
import type { TrustedRoster } from '../../domain/trusted-roster.ts';

type Entry = { device: DeviceId; role: Role; keys?: Record<string, string>; cutoff?: number };

const sameKeys = (a: Record<string, string> | undefined, b: Record<string, string> | undefined) =>
  canonicalJson(a ?? {}) === canonicalJson(b ?? {});

/** The devices whose role or keys the roster does not yet say as given: what one roster op must add. */
export function missingFromRoster(state: MergedState | undefined, devices: readonly Entry[]): Entry[] {
  const roster = rosterEntriesOf(state);
  return devices.filter((d) => {
    const held = roster.get(d.device);
    return (
      held?.role !== d.role ||
      (d.keys !== undefined && !sameKeys(held.keys, d.keys)) ||
      (d.cutoff !== undefined && held.cutoff !== d.cutoff)
    );
  });
}

/**
 * On a desk that pinned the root, what the trust rule does not yet give as listed: a monitor's
 * role, keys and cut-off. An entry the rule does not read (one in clear, from before the root) is
 * stated again, signed; coordinators are the root's to name, never a coordinator's. The keys a
 * device enrolled with count as given while any span holds them: a key renewal adds a later span,
 * and the base still lists the keys of the enrollment.
 */
export function unstated(trusted: TrustedRoster, devices: readonly Entry[]): Entry[] {
  return devices.filter((d) => {
    if (d.role !== 'monitor') return false;
    const held = trusted.devices.get(d.device);
    const given = (keys: Record<string, string>) => held?.keys.some((k) => k.signing === keys.signing && k.agreement === keys.agreement);
    return held?.role !== 'monitor' || (d.keys !== undefined && !given(d.keys)) || (d.cutoff !== undefined && held.cutoff !== d.cutoff);
  });
}

/**
 * Adds devices to the roster in one op; nothing is written when the roster already says it all:
 * the merged roster, or on a desk that pinned the root, the trusted one (`trusted`).
 */
export async function addToRoster(writer: WriterContext, devices: readonly Entry[], trusted?: TrustedRoster): Promise<number> {
  let added = 0;
  const existing = await writer.db.settings.get(ROSTER_ID);
  const missingNow = (state: MergedState | undefined) => (trusted ? unstated(trusted, devices) : missingFromRoster(state, devices));
  if (missingNow(existing?.state).length === 0) return 0;
  await writeOp(writer, ROSTER_ID, (state, hlc) => {
    // Decided again inside the transaction: another tab may have written the same entries meanwhile.
    const missing = missingNow(state);
    added = missing.length;
    const changes = Object.fromEntries(
      missing.map((d) => [
        rosterField(d.device),
        { device: d.device, role: d.role, ...(d.keys && { keys: d.keys }), ...(d.cutoff !== undefined && { cutoff: d.cutoff }) },
      ]),
    );
    return { kind: 'deployment', body: settingBody(state, changes, hlc) };
  });
  return added;
}

export async function publishGazetteer(writer: WriterContext, gazetteer: Gazetteer): Promise<void> {
  await writeOp(writer, GAZETTEER_ID, (state, hlc) => ({
    kind: 'deployment',
    body: settingBody(state, { [GAZETTEER_FIELD]: gazetteer }, hlc),
  }));
}

/** This coordinator's word for the root it made for a deployment made before roots (trust.ts, `pinEndorsedRoot`). */
export async function endorseRoot(writer: WriterContext, rootKey: string): Promise<void> {
  await writeOp(writer, ROSTER_ID, (state, hlc) => ({
    kind: 'deployment',
    body: settingBody(state, { [DEPLOYMENT_ROOT_FIELD]: rootKey }, hlc),
  }));
}
