/**
 * The trust rule (docs/security.md, "Who is trusted: the rule"): which devices count, with which
 * role and keys, for which of their ops. It reads roster statements only, and follows from the
 * pinned root key alone; the base's word, the order statements arrive in and an op's claims about
 * its own author count for nothing.
 *
 * The rule is in layers, so nothing in it is a fixed point: root statements are checked against the
 * root key, which gives the coordinators and their keys; coordinators' statements are checked against
 * those keys, which gives the monitors. Each choice is a minimum, a maximum or a fixed order over the
 * set, so every order of arrival gives one roster. Checking a signature is the caller's
 * (`CheckStatement`): the same rule runs over WebCrypto in the app and over plain values in tests.
 */
import type { DeviceId, OpId } from './ids.ts';
import type { Authority } from './merge.ts';
import { QUARANTINE_REASONS } from './quarantine.ts';
import type { Role } from './roles.ts';
import { authorityOf, type RosterEntry } from './roster.ts';
import { isCoordinatorOnly } from './vouching.ts';

/** A roster op as the rule reads it: who wrote it, at which `deviceSeq`, naming what. */
export interface RosterStatement {
  opId: OpId;
  author: DeviceId;
  deviceSeq: number;
  entries: readonly RosterEntry[];
  /** A deployment public key the statement names (the root's to name). */
  deploymentKey?: string;
}

/** Whether `statement` is signed by the holder of the signing public key `signingKey` (its text). */
export type CheckStatement<S extends RosterStatement> = (statement: S, signingKey: string) => boolean | Promise<boolean>;

/** The deployment root as a device pinned it: its id (`root-<key id>`) and its signing public key. */
export interface PinnedRoot {
  device: DeviceId;
  signing: string;
}

/** Who said what: a statement's author and `deviceSeq`. */
export interface StatementRef {
  opId: OpId;
  author: DeviceId;
  deviceSeq: number;
}

/** The keys a device signs and is sealed to from `since` on, and the statement that gave them. */
export interface KeySpan {
  since: number;
  agreement?: string;
  signing?: string;
  by: StatementRef;
}

export interface TrustedDevice {
  device: DeviceId;
  role: Role;
  /** By `since`, ascending; one span a `since`. */
  keys: readonly KeySpan[];
  /** The last `deviceSeq` that counts; none unless revoked. */
  cutoff?: number;
}

/** Statements giving one device different keys from the same `since`: the first counts, all are shown. */
export interface KeyClash {
  device: DeviceId;
  since: number;
  statements: readonly StatementRef[];
}

export const IGNORED_STATEMENT = {
  /** Its author is neither the root nor a coordinator. */
  unknownAuthor: 'unknownAuthor',
  /** Its signature does not verify under its author's keys in force at its `deviceSeq`. */
  badSignature: 'badSignature',
  /** Its author was revoked before its `deviceSeq`. */
  afterCutoff: 'afterCutoff',
} as const;
export type IgnoredReason = (typeof IGNORED_STATEMENT)[keyof typeof IGNORED_STATEMENT];

export interface TrustedRoster {
  root: PinnedRoot;
  devices: ReadonlyMap<DeviceId, TrustedDevice>;
  /** Deployment public keys the root named, oldest first: the last is the one to seal to. */
  deploymentKeys: readonly string[];
  clashes: readonly KeyClash[];
  ignored: readonly { statement: StatementRef; reason: IgnoredReason }[];
}

/** What a device may write at one `deviceSeq`, by the rule's step 5: its role and the keys in force. */
export interface Standing {
  role: Role | 'root';
  signing: string;
  agreement?: string;
}

interface Claim {
  entry: RosterEntry;
  by: StatementRef;
  /** Root statements outrank coordinators'. */
  fromRoot: boolean;
}

const refOf = (s: RosterStatement): StatementRef => ({ opId: s.opId, author: s.author, deviceSeq: s.deviceSeq });

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The order claims on one `since` count in, first counting: the root's before coordinators'; of the
 * root's, the latest (a correction); of coordinators', the first by author and `deviceSeq`.
 */
function claimOrder(a: Claim, b: Claim): number {
  if (a.fromRoot !== b.fromRoot) return a.fromRoot ? -1 : 1;
  if (a.fromRoot) return b.by.deviceSeq - a.by.deviceSeq || compareText(b.by.opId, a.by.opId);
  return compareText(a.by.author, b.by.author) || a.by.deviceSeq - b.by.deviceSeq || compareText(a.by.opId, b.by.opId);
}

const keysText = (e: RosterEntry): string => JSON.stringify([e.keys?.agreement ?? null, e.keys?.signing ?? null]);

