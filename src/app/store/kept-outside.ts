/**
 * Every name the app keeps outside its Dexie tables, and which of them are secrets. The panic's first
 * step, the one that makes a wipe cut short safe, must delete every secret; guessing which entries
 * those are from their names let a secret with an unlucky name outlive it. Listed here instead, and
 * idb-keyval is reached only through `keyval.ts`, whose names are typed by this list: a module cannot
 * store under a name the wipe has not been told about.
 *
 * The names are the ones on phones in use: renaming one here strands what is stored under the old one.
 */

/** Where an entry lies. A file in the origin's private file system would add its own kind. */
type KeptKind = 'idb-keyval' | 'localStorage' | 'cacheStorage';

export interface KeptOutside {
  /** The idb-keyval key, the localStorage key, or how the cache's name starts. */
  readonly name: string;
  readonly kind: KeptKind;
  /** Deleted in the wipe's first step, before anything else is attempted. */
  readonly secret: boolean;
}

export const KEPT_OUTSIDE = [
  // The data key wrapped under the passcode (lock/): once it is gone, every sealed row is ciphertext no one can open.
  { name: 'wrappedDataKey', kind: 'idb-keyval', secret: true },
  // The base's origin and this device's token (enrollment-store.ts).
  { name: 'enrollment', kind: 'idb-keyval', secret: true },
  // This device's private keys, wrapped under the data key (keys/device-keys.ts).
  { name: 'deviceKeys', kind: 'idb-keyval', secret: true },
  // A coordinator's deployment private key under the data key, and the key file it passes on (keys/deployment-private.ts).
  { name: 'deploymentPrivateKey', kind: 'idb-keyval', secret: true },
  { name: 'deploymentKeyFile', kind: 'idb-keyval', secret: true },
  // The deployment's public key as pinned at enrollment (keys/deployment-pin.ts): public, but it tells
  // which deployment this phone belongs to.
  { name: 'deploymentKey', kind: 'idb-keyval', secret: true },
  // The deployment root's public key as pinned at enrollment (keys/deployment-pin.ts): likewise.
  { name: 'deploymentRoot', kind: 'idb-keyval', secret: true },
  // The interface language (preferences.ts) and the local gazetteer (local-gazetteer.ts); the device
  // id, which the ops in the reports database carry in clear anyway (device.ts).
  { name: 'lang', kind: 'idb-keyval', secret: false },
  { name: 'gazetteer', kind: 'idb-keyval', secret: false },
  { name: 'deviceId', kind: 'idb-keyval', secret: false },
  // A coordinator's boundary layer for the desk's map (boundary-layer.ts): public shapes, imported on
  // that device only, neither synced nor sealed (docs/decisions.md, 072).
  { name: 'boundaries', kind: 'idb-keyval', secret: false },
  // The app's plain name and icon, read before the lock screen shows (appearance.ts).
  { name: 'appearance', kind: 'localStorage', secret: false },
  // The app itself, precached by the service worker (workbox names the cache after its version and scope).
  { name: 'workbox-precache', kind: 'cacheStorage', secret: false },
] as const satisfies readonly KeptOutside[];

type Kept = (typeof KEPT_OUTSIDE)[number];

export type KeyvalName = Extract<Kept, { kind: 'idb-keyval' }>['name'];
export type LocalStorageName = Extract<Kept, { kind: 'localStorage' }>['name'];
