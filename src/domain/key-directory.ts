/**
 * The public keys a reader trusts, by key id and by device: the keys each device enrolled with, as a
 * coordinator vouched for them in the roster, and the deployment's public key. Opening a sealed op
 * asks it who sealed the op (agreement key by key id) and who signed it (signing key by device).
 */
import type { AgreementAlg, SigningAlg } from './crypto/algorithms.ts';
import { readPublicKey, type KeyResult, type PublicKey } from './crypto/keys.ts';
import type { DeviceId, KeyId } from './ids.ts';
import type { RosterEntry } from './roster.ts';

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

export class KeyDirectory {
  readonly #agreementByKid = new Map<KeyId, PublicKey<AgreementAlg>>();
  readonly #agreementByDevice = new Map<DeviceId, PublicKey<AgreementAlg>>();
  readonly #signingByDevice = new Map<DeviceId, PublicKey<SigningAlg>>();
  #coordinators = 0;

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

  agreementKey(kid: KeyId): PublicKey<AgreementAlg> | undefined {
    return this.#agreementByKid.get(kid);
  }

  /** The agreement key a device enrolled with: a monitor's, when a coordinator's edit is sealed to it. */
  agreementOf(device: DeviceId): PublicKey<AgreementAlg> | undefined {
    return this.#agreementByDevice.get(device);
  }

  signingKey(device: DeviceId): PublicKey<SigningAlg> | undefined {
    return this.#signingByDevice.get(device);
  }

  /** No coordinator with keys yet: the roster's first entries are taken as the base serves them. */
  get takesFirstCoordinator(): boolean {
    return this.#coordinators === 0;
  }

  /** What this directory knows, as text: when it changes, ops that waited for a key may open now. */
  get extent(): string {
    return [...this.#agreementByKid.keys()].sort().join(',') + '|' + [...this.#signingByDevice.keys()].sort().join(',');
  }
}