/** A device's key spans and cut-off from the claims that name it. */
function deviceFrom(device: DeviceId, role: Role, claims: readonly Claim[], clashes: KeyClash[]): TrustedDevice {
  const bySince = new Map<number, Claim[]>();
  let cutoff: number | undefined;
  for (const claim of claims) {
    const { entry } = claim;
    if (entry.cutoff !== undefined) cutoff = cutoff === undefined ? entry.cutoff : Math.min(cutoff, entry.cutoff);
    if (entry.keys?.agreement === undefined && entry.keys?.signing === undefined) continue;
    const since = entry.since ?? 1;
    const list = bySince.get(since) ?? [];
    list.push(claim);
    bySince.set(since, list);
  }
  const keys: KeySpan[] = [];
  for (const [since, list] of [...bySince].sort(([a], [b]) => a - b)) {
    list.sort(claimOrder);
    const first = list[0]!;
    const span: KeySpan = { since, by: first.by };
    if (first.entry.keys?.agreement !== undefined) span.agreement = first.entry.keys.agreement;
    if (first.entry.keys?.signing !== undefined) span.signing = first.entry.keys.signing;
    keys.push(span);
    if (list.some((c) => keysText(c.entry) !== keysText(first.entry))) {
      clashes.push({ device, since, statements: list.map((c) => c.by) });
    }
  }
  return { device, role, keys, ...(cutoff !== undefined && { cutoff }) };
}

/** The span in force at `deviceSeq`: the one with the highest `since` at or below it. */
export function keysAt(device: TrustedDevice | undefined, deviceSeq: number): KeySpan | undefined {
  let found: KeySpan | undefined;
  for (const span of device?.keys ?? []) if (span.since <= deviceSeq) found = span;
  return found;
}

/** Whether a device's op at `deviceSeq` counts at all: named, not past its cut-off, with a signing key then. */
export function standingAt(roster: TrustedRoster, device: DeviceId, deviceSeq: number): Standing | undefined {
  if (device === roster.root.device) return { role: 'root', signing: roster.root.signing };
  const trusted = roster.devices.get(device);
  if (!trusted || (trusted.cutoff !== undefined && deviceSeq > trusted.cutoff)) return undefined;
  const span = keysAt(trusted, deviceSeq);
  if (span?.signing === undefined) return undefined;
  return { role: trusted.role, signing: span.signing, ...(span.agreement !== undefined && { agreement: span.agreement }) };
}

/**
 * Step 5 of the rule for an op that opened and verified under its author's keys in force: why it is
 * not taken in (a quarantine reason), or undefined when its author stands at its `deviceSeq` and its
 * kind is its author's to write. Roster statements are judged by the rule itself, not here.
 */
export function refusedByRule(
  roster: TrustedRoster,
  op: { device: DeviceId; deviceSeq: number; kind: string; reportId: string },
): string | undefined {
  const named = roster.devices.get(op.device);
  if (named?.cutoff !== undefined && op.deviceSeq > named.cutoff) return QUARANTINE_REASONS.afterCutoff;
  const at = standingAt(roster, op.device, op.deviceSeq);
  if (!at) return QUARANTINE_REASONS.unknownSigner;
  if (at.role === 'root' || (isCoordinatorOnly(op.kind, op.reportId) && at.role !== 'coordinator')) return QUARANTINE_REASONS.notAllowed;
  return undefined;
}

/** The statements whose signature verifies under the key `keyOf` gives; the others go to `ignored`. */
async function checked<S extends RosterStatement>(
  statements: readonly S[],
  keyOf: (s: S) => string | undefined,
  check: CheckStatement<S>,
  ignored: { statement: StatementRef; reason: IgnoredReason }[],
): Promise<S[]> {
  const results = await Promise.all(
    statements.map(async (s) => {
      const key = keyOf(s);
      return key !== undefined && (await check(s, key));
    }),
  );
  statements.forEach((s, i) => {
    if (!results[i]) ignored.push({ statement: refOf(s), reason: IGNORED_STATEMENT.badSignature });
  });
  return statements.filter((_, i) => results[i]);
}

