/**
 * Sync as the app runs it: the enrolled device's engine on the browser's fetch, started by the
 * scheduler (online, timer, "Sync now"), with a status the screens subscribe to. A coordinator's app
 * also keeps the roster in step with the devices the base has enrolled. Loaded after the first render.
 */
import { deviceIdSchema } from '../../domain/id-schemas.ts';
import type { DeviceId } from '../../domain/ids.ts';
import type { Role } from '../../domain/roles.ts';
import type { BlobProgress, SendOutcome } from '../photos/send-blobs.ts';
import type { LastSync, RasidDb } from '../store/db.ts';
import type { WriterContext } from '../store/write-op.ts';
import { bindLabels } from '../desk/device-labels.ts';
import { addToRoster } from './deployment-settings.ts';
import { listDevices } from './devices.ts';
import { runSync, type SyncOutcome, type SyncProgress } from './engine.ts';
import type { Enrollment } from './enrollment.ts';
import { pinOnFirstUse } from './load-keys.ts';
import { readerOf, type OpKeys } from './op-keys.ts';
import { SyncScheduler } from './scheduler.ts';
import { reopenWaiting } from './take-in.ts';
import { rotateTokenIfOld } from './token.ts';
import { heldStatements, trustOver } from './trust.ts';
import { httpTransport, SyncError, SYNC_ERRORS, type Endpoint, type SyncErrorCode } from './transport.ts';

export interface SyncStatus {
  running: boolean;
  /** Syncs finished since the app started, failed ones included. */
  finished: number;
  progress?: SyncProgress;
  last?: { at: number; outcome: SyncOutcome };
  /** The last sync that worked as the reports database kept it, from before this page loaded too. */
  kept?: LastSync;
  error?: { at: number; code: SyncErrorCode };
  /** Photos the base asked for, sent after the text: the one under way, and what the last round sent. */
  photos?: { progress?: BlobProgress; last?: SendOutcome };
}

export interface SyncService {
  status(): SyncStatus;
  subscribe(fn: (s: SyncStatus) => void): () => void;
  syncNow(): Promise<void>;
  endpoint: Endpoint;
  role: Role;
  /**
   * The keys ops are sealed and opened with (undefined on a device enrolled before devices had keys).
   * Rejects with `sync.err.keys` when they do not load: the caller sends nothing.
   */
  keys(): Promise<OpKeys | undefined>;
  /** The deployment private key came or went on this desk: load the keys again and open what waited for it. */
  keysChanged(): Promise<void>;
  stop(): void;
}

