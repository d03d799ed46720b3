/**
 * Runs in the benchmark page: saving a report through the app's own writeOp (Dexie, one strict
 * transaction writing report and op, both sealed at rest as the unlocked app seals them), against
 * its peer, the same two records written in clear with the raw IndexedDB API in one strict
 * transaction. Both write report-shaped records of about 760 bytes.
 */
import { cryptoRandom } from '../../../src/domain/ids.ts';
import type { ReportContent } from '../../../src/domain/report.ts';
import { DataKeyHolder } from '../../../src/app/store/at-rest.ts';
import { RasidDb } from '../../../src/app/store/db.ts';
import { createReport } from '../../../src/app/store/reports.ts';
import type { WriterContext } from '../../../src/app/store/write-op.ts';
import { deviceId } from '../../ids.ts';

export const CONTENT: ReportContent = {
  type: 'damage',
  eventDate: { precision: 'exact', date: '2025-03-07' },
  placeName: 'بيت ياشوط',
  admin: { adm1: { pcode: 'SY06', en: 'Lattakia', ar: 'اللاذقية' }, adm2: { pcode: 'SY0602', en: 'Jablah', ar: 'جبلة' } },
  structureKind: 'home',
  structures: 7,
  damageLevel: 'destroyed',
  damageCause: 'burning',
  looted: true,
  sourceKind: 'eyewitness',
  confidence: 'medium',
  narrative: 'أُحرقت البيوت بعد نهبها، وشاهد الجيران الدخان من الطريق العام قرب المدرسة. '.repeat(4),
};

export function openRaw(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open('raw-peer', 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore('reports', { keyPath: 'id' });
      req.result.createObjectStore('ops', { keyPath: 'id' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

export function rawSave(db: IDBDatabase, i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(['reports', 'ops'], 'readwrite', { durability: 'strict' });
    const id = `r${i}`;
    tx.objectStore('reports').put({ id, type: 'damage', createdAt: String(Date.now()), state: CONTENT, lastOwnSeq: i });
    tx.objectStore('ops').add({ id: `o${i}`, reportId: id, device: 'bench', deviceSeq: i, body: { changes: CONTENT } });
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB request failed'));
  });
}

async function timeEach(n: number, save: (i: number) => Promise<unknown>, offset: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await save(offset + i);
    out.push(performance.now() - t0);
  }
  return out;
}

/** Alternates blocks of the two, so drift on a shared machine falls on both alike. */
async function saveReports(perSide: number, blocks: number): Promise<{ raw: number[]; rasid: number[] }> {
  const raw = await openRaw();
  const dataKey = new DataKeyHolder();
  await dataKey.set(cryptoRandom(32));
  const db = new RasidDb('bench-rasid', { dataKey });
  const writer: WriterContext = { db, device: deviceId('benchdevice01'), now: () => Date.now(), random: cryptoRandom };
  await createReport(writer, CONTENT); // warm-up: opens the database, compiles the paths
  await rawSave(raw, 0);
  const result = { raw: [] as number[], rasid: [] as number[] };
  const per = Math.ceil(perSide / blocks);
  for (let b = 0; b < blocks; b++) {
    result.raw.push(...(await timeEach(per, (i) => rawSave(raw, i), 1 + b * per)));
    result.rasid.push(...(await timeEach(per, () => createReport(writer, CONTENT), 0)));
  }
  return result;
}

(globalThis as unknown as { bench: unknown }).bench = { saveReports };