/** The rule's five steps over a set of statements; any order of `statements` gives the same roster. */
export async function trustedRoster<S extends RosterStatement>(
  statements: readonly S[],
  root: PinnedRoot,
  check: CheckStatement<S>,
): Promise<TrustedRoster> {
  const ignored: { statement: StatementRef; reason: IgnoredReason }[] = [];
  const clashes: KeyClash[] = [];

  // 1. Root statements: by the root's id, verifying under the pinned key.
  const byRoot = statements.filter((s) => s.author === root.device);
  const rootStatements = await checked(byRoot, () => root.signing, check, ignored);

  // 2. Coordinators: every device a root statement names as one, with the root's claims on it.
  const rootClaims = new Map<DeviceId, Claim[]>();
  for (const s of rootStatements) {
    for (const entry of s.entries) {
      if (entry.device === root.device) continue;
      const list = rootClaims.get(entry.device) ?? [];
      list.push({ entry, by: refOf(s), fromRoot: true });
      rootClaims.set(entry.device, list);
    }
  }
  const devices = new Map<DeviceId, TrustedDevice>();
  for (const [device, claims] of rootClaims) {
    if (claims.some((c) => c.entry.role === 'coordinator')) devices.set(device, deviceFrom(device, 'coordinator', claims, clashes));
  }

  // 3. Coordinator statements: at or below the author's cut-off, verifying under its keys then.
  const byCoordinators = statements.filter((s) => devices.has(s.author));
  for (const s of statements) {
    if (s.author !== root.device && !devices.has(s.author)) ignored.push({ statement: refOf(s), reason: IGNORED_STATEMENT.unknownAuthor });
  }
  const inTime = byCoordinators.filter((s) => {
    const cutoff = devices.get(s.author)!.cutoff;
    const ok = cutoff === undefined || s.deviceSeq <= cutoff;
    if (!ok) ignored.push({ statement: refOf(s), reason: IGNORED_STATEMENT.afterCutoff });
    return ok;
  });
  const coordinatorStatements = await checked(inTime, (s) => keysAt(devices.get(s.author), s.deviceSeq)?.signing, check, ignored);

  // 4. Monitors: named by the root as monitors, or by coordinators, never a coordinator or the root.
  const monitorClaims = new Map<DeviceId, Claim[]>();
  const add = (device: DeviceId, claim: Claim) => {
    if (device === root.device || devices.has(device)) return;
    const list = monitorClaims.get(device) ?? [];
    list.push(claim);
    monitorClaims.set(device, list);
  };
  for (const [device, claims] of rootClaims) for (const claim of claims) add(device, claim);
  for (const s of coordinatorStatements) {
    for (const entry of s.entries) if (entry.role === 'monitor') add(entry.device, { entry, by: refOf(s), fromRoot: false });
  }
  for (const [device, claims] of monitorClaims) devices.set(device, deviceFrom(device, 'monitor', claims, clashes));

  // A key named again later is current again: each key stands where the root last named it.
  const deploymentKeys: string[] = [];
  for (const s of [...rootStatements].sort((a, b) => a.deviceSeq - b.deviceSeq || compareText(a.opId, b.opId))) {
    if (s.deploymentKey === undefined) continue;
    const at = deploymentKeys.indexOf(s.deploymentKey);
    if (at >= 0) deploymentKeys.splice(at, 1);
    deploymentKeys.push(s.deploymentKey);
  }
  const order = (a: StatementRef, b: StatementRef) => compareText(a.opId, b.opId);
  ignored.sort((a, b) => order(a.statement, b.statement));
  clashes.sort((a, b) => compareText(a.device, b.device) || a.since - b.since);
  return { root, devices, deploymentKeys, clashes, ignored };
}

/** What a device keeps of the trusted roster between syncs: enough to judge roles as of each op. */
export interface TrustSummary {
  root: DeviceId;
  devices: TrustedDevice[];
  deploymentKeys: string[];
}

export function summaryOf(trusted: TrustedRoster): TrustSummary {
  return { root: trusted.root.device, devices: [...trusted.devices.values()], deploymentKeys: [...trusted.deploymentKeys] };
}

/** Roles as a summary gives them. */
export function rolesOfSummary(summary: TrustSummary | undefined): Map<DeviceId, Role> {
  return new Map((summary?.devices ?? []).map((d) => [d.device, d.role]));
}

/** Who counts as coordinator for an op: named so by the root, and writing at or below its cut-off. */
export function authorityOfSummary(summary: TrustSummary): Authority {
  return authorityOf(rolesOfSummary(summary), cutoffsOf(summary.devices));
}

/** Devices whose standing as coordinator differs between two summaries (role or cut-off): their reports merge again. */
export function changedStanding(before: TrustSummary | undefined, after: TrustSummary): DeviceId[] {
  const text = (d: TrustedDevice | undefined) => (d?.role === 'coordinator' ? `c${d.cutoff ?? ''}` : '');
  const old = new Map((before?.devices ?? []).map((d) => [d.device, d]));
  const now = new Map(after.devices.map((d) => [d.device, d]));
  return [...new Set([...old.keys(), ...now.keys()])].filter((d) => text(old.get(d)) !== text(now.get(d))).sort();
}

/** The cut-offs of revoked devices, by device: of a trust summary's devices, or of a roster's entries. */
export function cutoffsOf(entries: Iterable<{ device: DeviceId; cutoff?: number }>): Map<DeviceId, number> {
  const cutoffs = new Map<DeviceId, number>();
  for (const e of entries) if (e.cutoff !== undefined) cutoffs.set(e.device, e.cutoff);
  return cutoffs;
}

/** Devices whose cut-off is new in `after`, or lower than in `before`: their held ops above it stop counting. */
export function loweredCutoffs(before: ReadonlyMap<DeviceId, number>, after: ReadonlyMap<DeviceId, number>): DeviceId[] {
  return [...after].filter(([device, cutoff]) => cutoff < (before.get(device) ?? Infinity)).map(([device]) => device);
}
