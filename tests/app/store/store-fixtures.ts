/**
 * Shared set-up for storage tests: a fresh fake IndexedDB database per test, a writer with a clock and
 * randomness the test controls, and a realistic report.
 */
import 'fake-indexeddb/auto';
import { DataKeyHolder } from '../../../src/app/store/at-rest.ts';
import { RasidDb } from '../../../src/app/store/db.ts';
import type { WriterContext } from '../../../src/app/store/write-op.ts';
import type { ReportContent } from '../../../src/domain/report.ts';
import { deviceId } from '../../ids.ts';

export const DEVICE = deviceId('phone-jableh-01');
export const T0 = Date.UTC(2025, 2, 8, 9, 0, 0);

let databases = 0;
/** A database no other test touches. */
export function freshDb(label: string): RasidDb {
  databases += 1;
  return new RasidDb(`rasid-test-${label}-${databases}-${process.pid}`);
}

const sealedDbs: RasidDb[] = [];

/** A database no other test touches, sealed at rest under a random data key, unlocked; deleteSealedDbs drops it. */
export async function freshSealedDb(label: string): Promise<{ db: RasidDb; dataKey: DataKeyHolder }> {
  const dataKey = new DataKeyHolder();
  await dataKey.set(crypto.getRandomValues(new Uint8Array(32)));
  databases += 1;
  const db = new RasidDb(`rasid-test-${label}-${databases}-${process.pid}`, { dataKey });
  sealedDbs.push(db);
  return { db, dataKey };
}

/** Deletes every database freshSealedDb made since the last call: for `afterEach`. */
export async function deleteSealedDbs(): Promise<void> {
  for (const db of sealedDbs.splice(0)) await db.delete();
}

/** Deterministic bytes: a small xorshift generator, so ids differ per call and per seed. */
export function seededRandom(seed: number): (n: number) => Uint8Array {
  let x = seed >>> 0 || 1;
  return (n) =>
    Uint8Array.from({ length: n }, () => {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      return x & 0xff;
    });
}

/** A writer whose clock the test moves by hand. */
export function writer(db: RasidDb, start = T0): WriterContext & { clock: { ms: number } } {
  const clock = { ms: start };
  return { db, device: DEVICE, now: () => clock.ms, random: seededRandom(start % 9973), clock };
}

export const damageReport: Extract<ReportContent, { type: 'damage' }> = {
  type: 'damage',
  eventDate: { precision: 'exact', date: '2025-03-07' },
  placeName: 'سوق بانياس القديم',
  admin: { adm2: { pcode: 'SY0502', en: 'Banyas', ar: 'بانياس' } },
  narrative: 'احترقت سبعة محلات في السوق بعد منتصف الليل.',
  sourceKind: 'eyewitness',
  structureKind: 'shop',
  structures: 7,
  damageLevel: 'destroyed',
  damageCause: 'burning',
  looted: true,
};

export const displacementReport: Extract<ReportContent, { type: 'displacement' }> = {
  type: 'displacement',
  eventDate: { precision: 'range', date: '2025-03-06', end: '2025-03-09' },
  placeName: 'حي القصور',
  admin: { adm1: { pcode: 'SY04', en: 'Lattakia', ar: 'اللاذقية' } },
  households: 42,
  individuals: 190,
  shelter: 'host_family',
};

/** Everything in the database, to compare before and after a save that must change nothing. */
export async function snapshot(db: RasidDb) {
  return {
    reports: await db.reports.toArray(),
    ops: await db.ops.toArray(),
    drafts: await db.drafts.toArray(),
    meta: await db.meta.toArray(),
  };
}
