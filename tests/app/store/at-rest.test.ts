// Must come first: Dexie looks for IndexedDB when it is first imported.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, test } from 'vitest';
import { DataKeyHolder, LockedError, SEALED_PROP, UNREADABLE_PROP } from '../../../src/app/store/at-rest.ts';
import { readRow } from '../../../src/app/store/read-row.ts';
import { RasidDb } from '../../../src/app/store/db.ts';
import { keepDraft } from '../../../src/app/store/drafts.ts';
import { sealExistingRows } from '../../../src/app/store/seal-existing.ts';
import { createReport, deleteReport, editReport } from '../../../src/app/store/reports.ts';
import { viewOf } from '../../../src/domain/merge.ts';
import { damageReport, T0, writer } from './store-fixtures.ts';

const MARKER = 'MARKER-7f3a-حريق-السوق';
let n = 0;
const open: RasidDb[] = [];
afterEach(async () => {
  for (const d of open.splice(0)) await d.delete();
});

/** The same database opened twice: through the data key, and as the disk holds it. */
function pair(): { db: RasidDb; disk: RasidDb; dataKey: DataKeyHolder } {
  const name = `rasid-at-rest-${++n}-${process.pid}`;
  const dataKey = new DataKeyHolder();
  dataKey.set(crypto.getRandomValues(new Uint8Array(32)));
  const db = new RasidDb(name, { dataKey });
  const disk = new RasidDb(name);
  open.push(db, disk);
  return { db, disk, dataKey };
}

/** Every row of every table, as text a search could find a marker in (bytes decoded too). */
async function everything(disk: RasidDb): Promise<string> {
  const parts: string[] = [];
  for (const table of disk.tables) {
    for (const row of await table.toArray()) {
      parts.push(
        JSON.stringify(row, (_k, v: unknown) =>
          v instanceof Uint8Array ? new TextDecoder('utf-8', { fatal: false }).decode(v) + Buffer.from(v).toString('latin1') : v,
        ),
      );
    }
  }
  return parts.join('\n');
}

const marked = { ...damageReport, narrative: `${damageReport.narrative} ${MARKER}`, placeName: `${MARKER} سوق` };