export function startSync(args: {
  writer: WriterContext;
  enrollment: Enrollment;
  db: RasidDb;
  loadKeys?: () => Promise<OpKeys | undefined>;
}): SyncService {
  const { writer, db } = args;
  let keys: Promise<OpKeys | undefined> | undefined;
  // A load that failed is not kept, so the next call tries again; until one works, nothing leaves
  // the device, by sync or in a file: without its keys, ops would go unsealed.
  const currentKeys = (): Promise<OpKeys | undefined> => {
    const loading = (keys ??= args.loadKeys?.() ?? Promise.resolve(undefined));
    return loading.catch(() => {
      if (keys === loading) keys = undefined;
      throw new SyncError(SYNC_ERRORS.keys);
    });
  };
  let enrollment = args.enrollment;
  const endpoint: Endpoint = { origin: enrollment.origin, token: enrollment.token, fetch: (url, init) => fetch(url, init) };
  const transport = httpTransport(endpoint);
  let status: SyncStatus = { running: false, finished: 0 };
  const listeners = new Set<(s: SyncStatus) => void>();
  const publish = (next: SyncStatus) => {
    status = next;
    for (const fn of listeners) fn(status);
  };

  const once = async () => {
    publish({ ...status, running: true, progress: { sent: 0, toSend: 0, received: 0 } });
    try {
      const opKeys = await currentKeys();
      if (enrollment.role === 'coordinator') await keepRoster(writer, endpoint, enrollment.device, opKeys).catch(() => undefined);
      if (opKeys) await pinOnFirstUse(opKeys, endpoint).catch(() => undefined);
      const run = () =>
        runSync(
          { db, device: enrollment.device, role: enrollment.role, transport, now: writer.now, keys: opKeys, keysNow: currentKeys },
          (progress) => publish({ ...status, running: true, progress }),
        );
      // Two tabs of the app would push and pull the same ops twice: one sync at a time per origin.
      const locks = globalThis.navigator?.locks;
      const outcome = locks ? await locks.request('rasid-sync', run) : await run();
      // A sync that worked proves the base reachable: the moment to retire an old token. A failed
      // rotation changes nothing (the old token stays valid) and is tried again after the next sync.
      enrollment = await rotateTokenIfOld(enrollment, endpoint, writer.now()).catch(() => enrollment);
      const kept: LastSync = { at: writer.now(), sent: outcome.sent, received: outcome.received };
      // Kept for the next page load, which would otherwise say "not synced yet"; the sync stands if this write fails.
      await db.setMeta('lastSync', kept).catch(() => undefined);
      publish({
        running: false,
        finished: status.finished + 1,
        progress: status.progress,
        last: { at: kept.at, outcome },
        kept,
        photos: status.photos,
      });
      // Photos go after the text, so a report reaches the base however slow its photos are, and a
      // photo that fails to go leaves the sync as it stands: the next round resumes it.
      await sendPhotos();
    } catch (error) {
      const code = error instanceof SyncError ? error.code : SYNC_ERRORS.badResponse;
      publish({ ...status, running: false, finished: status.finished + 1, error: { at: writer.now(), code } });
      throw error;
    }
  };

  const sendOnce = async () => {
    if ((await db.blobChunks.limit(1).count()) === 0) return;
    const { sendWantedBlobs } = await import('../photos/send-blobs.ts');
    const last = await sendWantedBlobs(db, endpoint, (progress) => publish({ ...status, photos: { ...status.photos, progress } })).catch(
      () => undefined,
    );
    publish({ ...status, photos: { last } });
  };
  // One sender at a time, in this page and across tabs: two would each begin the same upload, and
  // the base keeps only the later. A round that finds another under way leaves the photos to it.
  let sending: Promise<void> | undefined;
  const sendPhotos = (): Promise<void> => {
    if (sending) return sending;
    const locks = globalThis.navigator?.locks;
    const run: Promise<unknown> = locks
      ? locks.request('rasid-photos', { ifAvailable: true }, async (lock) => {
          if (lock) await sendOnce();
        })
      : sendOnce();
    const running = run.then(() => undefined).finally(() => (sending = undefined));
    sending = running;
    return running;
  };

  // The last sync before this page loaded, unless one of this page's has finished since.
  void db
    .getMeta('lastSync')
    .then((kept) => {
      if (kept && !status.kept) publish({ ...status, kept });
    })
    .catch(() => undefined);

  const scheduler = new SyncScheduler({
    sync: once,
    isTransient: (e) => !(e instanceof SyncError) || e.transient,
    waitAsked: (e) => (e instanceof SyncError ? e.retryAfterMs : undefined),
    isOnline: () => navigator.onLine,
    random: Math.random,
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  });
  const online = () => scheduler.online();
  const offline = () => scheduler.offline();
  addEventListener('online', online);
  addEventListener('offline', offline);
  scheduler.start();

  return {
    status: () => status,
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    syncNow: () => scheduler.syncNow().catch(() => undefined),
    endpoint,
    role: enrollment.role,
    keys: currentKeys,
    async keysChanged() {
      keys = undefined;
      const fresh = await currentKeys();
      if (fresh) {
        await reopenWaiting(db, await readerOf(db, fresh), { device: enrollment.device, now: writer.now }, () => readerOf(db, fresh));
      }
    },
    stop() {
      scheduler.stop();
      removeEventListener('online', online);
      removeEventListener('offline', offline);
    },
  };
}

/**
 * A coordinator's app writes into the roster every device the base has enrolled, with its role, and
 * itself first: the merge counts a coordinator's verification only once the roster names it. The
 * same list puts each label given with a code on the device that used it (in a desk op, never the roster).
 */
export async function keepRoster(writer: WriterContext, endpoint: Endpoint, self: DeviceId, keys?: OpKeys): Promise<number> {
  const devices = await listDevices(endpoint);
  // A listed name that is no device id is left out: no reader of the roster would take its entry.
  const entries = devices.flatMap((d) => {
    const device = deviceIdSchema.safeParse(d.device);
    // A revoked device's cut-off goes with it: the roster entry is then its revocation, for every device.
    return device.success
      ? [{ device: device.data, role: d.role, ...(d.keys && { keys: d.keys }), ...(d.cutoff !== undefined && { cutoff: d.cutoff }) }]
      : [];
  });
  if (!entries.some((e) => e.device === self)) entries.unshift({ device: self, role: 'coordinator' });
  // Once the root is pinned, what counts is what the trust rule reads: entries in clear are stated again, signed.
  const trusted = keys?.root && (await trustOver(await heldStatements(writer.db, self), keys.root, self));
  const added = await addToRoster(writer, entries, trusted || undefined);
  await bindLabels(writer, devices);
  return added;
}
