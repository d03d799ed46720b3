// Must come first: Dexie looks for IndexedDB when it is first imported.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, test } from 'vitest';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import Dexie from 'dexie';
import { CLEAR_PROPS, DataKeyHolder, LockedError, SEALED_PROP, UNREADABLE_PROP } from '../../../src/app/store/at-rest.ts';
import { readRow } from '../../../src/app/store/read-row.ts';
import { RasidDb } from '../../../src/app/store/db.ts';
import { keepDraft } from '../../../src/app/store/drafts.ts';
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
async function pair(): Promise<{ db: RasidDb; disk: RasidDb; dataKey: DataKeyHolder }> {
  const name = `rasid-at-rest-${++n}-${process.pid}`;
  const dataKey = new DataKeyHolder();
  await dataKey.set(crypto.getRandomValues(new Uint8Array(32)));
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
    const { db, disk } = await pair();
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
    const { db, disk } = await pair();
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
    const { db, dataKey } = await pair();
    const ctx = writer(db);
    const id = await createReport(ctx, marked);
    const key = Uint8Array.from(dataKey.get());
    dataKey.clear();
    await expect(db.reports.get(id)).rejects.toBeInstanceOf(LockedError);
    await expect(db.reports.toArray()).rejects.toBeInstanceOf(LockedError);
    await expect(createReport(ctx, marked)).rejects.toBeInstanceOf(LockedError);
    await dataKey.set(key);
    expect((await db.reports.toArray()).map((r) => r.id)).toEqual([id]);
  });

  test('a changed byte, a row moved to another row, or another key: the row does not open, and the others still read', async () => {
    const { db, disk, dataKey } = await pair();
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

    await dataKey.set(crypto.getRandomValues(new Uint8Array(32)));
    expect(await db.reports.get(b)).toEqual(unreadable(b));
  });

  test('a row planted in clear reads as unreadable, with its clear part alone: nothing of it is sealed or sent as this device’s', async () => {
    const { db, disk } = await pair();
    const ctx = writer(db);
    const real = await createReport(ctx, damageReport);
    const planted = await createReport(writer(disk, T0 + 1), marked);
    await disk.meta.put({ key: 'ownVouched', value: true });
    const plantedOp = (await disk.ops.where('reportId').equals(planted).first())!;

    expect(await db.reports.get(planted)).toEqual({
      [UNREADABLE_PROP]: true,
      id: planted,
      type: 'damage',
      createdAt: expect.any(String),
      lastOwnSeq: expect.any(Number),
    });
    const op = (await db.ops.get(plantedOp.id)) as unknown as Record<string, unknown>;
    expect(op[UNREADABLE_PROP]).toBe(true);
    expect(op).not.toHaveProperty('body');
    expect(await db.getMeta('ownVouched')).toBeUndefined();
    // The real report is untouched, and a later save seals nothing of the planted one.
    expect(viewOf((await db.reports.get(real))!.state).values.narrative).toBe(damageReport.narrative);
    await editReport(ctx, real, { structures: 4 });
    expect((await disk.reports.get(planted))?.state).toBeDefined();
    expect(JSON.stringify(await db.reports.toArray())).not.toContain('MARKER');
  });

  test('the rows subkey is HKDF-SHA-256 of the data key under its own label: the data key itself does not open a row', async () => {
    const { db, disk, dataKey } = await pair();
    const id = await createReport(writer(db), marked);
    const sealed = ((await disk.reports.get(id)) as unknown as Record<string, Uint8Array>)[SEALED_PROP]!;
    expect(sealed[0]).toBe(2);
    const rowsKey = await rowsKeyOf(dataKey);
    const open = (key: Uint8Array) => openSealed(2, 'reports', sealed, id, key);
    expect(new TextDecoder().decode(open(rowsKey))).toContain(MARKER);
    expect(() => open(dataKey.get())).toThrow();
  });

  test("a report's merged state lies on disk packed, each version's op, clock and device written once", async () => {
    const { db, disk, dataKey } = await pair();
    const ctx = writer(db);
    const id = await createReport(ctx, marked);
    await editReport(ctx, id, { structures: 9 });
    const row = (await disk.reports.get(id)) as unknown as Record<string, Uint8Array>;
    const secret = JSON.parse(new TextDecoder().decode(openSealed(2, 'reports', row[SEALED_PROP]!, id, await rowsKeyOf(dataKey))));
    expect(secret).not.toHaveProperty('state');
    const state = (await db.reports.get(id))!.state;
    expect(secret.packedState.by).toHaveLength(2);
    expect(JSON.stringify(secret.packedState).length).toBeLessThan(JSON.stringify(state).length / 2);
    expect(viewOf(state).values).toMatchObject({ narrative: marked.narrative, structures: 9 });
  });

  test('a row sealed with its state in full, as before packing, opens as it was and is packed when next saved', async () => {
    const { db, disk, dataKey } = await pair();
    const ctx = writer(db);
    const id = await createReport(ctx, marked);
    const asSaved = await db.reports.get(id);
    await disk.reports.put(sealedAs(2, 'reports', { ...asSaved }, id, await rowsKeyOf(dataKey)) as never);
    expect(await db.reports.get(id)).toStrictEqual(asSaved);

    await editReport(ctx, id, { structures: 4 });
    const row = (await disk.reports.get(id)) as unknown as Record<string, Uint8Array>;
    const opened = JSON.parse(new TextDecoder().decode(openSealed(2, 'reports', row[SEALED_PROP]!, id, await rowsKeyOf(dataKey))));
    expect(Object.keys(opened)).toEqual(['packedState']);
    expect(viewOf((await db.reports.get(id))!.state).values).toMatchObject({ narrative: marked.narrative, structures: 4 });
  });

  test('a database of the version before: rows in clear and rows sealed under the data key itself are sealed again under the subkey, meta too', async () => {
    const name = `rasid-at-rest-v2-${++n}-${process.pid}`;
    // The rows as that version wrote them: made here in clear, then some sealed as format 1 did.
    const scratch = new RasidDb(`${name}-scratch`);
    open.push(scratch);
    const ctx = writer(scratch);
    const [a, b] = [await createReport(ctx, marked), await createReport(ctx, { ...marked, structures: 2 })];
    const dataKey = new DataKeyHolder();
    await dataKey.set(crypto.getRandomValues(new Uint8Array(32)));
    const old = versionTwo(name);
    // Only the tables that version had (photos came later).
    for (const table of scratch.tables.filter((t) => old.tables.some((o) => o.name === t.name))) {
      const rows = (await table.toArray()) as Record<string, unknown>[];
      const pk = table.schema.primKey.keyPath as string;
      await old.table(table.name).bulkPut(
        // Reports and ops of `a` sealed as format 1 did; the rest in clear, as before the lock, and meta always.
        rows.map((r) => ((r.id === a || r.reportId === a) && table.name !== 'meta' ? sealedAs(1, table.name, r, r[pk], dataKey.get()) : r)),
      );
    }
    old.close();

    const db = new RasidDb(name, { dataKey });
    const disk = new RasidDb(name);
    open.push(db, disk);
    expect(viewOf((await db.reports.get(a))!.state).values.narrative).toBe(marked.narrative);
    expect(viewOf((await db.reports.get(b))!.state).values.structures).toBe(2);
    expect(await db.getMeta('entriesToSeal')).toBe(true);
    expect(await db.ops.count()).toBe(2);
    for (const table of disk.tables) {
      for (const row of (await table.toArray()) as Record<string, unknown>[]) {
        expect((row[SEALED_PROP] as Uint8Array)[0], `${table.name} ${JSON.stringify(row)}`).toBe(2);
      }
    }
    expect(await everything(disk)).not.toContain('MARKER');
    expect((await db.ops.toArray()).every((o) => o.body !== undefined)).toBe(true);
  });
});

