/**
 * Runs in the benchmark page, served on the origin of the base it syncs with (app-sync.ts): the same
 * reports carried from one phone to a desk, two ways.
 *
 * - The app's own way: reports written on an enrolled monitor through createReports, its runSync
 *   pushing them to the real base, then a coordinator's runSync pulling them into its desk through
 *   take-in. Both databases are sealed at rest, as the app's are. With `sealed`, the devices hold the
 *   deployment key and ops travel as `v: 2`; without, the base has no deployment key and ops travel
 *   in clear (`v: 1`), as for a base enrolled before keys came first (decision 055).
 * - PouchDB's way: the same reports as documents in one PouchDB (IndexedDB), replicated to
 *   pouchdb-server and from there into a second PouchDB.
 *
 * Each is split in calls, writing, pushing and pulling, so that the caller times only the sync and
 * counts the bytes on the wire of each half.
 */
import PouchDB from 'pouchdb-browser';
import { DataKeyHolder } from '../../../src/app/store/at-rest.ts';
import { RasidDb } from '../../../src/app/store/db.ts';
import { createReports } from '../../../src/app/store/reports.ts';
import type { WriterContext } from '../../../src/app/store/write-op.ts';
import { runSync, type SyncContext } from '../../../src/app/sync/engine.ts';
import { opKeys } from '../../../src/app/sync/op-keys.ts';
import { keepRoster } from '../../../src/app/sync/service.ts';
import { httpTransport, type Endpoint } from '../../../src/app/sync/transport.ts';
import { SUITES, detectSuite } from '../../../src/domain/crypto/algorithms.ts';
import { generateKeyPair, type AgreementKeyPair, type SigningKeyPair } from '../../../src/domain/crypto/keys.ts';
import { cryptoRandom } from '../../../src/domain/ids.ts';
import type { ReportContent } from '../../../src/domain/report.ts';
import { deviceId } from '../../ids.ts';

interface Pairs {
  agreement: AgreementKeyPair;
  signing: SigningKeyPair;
}

export interface PublicTexts {
  agreement: string;
  signing: string;
}

export interface DeviceSetup {
  device: string;
  token: string;
}

/** Reports written per transaction: the phone's outbox filled quickly, outside what is timed. */
const WRITE_CHUNK = 500;

/** Each run's keys, by its name: a base is made for them before its run starts. */
const keysOf = new Map<string, { phone: Pairs; desk: Pairs; deployment: AgreementKeyPair }>();
let devices: { phone: SyncContext & { writer: WriterContext }; desk: SyncContext & { writer: WriterContext } } | undefined;

async function pairs(): Promise<Pairs> {
  const suite = SUITES[await detectSuite()];
  const [agreement, signing] = await Promise.all([generateKeyPair(suite.agreement), generateKeyPair(suite.signing)]);
  return { agreement, signing };
}

const texts = (p: Pairs): PublicTexts => ({ agreement: p.agreement.publicKey.text, signing: p.signing.publicKey.text });

/** The phone's, the desk's and the deployment's keys, made here; the base learns their public halves. */
async function newKeys(run: string): Promise<{ phone: PublicTexts; desk: PublicTexts; deployment: string }> {
  const suite = SUITES[await detectSuite()];
  const keys = { phone: await pairs(), desk: await pairs(), deployment: await generateKeyPair(suite.agreement) };
  keysOf.set(run, keys);
  return { phone: texts(keys.phone), desk: texts(keys.desk), deployment: keys.deployment.publicKey.text };
}

/** Both devices' databases, fresh, and the desk's roster kept and synced, as a desk has before a day's pull. */
async function rasidSetup(run: string, sealed: boolean, phone: DeviceSetup, desk: DeviceSetup): Promise<void> {
  const keys = keysOf.get(run);
  const device = async (name: string, who: DeviceSetup, role: 'monitor' | 'coordinator', own: Pairs | undefined) => {
    const dataKey = new DataKeyHolder();
    await dataKey.set(cryptoRandom(32));
    const db = new RasidDb(`bench-sync-${run}-${name}`, { dataKey });
    await db.open();
    const id = deviceId(who.device);
    const endpoint: Endpoint = { origin: location.origin, token: who.token, fetch: (input, init) => fetch(input, init) };
    const writer: WriterContext = { db, device: id, now: () => Date.now(), random: cryptoRandom };
    const opKeysOf =
      own && keys
        ? opKeys(id, own, {
            deploymentPublic: keys.deployment.publicKey,
            ...(role === 'coordinator' && { deploymentPrivate: keys.deployment }),
          })
        : undefined;
    return {
      db,
      device: id,
      role,
      transport: httpTransport(endpoint),
      now: writer.now,
      writer,
      endpoint,
      ...(opKeysOf && { keys: opKeysOf }),
    };
  };
  const p = await device('phone', phone, 'monitor', sealed ? keys!.phone : undefined);
  const d = await device('desk', desk, 'coordinator', sealed ? keys!.desk : undefined);
  await keepRoster(d.writer, d.endpoint, d.device, d.keys);
  await runSync(d);
  devices = { phone: p, desk: d };
}

