/**
 * The public keys a reader trusts, by key id and by device: the keys each device enrolled with, as a
 * coordinator named them in the roster, and the deployment's public key. Opening a sealed op
 * asks it who sealed the op (agreement key by key id) and who signed it (signing key by device).
 */
import type { AgreementAlg, SigningAlg } from './crypto/algorithms.ts';
import { readPublicKey, type KeyResult, type PublicKey } from './crypto/keys.ts';
import type { DeviceId, KeyId } from './ids.ts';
import type { RosterEntry } from './roster.ts';
import type { TrustedRoster } from './trusted-roster.ts';

/** Parsing a key imports it into WebCrypto: the same roster text is read on every sync. */
const parsed = new Map<string, Promise<KeyResult<AgreementAlg> | KeyResult<SigningAlg>>>();
const MAX_PARSED = 10_000;

function read(text: string, role: 'agreement'): Promise<KeyResult<AgreementAlg>>;
function read(text: string, role: 'signing'): Promise<KeyResult<SigningAlg>>;
function read(text: string, role: 'agreement' | 'signing'): Promise<KeyResult<AgreementAlg> | KeyResult<SigningAlg>> {
  const name = `${role} ${text}`;
  let pending = parsed.get(name);
  if (!pending) {
    if (parsed.size >= MAX_PARSED) parsed.clear();
    pending = role === 'agreement' ? readPublicKey(text, 'agreement') : readPublicKey(text, 'signing');
    parsed.set(name, pending);
  }
  return pending;
}

/** A directory as plain data, its keys included (WebCrypto keys pass to a worker as they are). */
export interface PlainKeyDirectory {
  agreementByKid: [KeyId, PublicKey<AgreementAlg>][];
  agreementByDevice: [DeviceId, PublicKey<AgreementAlg>][];
  signingByDevice: [DeviceId, PublicKey<SigningAlg>][];
  signingSpans: [DeviceId, { since: number; key: PublicKey<SigningAlg> }[]][];
  coordinators: number;
  rooted: boolean;
}

export class KeyDirectory {
  readonly #agreementByKid = new Map<KeyId, PublicKey<AgreementAlg>>();
  readonly #agreementByDevice = new Map<DeviceId, PublicKey<AgreementAlg>>();
  readonly #signingByDevice = new Map<DeviceId, PublicKey<SigningAlg>>();
  /** From the trust rule: a device's signing keys by the `deviceSeq` each is in force from, ascending. */
  readonly #signingSpans = new Map<DeviceId, { since: number; key: PublicKey<SigningAlg> }[]>();
  #coordinators = 0;
  /** Built from the trust rule: the roster's first coordinator is never taken on its own word. */
  #rooted = false;

  /**
   * The keys the trust rule gives (trusted-roster.ts), each signing key for the ops it is in force
   * for, and the root's own; `extra` as for `of`.
   */
  static async fromTrust(trusted: TrustedRoster, extra: readonly PublicKey<AgreementAlg>[] = []): Promise<KeyDirectory> {
    const directory = new KeyDirectory();
    directory.#rooted = true;
    for (const key of extra) directory.#agreementByKid.set(key.kid, key);
    const root = await read(trusted.root.signing, 'signing');
    if (root.ok) directory.#signingSpans.set(trusted.root.device, [{ since: 1, key: root.key }]);
    for (const device of trusted.devices.values()) {
      const spans: { since: number; key: PublicKey<SigningAlg> }[] = [];
      for (const span of device.keys) {
        const a = span.agreement !== undefined ? await read(span.agreement, 'agreement') : undefined;
        if (a?.ok) {
          directory.#agreementByKid.set(a.key.kid, a.key);
          directory.#agreementByDevice.set(device.device, a.key);
        }
        const s = span.signing !== undefined ? await read(span.signing, 'signing') : undefined;
        if (s?.ok) spans.push({ since: span.since, key: s.key });
      }
      if (spans.length > 0) directory.#signingSpans.set(device.device, spans);
    }
    return directory;
  }

