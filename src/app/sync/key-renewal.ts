/**
 * Key renewal on devices (domain/key-renewal.ts). A monitor's phone makes new key pairs and states
 * them in a renewal op signed by the keys they replace; its ops after that one wait on the phone
 * until a coordinator confirms the new keys in the roster, from that op on. A coordinator's desk
 * lists the renewals that wait, with the new keys' fingerprint to read back with the monitor, and
 * confirms one in a roster op. Which own pairs sign which own op is read from the renewal ops and
 * the trusted roster each time, so nothing kept beside them can disagree.
 */
import { deviceKeysFingerprint } from '../../domain/crypto/fingerprint.ts';
import type { DeviceId } from '../../domain/ids.ts';
import { provenRenewal, renewalChanges, renewalOf, RENEWALS_ID, type Renewal } from '../../domain/key-renewal.ts';
import { settingBody } from '../../domain/merge.ts';
import { rosterField, ROSTER_ID } from '../../domain/roster.ts';
import type { Role } from '../../domain/roles.ts';
import type { TrustSummary } from '../../domain/trusted-roster.ts';
import { addRenewedKeys, browserKeyStore, type DeviceKeyPairs, type KeyStore } from '../keys/device-keys.ts';
import type { DataKeyHolder } from '../store/at-rest.ts';
import type { RasidDb } from '../store/db.ts';
import { writeOp, type WriterContext } from '../store/write-op.ts';
import type { OpKeys } from './op-keys.ts';

/** Own pairs and the first own `deviceSeq` they sign; `confirmed` once the trusted roster gives them from there. */
export interface OwnSpan {
  since: number;
  pairs: DeviceKeyPairs;
  confirmed: boolean;
}

async function renewalsHeld(db: RasidDb): Promise<Renewal[]> {
  const rows = await db.ops.where('reportId').equals(RENEWALS_ID).toArray();
  return rows.flatMap((r) => {
    const renewal = r.rejected === undefined ? renewalOf(r) : undefined;
    return renewal ? [renewal] : [];
  });
}

const sameKeys = (a: { agreement?: string; signing?: string }, b: { agreement: string; signing: string }) =>
  a.agreement === b.agreement && a.signing === b.signing;

/** Whether the trusted roster gives `device` these keys from `since`. */
function confirmedIn(trust: TrustSummary | undefined, renewal: Renewal): boolean {
  const named = trust?.devices.find((d) => d.device === renewal.device);
  return named?.keys.some((span) => span.since === renewal.since && sameKeys(span, renewal.keys)) ?? false;
}

/** This device's pairs by the own ops they sign, oldest first: those made at enrollment from 1. */
export async function ownSpans(db: RasidDb, keys: OpKeys): Promise<OwnSpan[]> {
  const spans: OwnSpan[] = [{ since: 1, pairs: keys.device, confirmed: true }];
  const renewed = keys.device.renewed ?? [];
  if (renewed.length === 0) return spans;
  const trust = await db.getMeta('trust');
  for (const renewal of await renewalsHeld(db)) {
    if (renewal.device !== keys.self) continue;
    const pairs = renewed.find((p) => sameKeys({ agreement: p.agreement.publicKey.text, signing: p.signing.publicKey.text }, renewal.keys));
    if (pairs) spans.push({ since: renewal.since, pairs, confirmed: confirmedIn(trust, renewal) });
  }
  return spans.sort((a, b) => a.since - b.since);
}

/** The last own `deviceSeq` that may leave the device: the ops from a renewal not yet confirmed wait. */
export async function lastSendable(db: RasidDb, keys: OpKeys | undefined): Promise<number> {
  if (!keys?.device.renewed) return Infinity;
  const waiting = (await ownSpans(db, keys)).find((s) => !s.confirmed);
  return waiting ? waiting.since - 1 : Infinity;
}

/** The pairs that sign this device's op at `deviceSeq`. */
export function pairsAt(spans: readonly OwnSpan[], deviceSeq: number): DeviceKeyPairs {
  let found = spans[0]!.pairs;
  for (const span of spans) if (span.since <= deviceSeq) found = span.pairs;
  return found;
}