describe('rows at rest', () => {
  test('what the app saved reads back as it was, while the disk holds no report content, draft or op body', async () => {
    const { db, disk } = pair();
    const ctx = writer(db);
    const id = await createReport(ctx, marked);
    await editReport(ctx, id, { structures: 9 });
    await keepDraft(db, { id: 'draft-1', type: 'damage', values: { narrative: MARKER }, updatedAt: T0 });

    const row = await db.reports.get(id);
    expect(viewOf(row!.state).values).toMatchObject({ narrative: marked.narrative, structures: 9 });
    expect((await db.ops.toArray()).sort((x, y) => x.deviceSeq - y.deviceSeq).map((o) => o.body.changes)).toEqual([
      expect.objectContaining({ narrative: marked.narrative }),
      { structures: 9 },
    ]);
    expect((await db.drafts.get('draft-1'))?.values.narrative).toBe(MARKER);

    const stored = await everything(disk);
    expect(stored).not.toContain(MARKER);
    expect(stored).not.toContain('MARKER');
    // What indexes and sync need stays readable: ids, type, sequence numbers.
    const rawReport = (await disk.reports.get(id)) as unknown as Record<string, unknown>;
    expect(Object.keys(rawReport).sort()).toEqual([SEALED_PROP, 'createdAt', 'id', 'lastOwnSeq', 'type'].sort());
    expect(rawReport.type).toBe('damage');
    expect(await db.reports.where('[type+createdAt]').between(['damage', ''], ['damage', '\uffff']).count()).toBe(1);
    expect(await db.ops.where('[device+deviceSeq]').between([ctx.device, 0], [ctx.device, Infinity]).last()).toMatchObject({
      deviceSeq: 2,
    });
  });

  test('every way Dexie reads and writes goes through the seal: cursors, filters, modify, update, bulk reads', async () => {
    const { db, disk } = pair();
    const ctx = writer(db);
    const ids = [await createReport(ctx, marked), await createReport(ctx, { ...marked, structures: 3 })];
    const seen: string[] = [];
    await db.reports.each((r) => void seen.push(String(viewOf(r.state).values.narrative)));
    expect(seen).toEqual([marked.narrative, marked.narrative]);
    expect((await db.reports.filter((r) => viewOf(r.state).values.structures === 3).toArray()).map((r) => r.id)).toEqual([ids[1]]);
    expect((await db.reports.bulkGet(ids)).map((r) => r?.id)).toEqual(ids);
    expect((await db.reports.orderBy('createdAt').first())?.id).toBe(ids[0]);
    await db.drafts.put({ id: 'd', type: 'damage', values: { narrative: MARKER }, updatedAt: T0 });
    await db.drafts.update('d', { updatedAt: T0 + 1 });
    await db.drafts.toCollection().modify((d) => void (d.values.placeName = MARKER));
    expect(await db.drafts.get('d')).toEqual({
      id: 'd',
      type: 'damage',
      values: { narrative: MARKER, placeName: MARKER },
      updatedAt: T0 + 1,
    });
    await deleteReport(ctx, ids[0]!);
    expect(viewOf((await db.reports.get(ids[0]!))!.state).deleted).toBe(true);
    expect(await everything(disk)).not.toContain('MARKER');
  });

  test('locked, nothing can be read or written; unlocked again, everything is there', async () => {
    const { db, dataKey } = pair();
    const ctx = writer(db);
    const id = await createReport(ctx, marked);
    const key = Uint8Array.from(dataKey.get());
    dataKey.clear();
    await expect(db.reports.get(id)).rejects.toBeInstanceOf(LockedError);
    await expect(db.reports.toArray()).rejects.toBeInstanceOf(LockedError);
    await expect(createReport(ctx, marked)).rejects.toBeInstanceOf(LockedError);
    dataKey.set(key);
    expect((await db.reports.toArray()).map((r) => r.id)).toEqual([id]);
  });

  test('a changed byte, a row moved to another row, or another key: the row does not open, and the others still read', async () => {
    const { db, disk, dataKey } = pair();
    const ctx = writer(db);
    const [a, b] = [await createReport(ctx, marked), await createReport(ctx, damageReport)];
    const rawA = (await disk.reports.get(a)) as unknown as Record<string, Uint8Array>;
    const rawB = (await disk.reports.get(b)) as unknown as Record<string, Uint8Array>;

    const flipped = Uint8Array.from(rawA[SEALED_PROP]!);
    flipped[40] = flipped[40]! ^ 1;
    const unreadable = (id: string) => ({
      [UNREADABLE_PROP]: true,
      id,
      type: 'damage',
      createdAt: expect.any(String),
      lastOwnSeq: expect.any(Number),
    });
    await disk.reports.put({ ...rawA, [SEALED_PROP]: flipped } as never);
    expect(await db.reports.get(a)).toEqual(unreadable(a));
    // The list still shows every other report, and this one as unreadable.
    const listed = (await db.reports.toArray()).map((r) => readRow(r, 0));
    expect(listed.map((i) => i.ok)).toEqual(a < b ? [false, true] : [true, false]);

    await disk.reports.put({ ...rawB, id: a } as never);
    expect(await db.reports.get(a)).toEqual(unreadable(a));

    dataKey.set(crypto.getRandomValues(new Uint8Array(32)));
    expect(await db.reports.get(b)).toEqual(unreadable(b));
  });

  test('rows written before sealing began still read, and are sealed when next written', async () => {
    const { db, disk } = pair();
    const plainId = await createReport(writer(disk), marked);
    expect(await everything(disk)).toContain(MARKER);
    const row = await db.reports.get(plainId);
    expect(viewOf(row!.state).values.narrative).toBe(marked.narrative);
    expect(await sealExistingRows(db)).toBe(2);
    expect(await everything(disk)).not.toContain(MARKER);
    expect(viewOf((await db.reports.get(plainId))!.state).values.narrative).toBe(marked.narrative);
  });
});
