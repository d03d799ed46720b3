/**
 * Each device's watermark: the highest deviceSeq the server has decided (acknowledged or rejected)
 * with no gap below it. Every response carries it; the device re-pushes everything above it.
 *
 * Pushes keep it in `device_progress`, in the same transaction as the ops, so reading it is one row
 * (one query for every device, for a coordinator's response) instead of a walk over the log.
 */
import type { Kysely } from 'kysely';
import type { DeviceId } from '../../domain/ids.ts';
import type { Database } from './schema.ts';

export interface DeviceWatermark {
  device: DeviceId;
  deviceSeq: number;
}

export async function deviceWatermark(db: Kysely<Database>, device: DeviceId): Promise<number> {
  const row = await db.selectFrom('device_progress').select('watermark').where('device', '=', device).executeTakeFirst();
  return row ? Number(row.watermark) : 0;
}

/** Every device the store has decided an op of, in device order. */
export async function allWatermarks(db: Kysely<Database>): Promise<DeviceWatermark[]> {
  const rows = await db.selectFrom('device_progress').select(['device', 'watermark']).orderBy('device').execute();
  return rows.map((r) => ({ device: r.device, deviceSeq: Number(r.watermark) }));
}

/**
 * A device's progress while a push decides its ops: the watermark, and the seqs already held above
 * it (ops that came out of order). Holding both, a push moves the watermark without re-reading.
 */
export class DeviceProgress {
  changed = false;
  constructor(
    public watermark: number,
    private readonly above: Set<number>,
  ) {}

  decided(deviceSeq: number): void {
    this.above.add(deviceSeq);
    while (this.above.delete(this.watermark + 1)) {
      this.watermark += 1;
      this.changed = true;
    }
  }
}

/** Loads the progress of the given devices; call it under the counter lock. */
export async function loadProgress(db: Kysely<Database>, devices: readonly DeviceId[]): Promise<Map<DeviceId, DeviceProgress>> {
  const progress = new Map<DeviceId, DeviceProgress>();
  if (devices.length === 0) return progress;
  const marks = new Map<DeviceId, number>();
  for (const part of chunks(devices)) {
    const rows = await db.selectFrom('device_progress').select(['device', 'watermark']).where('device', 'in', part).execute();
    for (const r of rows) marks.set(r.device, Number(r.watermark));
  }
  const above = new Map<DeviceId, Set<number>>(devices.map((d) => [d, new Set<number>()]));
  // Usually empty: only ops held beyond a gap sit above a watermark.
  for (const part of chunks(devices)) {
    const rows = await db
      .selectFrom('ops')
      .select(['device', 'device_seq'])
      .where((eb) => eb.or(part.map((d) => eb.and([eb('device', '=', d), eb('device_seq', '>', marks.get(d) ?? 0)]))))
      .execute();
    for (const r of rows) above.get(r.device)!.add(Number(r.device_seq));
  }
  for (const d of devices) progress.set(d, new DeviceProgress(marks.get(d) ?? 0, above.get(d)!));
  return progress;
}

export async function saveProgress(db: Kysely<Database>, progress: ReadonlyMap<DeviceId, DeviceProgress>): Promise<void> {
  const rows = [...progress].filter(([, p]) => p.changed).map(([device, p]) => ({ device, watermark: p.watermark }));
  for (const part of chunks(rows)) {
    await db
      .insertInto('device_progress')
      .values(part)
      .onConflict((oc) => oc.column('device').doUpdateSet((eb) => ({ watermark: eb.ref('excluded.watermark') })))
      .execute();
  }
}

/** Keeps `in (...)` lists and multi-row inserts well under both databases' parameter limits. */
export function chunks<T>(items: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
