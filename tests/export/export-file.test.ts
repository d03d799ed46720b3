import { describe, expect, test } from 'vitest';
import { EXPORT_FORMATS, exportChunks, exportText, type ExportChunk } from '../../src/export/export-file.ts';
import { INTERNAL_PROFILE } from '../../src/export/profile.ts';
import type { ExportRecord } from '../../src/export/record.ts';
import { EXPORTED_AT, RECORDS, WASH_PARTNER } from './fixtures.ts';

async function collect(it: AsyncGenerator<ExportChunk>): Promise<ExportChunk[]> {
  const out: ExportChunk[] = [];
  for await (const c of it) out.push(c);
  return out;
}

/** `n` live reports made from the fixture set, each with its own id. */
function many(n: number): ExportRecord[] {
  const live = RECORDS.filter((r) => r.deleted !== true);
  return Array.from({ length: n }, (_, i) => ({
    ...live[i % live.length]!,
    id: `01957a3c-4000-7000-8000-${i.toString(16).padStart(12, '0')}`,
  }));
}

describe('an export in chunks', () => {
  test('reports progress up to the number of rows the file will have', async () => {
    const chunks = await collect(exportChunks(RECORDS, { profile: WASH_PARTNER, format: 'csv', exportedAt: EXPORTED_AT, rowsPerChunk: 3 }));
    expect(chunks.map((c) => c.rows)).toEqual([0, 3, 6, 7, 7]);
    // The deleted report is not a partner row, so it is not counted either.
    expect(chunks.every((c) => c.total === 7)).toBe(true);
  });

  test.each(EXPORT_FORMATS)('gives the same %s file whatever the chunk size', async (format) => {
    const whole = await exportText(RECORDS, { profile: WASH_PARTNER, format, exportedAt: EXPORTED_AT });
    const small = await exportText(RECORDS, { profile: WASH_PARTNER, format, exportedAt: EXPORTED_AT, rowsPerChunk: 2 });
    expect(small.text).toBe(whole.text);
  });

  test('counts every row of the internal export, the deleted one included', async () => {
    expect((await exportText(RECORDS, { profile: INTERNAL_PROFILE, format: 'csv', exportedAt: EXPORTED_AT })).rows).toBe(RECORDS.length);
  });

  test('writes 10,000 partner rows in chunks, each chunk a bounded piece of the file', async () => {
    const records = many(10_000);
    const chunks = await collect(exportChunks(records, { profile: WASH_PARTNER, format: 'csv', exportedAt: EXPORTED_AT }));
    const text = chunks.map((c) => c.text).join('');
    expect(chunks.length).toBe(1 + 10 + 1);
    expect(chunks.at(-1)!.rows).toBe(10_000);
    expect(text.split('\r\n').length - 1).toBe(10_000 + 2);
    expect(Math.max(...chunks.map((c) => c.text.length))).toBeLessThan(text.length / 5);
  });
});