  static async of(entries: Iterable<RosterEntry>, extra: readonly PublicKey<AgreementAlg>[] = []): Promise<KeyDirectory> {
    const directory = new KeyDirectory();
    for (const key of extra) directory.#agreementByKid.set(key.kid, key);
    for (const entry of entries) await directory.add(entry);
    return directory;
  }

  /** Takes in one roster entry's keys; an entry whose keys do not parse adds nothing. */
  async add(entry: RosterEntry): Promise<void> {
    const agreementText = entry.keys?.agreement;
    const signingText = entry.keys?.signing;
    if (agreementText) {
      const a = await read(agreementText, 'agreement');
      if (a.ok) {
        this.#agreementByKid.set(a.key.kid, a.key);
        this.#agreementByDevice.set(entry.device, a.key);
      }
    }
    if (signingText) {
      const s = await read(signingText, 'signing');
      if (s.ok) {
        if (!this.#signingByDevice.has(entry.device) && entry.role === 'coordinator') this.#coordinators += 1;
        this.#signingByDevice.set(entry.device, s.key);
      }
    }
  }

  /** The directory as plain data, for a worker that opens ops with it (`fromPlain`). */
  toPlain(): PlainKeyDirectory {
    return {
      agreementByKid: [...this.#agreementByKid],
      agreementByDevice: [...this.#agreementByDevice],
      signingByDevice: [...this.#signingByDevice],
      signingSpans: [...this.#signingSpans],
      coordinators: this.#coordinators,
      rooted: this.#rooted,
    };
  }

  static fromPlain(plain: PlainKeyDirectory): KeyDirectory {
    const directory = new KeyDirectory();
    for (const [kid, key] of plain.agreementByKid) directory.#agreementByKid.set(kid, key);
    for (const [device, key] of plain.agreementByDevice) directory.#agreementByDevice.set(device, key);
    for (const [device, key] of plain.signingByDevice) directory.#signingByDevice.set(device, key);
    for (const [device, spans] of plain.signingSpans) directory.#signingSpans.set(device, spans);
    directory.#coordinators = plain.coordinators;
    directory.#rooted = plain.rooted;
    return directory;
  }

  agreementKey(kid: KeyId): PublicKey<AgreementAlg> | undefined {
    return this.#agreementByKid.get(kid);
  }

  /** The agreement key a device enrolled with: a monitor's, when a coordinator's edit is sealed to it. */
  agreementOf(device: DeviceId): PublicKey<AgreementAlg> | undefined {
    return this.#agreementByDevice.get(device);
  }

  /** The key that signs a device's op at `deviceSeq`. */
  signingKey(device: DeviceId, deviceSeq: number): PublicKey<SigningAlg> | undefined {
    const spans = this.#signingSpans.get(device);
    if (!spans) return this.#signingByDevice.get(device);
    let found: PublicKey<SigningAlg> | undefined;
    for (const span of spans) if (span.since <= deviceSeq) found = span.key;
    return found;
  }

  /**
   * Adds a device's own keys, which it reads its own ops back with, where the roster gives it none:
   * they never stand in for another device, nor for a coordinator the roster lacks.
   */
  async addOwn(device: DeviceId, keys: { agreement: string; signing: string }): Promise<void> {
    if (this.#signingSpans.has(device)) return;
    await this.add({ device, role: 'monitor', keys });
  }

  /** No coordinator with keys yet, and no root: the roster's first entries are taken as the base serves them. */
  get takesFirstCoordinator(): boolean {
    return !this.#rooted && this.#coordinators === 0;
  }

  /** What this directory knows, as text: when it changes, ops that waited for a key may open now. */
  get extent(): string {
    const spans = [...this.#signingSpans].map(([d, list]) => `${d}:${list.map((s) => s.since).join('/')}`);
    return [...this.#agreementByKid.keys()].sort().join(',') + '|' + [...this.#signingByDevice.keys(), ...spans].sort().join(',');
  }
}
