/**
 * Sealing what a phone stored before it had a passcode: every row of every sealed table is read
 * (rows in clear read as they are) and written back through the seal, a chunk per transaction so a
 * large store never holds one long transaction.
 */
import { isSealedTable } from './at-rest.ts';
import type { RasidDb } from './db.ts';

const CHUNK = 500;

export async function sealExistingRows(db: RasidDb): Promise<number> {
  let written = 0;
  for (const table of db.tables.filter((t) => isSealedTable(t.name))) {
    const keys = await table.toCollection().primaryKeys();
    for (let i = 0; i < keys.length; i += CHUNK) {
      const chunk = keys.slice(i, i + CHUNK);
      await db.transaction('rw', table, async () => {
        const rows = (await table.bulkGet(chunk)).filter((r) => r !== undefined);
        await table.bulkPut(rows);
        written += rows.length;
      });
    }
  }
  return written;
}