export class RenewalError extends Error {}

/** Where this device's last renewal stands, for its Settings screen. */
export interface OwnRenewal {
  since: number;
  confirmed: boolean;
  fingerprint: string;
}

export async function lastOwnRenewal(db: RasidDb, keys: OpKeys): Promise<OwnRenewal | undefined> {
  const last = (await ownSpans(db, keys)).at(-1);
  if (!last || last.since === 1) return undefined;
  const fingerprint = await deviceKeysFingerprint({
    agreement: last.pairs.agreement.publicKey.text,
    signing: last.pairs.signing.publicKey.text,
  });
  return { since: last.since, confirmed: last.confirmed, fingerprint };
}

/**
 * This device renews its keys: new pairs, kept wrapped before anything names them, then the renewal
 * op. Only on a device that pinned its root (the trust rule is what confirms the keys: a
 * coordinator's roster entry for a monitor, the root's for a coordinator), and one renewal at a time.
 */
export async function renewKeys(
  writer: WriterContext,
  keys: OpKeys,
  dataKey: DataKeyHolder,
  store: KeyStore = browserKeyStore,
): Promise<Renewal> {
  if (!keys.root) throw new RenewalError('renewal.err.noRoot');
  if ((await lastSendable(writer.db, keys)) !== Infinity) throw new RenewalError('renewal.err.waiting');
  const pairs = await addRenewedKeys(dataKey, store);
  const publicKeys = { agreement: pairs.agreement.publicKey.text, signing: pairs.signing.publicKey.text };
  const changes = await renewalChanges(keys.self, publicKeys, pairs.signing);
  const { op } = await writeOp(writer, RENEWALS_ID, (_state, hlc) => ({ kind: 'deployment', body: { hlc, changes, supersedes: {} } }));
  keys.device.renewed = [...(keys.device.renewed ?? []), pairs];
  return renewalOf(op)!;
}

/** A renewal a coordinator may confirm, with the new keys' fingerprint to read back with the monitor. */
export interface WaitingRenewal {
  renewal: Renewal;
  fingerprint: string;
}

/**
 * On a desk that pinned the root: renewals the trusted roster does not confirm yet, of devices of
 * `role` (monitors, whom a coordinator confirms; coordinators, whom the root file confirms), proven
 * by the new keys, of devices not revoked before them, `except` one device (the desk's own, among
 * monitors' renewals). Of a device's renewals, the latest counts.
 */
export async function waitingRenewals(db: RasidDb, role: Role, except?: DeviceId): Promise<WaitingRenewal[]> {
  const trust = await db.getMeta('trust');
  if (!trust) return [];
  const latest = new Map<DeviceId, Renewal>();
  for (const renewal of await renewalsHeld(db)) {
    const named = trust.devices.find((d) => d.device === renewal.device);
    if (renewal.device === except || named?.role !== role || (named.cutoff !== undefined && named.cutoff < renewal.since)) continue;
    if (named.keys.some((span) => span.since >= renewal.since)) continue;
    if ((latest.get(renewal.device)?.since ?? 0) < renewal.since) latest.set(renewal.device, renewal);
  }
  const waiting: WaitingRenewal[] = [];
  for (const renewal of latest.values()) {
    if (!(await provenRenewal(renewal))) continue;
    waiting.push({ renewal, fingerprint: await deviceKeysFingerprint(renewal.keys) });
  }
  return waiting.sort((a, b) => (a.renewal.device < b.renewal.device ? -1 : 1));
}

/** A coordinator confirms a monitor's new keys: a roster entry giving them from the renewal's `since`. */
export async function confirmRenewal(writer: WriterContext, renewal: Renewal): Promise<void> {
  const entry = { device: renewal.device, role: 'monitor', keys: { ...renewal.keys }, since: renewal.since };
  await writeOp(writer, ROSTER_ID, (state, hlc) => ({
    kind: 'deployment',
    body: settingBody(state, { [rosterField(renewal.device)]: entry }, hlc),
  }));
}