const utf8 = (s: string) => new TextEncoder().encode(s);

/** The database as the version before this one declared it (db.ts, versions 1 and 2). */
function versionTwo(name: string): Dexie {
  const db = new Dexie(name);
  db.version(1).stores({
    reports: 'id, createdAt, [type+createdAt]',
    ops: 'id, reportId, [device+deviceSeq]',
    drafts: 'id, updatedAt',
    meta: 'key',
  });
  db.version(2).stores({
    reports: 'id, createdAt, [type+createdAt], hasConflict',
    ops: 'id, reportId, [device+deviceSeq], seq',
    settings: 'id',
    quarantine: 'id',
  });
  return db;
}

/** The rows subkey: HKDF-SHA-256 of the data key under its own label, derived here apart from the app's code. */
async function rowsKeyOf(dataKey: DataKeyHolder): Promise<Uint8Array> {
  const base = await crypto.subtle.importKey('raw', Uint8Array.from(dataKey.get()), 'HKDF', false, ['deriveBits']);
  const label = { name: 'HKDF', hash: 'SHA-256', salt: utf8('rasid/data-key'), info: utf8('rasid/rows/2') };
  return new Uint8Array(await crypto.subtle.deriveBits(label, base, 256));
}

/** A sealed row's associated data in a format: its table and its key. */
const associatedData = (format: 1 | 2, table: string, primaryKey: unknown) =>
  utf8(`rasid/at-rest/${format}\u0000${table}\u0000${JSON.stringify(primaryKey)}`);

/** The plaintext of a sealed part, as a second reader would open it. */
function openSealed(format: 1 | 2, table: string, sealed: Uint8Array, primaryKey: unknown, key: Uint8Array): Uint8Array {
  return xchacha20poly1305(key, sealed.subarray(1, 25), associatedData(format, table, primaryKey)).decrypt(sealed.subarray(25));
}

/**
 * A row sealed as an earlier version sealed it, with its merged state in full: format 1 under the
 * data key itself, format 2 under the rows subkey. Written here apart from the app's code, as a
 * second reader would.
 */
function sealedAs(
  format: 1 | 2,
  table: string,
  row: Record<string, unknown>,
  primaryKey: unknown,
  key: Uint8Array,
): Record<string, unknown> {
  const clear = CLEAR_PROPS[table]!;
  const stored: Record<string, unknown> = {};
  const secret: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) (clear.includes(k) ? stored : secret)[k] = v;
  const nonce = crypto.getRandomValues(new Uint8Array(24));
  const ct = xchacha20poly1305(key, nonce, associatedData(format, table, primaryKey)).encrypt(utf8(JSON.stringify(secret)));
  stored[SEALED_PROP] = Uint8Array.from([format, ...nonce, ...ct]);
  return stored;
}
