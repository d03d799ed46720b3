/**
 * The peer of saving a report, for the benchmark page (save-floor.ts times all three): the same two
 * records a save writes, report and op, in clear with the raw IndexedDB API in one strict
 * transaction, and the report-shaped content (about 760 bytes) every save in the bench writes.
 */
import type { ReportContent } from '../../../src/domain/report.ts';

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