async function rasidWrite(contents: ReportContent[]): Promise<void> {
  const { writer } = devices!.phone;
  for (let i = 0; i < contents.length; i += WRITE_CHUNK) await createReports(writer, contents.slice(i, i + WRITE_CHUNK));
}

/** The phone's sync: its reports pushed (and, as the base serves a monitor, pulled back). ms. */
async function rasidPush(): Promise<number> {
  const { phone } = devices!;
  const t0 = performance.now();
  const pushed = await runSync(phone);
  const ms = performance.now() - t0;
  if (pushed.rejected.length > 0 || pushed.deferred > 0) throw new Error(`the phone's ops were not all taken: ${JSON.stringify(pushed)}`);
  return ms;
}

/** The desk's sync, taking in everything the phone pushed; ms, and the reports the desk then holds. */
async function rasidPull(): Promise<{ ms: number; deskReports: number; quarantined: number }> {
  const { phone, desk } = devices!;
  const t0 = performance.now();
  const pulled = await runSync(desk);
  const ms = performance.now() - t0;
  const deskReports = await desk.db.reports.count();
  for (const d of [phone, desk]) {
    d.db.close();
    await d.db.delete();
  }
  devices = undefined;
  return { ms, deskReports, quarantined: pulled.quarantined };
}

let pouches: { a: PouchDB; b: PouchDB; remote: PouchDB } | undefined;
/**
 * Phone A's PouchDB, written once: each PouchDB run replicates it to a database new on the server,
 * which shares no checkpoint with the last, so every run carries every document.
 */
let phoneA: PouchDB | undefined;

/** The reports as documents in phone A's PouchDB (written by the first run), and an empty phone B; `remote` names the server's database. */
async function pouchSetup(run: string, remote: string, contents: ReportContent[], ids: string[]): Promise<void> {
  if (!phoneA) {
    phoneA = new PouchDB('bench-pouch-a');
    for (let i = 0; i < contents.length; i += WRITE_CHUNK) {
      const docs = contents.slice(i, i + WRITE_CHUNK).map((c, j) => ({ _id: ids[i + j]!, ...c }));
      const written = await phoneA.bulkDocs(docs);
      if (written.some((w) => 'error' in w)) throw new Error('PouchDB did not write every document');
    }
  }
  pouches = { a: phoneA, b: new PouchDB(`bench-pouch-${run}-b`), remote: new PouchDB(`${location.origin}/${remote}`) };
}

const batchOf = (batchSize: number | undefined) => (batchSize === undefined ? {} : { batch_size: batchSize });

/** A → server at `batchSize` (PouchDB's default when undefined); ms. */
async function pouchPush(batchSize: number | undefined): Promise<number> {
  const { a, remote } = pouches!;
  const t0 = performance.now();
  await a.replicate.to(remote, batchOf(batchSize));
  return performance.now() - t0;
}

/** Server → B; ms, and B's documents. */
async function pouchPull(batchSize: number | undefined): Promise<{ ms: number; deskReports: number }> {
  const { b, remote } = pouches!;
  const t0 = performance.now();
  await b.replicate.from(remote, batchOf(batchSize));
  const ms = performance.now() - t0;
  const deskReports = (await b.info()).doc_count;
  await b.destroy();
  pouches = undefined;
  return { ms, deskReports };
}

(globalThis as unknown as { bench: unknown }).bench = {
  newKeys,
  rasidSetup,
  rasidWrite,
  rasidPush,
  rasidPull,
  pouchSetup,
  pouchPush,
  pouchPull,
};
