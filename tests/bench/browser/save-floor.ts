/**
 * Runs in the benchmark page: saving a report through the app (createReport) beside two floors in
 * one strict transaction each. The raw two-store write (the peer of `save a report`) seals nothing
 * and reads nothing, so it is not what a save can come down to. The design's floor does what every
 * save must: over the same three stores with the same indexes, it reads the writer row (the
 * deviceSeq and clock are taken inside the transaction that writes them, so none is ever skipped),
 * opens it, builds the op and the merged report, and writes op, report and writer each sealed as the
 * app seals them, with the raw IndexedDB API and no checks: what is left between it and the app is
 * Dexie and the op's validation.
 */
import { encodeHlc, nodeIdOf, tick, type Hlc } from '../../../src/domain/hlc.ts';
import { cryptoRandom, newOpId, newReportId, type DeviceId } from '../../../src/domain/ids.ts';
import { applyOp, emptyState, TYPE_FIELD } from '../../../src/domain/merge.ts';
import type { Op } from '../../../src/domain/op/op.ts';
import { DataKeyHolder, openRow, sealRow, type RowKeys } from '../../../src/app/store/at-rest.ts';
import { RasidDb } from '../../../src/app/store/db.ts';
import { createReport } from '../../../src/app/store/reports.ts';
import { reportRow } from '../../../src/app/store/rows.ts';
import type { WriterContext } from '../../../src/app/store/write-op.ts';
import { deviceId } from '../../ids.ts';
import { CONTENT, openRaw, rawSave } from './save-report.ts';

const DEVICE = deviceId('benchdevice02');

/** The app's three stores with the app's indexes (db.ts), made with the raw API. */
function openFloor(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open('floor-peer', 1);
    req.onupgradeneeded = () => {
      const reports = req.result.createObjectStore('reports', { keyPath: 'id' });
      reports.createIndex('createdAt', 'createdAt');
      reports.createIndex('[type+createdAt]', ['type', 'createdAt']);
      reports.createIndex('hasConflict', 'hasConflict');
      const ops = req.result.createObjectStore('ops', { keyPath: 'id' });
      ops.createIndex('reportId', 'reportId');
      ops.createIndex('[device+deviceSeq]', ['device', 'deviceSeq']);
      ops.createIndex('seq', 'seq');
      req.result.createObjectStore('meta', { keyPath: 'key' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

interface Writer {
  device: DeviceId;
  clock: Hlc;
  deviceSeq: number;
}

function floorSave(db: IDBDatabase, keys: RowKeys): Promise<void> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(['reports', 'ops', 'meta'], 'readwrite', { durability: 'strict' });
    const meta = tx.objectStore('meta');
    const read = meta.get('writer');
    read.onsuccess = () => {
      const stored = read.result as Record<string, unknown> | undefined;
      const writer = stored
        ? (openRow('meta', stored, 'writer', keys).value as Writer)
        : { device: DEVICE, clock: { wall: 0, counter: 0, node: nodeIdOf(DEVICE) }, deviceSeq: 0 };
      const now = Date.now();
      const clock = tick(writer.clock, now);
      const id = newReportId(now, cryptoRandom);
      const op: Op = {
        v: 1,
        id: newOpId(now, cryptoRandom),
        kind: 'create',
        reportId: id,
        device: DEVICE,
        deviceSeq: writer.deviceSeq + 1,
        body: { hlc: encodeHlc(clock), changes: { ...CONTENT, [TYPE_FIELD]: CONTENT.type }, supersedes: {} },
      };
      const row = reportRow(applyOp(emptyState(id), op), op.deviceSeq) as unknown as Record<string, unknown>;
      tx.objectStore('ops').add(sealRow('ops', op, op.id, keys, cryptoRandom));
      tx.objectStore('reports').put(sealRow('reports', row, id, keys, cryptoRandom));
      meta.put(sealRow('meta', { key: 'writer', value: { device: DEVICE, clock, deviceSeq: op.deviceSeq } }, 'writer', keys, cryptoRandom));
    };
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB request failed'));
  });
}

async function timed(save: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await save();
  return performance.now() - t0;
}

/** The three, one save each in turn, so drift on a shared machine falls on all alike. */
async function saveFloors(saves: number): Promise<{ rasid: number[]; floor: number[]; raw: number[] }> {
  const dataKey = new DataKeyHolder();
  await dataKey.set(cryptoRandom(32));
  const db = new RasidDb('bench-floor-rasid', { dataKey });
  const writer: WriterContext = { db, device: DEVICE, now: () => Date.now(), random: cryptoRandom };
  const [floor, raw] = await Promise.all([openFloor(), openRaw()]);
  const keys = dataKey.rowKeys();
  // Warm-up: opens the databases, compiles the paths.
  await createReport(writer, CONTENT);
  await floorSave(floor, keys);
  await rawSave(raw, 0);
  const out = { rasid: [] as number[], floor: [] as number[], raw: [] as number[] };
  for (let i = 1; i <= saves; i++) {
    out.rasid.push(await timed(() => createReport(writer, CONTENT)));
    out.floor.push(await timed(() => floorSave(floor, keys)));
    out.raw.push(await timed(() => rawSave(raw, i)));
  }
  return out;
}

(globalThis as unknown as { bench: unknown }).bench = { saveFloors };
