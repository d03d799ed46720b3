import { describe, expect, test } from 'vitest';
import { EXPORT_FORMATS, exportChunks, exportText, type ExportChunk } from '../../src/export/export-file.ts';
import { INTERNAL_PROFILE, partnerProfile } from '../../src/export/profile.ts';
import { pseudonymsOf } from '../../src/export/pseudonym.ts';
import type { ExportRecord } from '../../src/export/record.ts';
import { EXPORTED_AT, MAPPING_KEY, RECORDS, WASH_PARTNER } from './fixtures.ts';

function collect(it: Iterable<ExportChunk>): ExportChunk[] {
  return [...it];
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
    const chunks = collect(exportChunks(RECORDS, { profile: WASH_PARTNER, format: 'csv', exportedAt: EXPORTED_AT, rowsPerChunk: 3 }));
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
    const chunks = collect(exportChunks(records, { profile: WASH_PARTNER, format: 'csv', exportedAt: EXPORTED_AT }));
    const text = chunks.map((c) => c.text).join('');
    expect(chunks.length).toBe(1 + 10 + 1);
    expect(chunks.at(-1)!.rows).toBe(10_000);
    expect(text.split('\r\n').length - 1).toBe(10_000 + 2);
    expect(Math.max(...chunks.map((c) => c.text.length))).toBeLessThan(text.length / 5);
  });
});

describe('the row order of a partner file', () => {
  /** Which report each row of a partner's CSV is, found by pseudonymising every id under that partner's key. */
  async function reportOrder(records: readonly ExportRecord[], profile: typeof WASH_PARTNER): Promise<string[]> {
    const ids = records.map((r) => r.id as string);
    const byPseudonym = new Map([...pseudonymsOf(profile.key, ids)].map(([id, p]) => [p, id]));
    const { text } = await exportText(records, { profile, format: 'csv', exportedAt: EXPORTED_AT });
    return text
      .split('\r\n')
      .slice(2, -1)
      .map((line) => byPseudonym.get(line.slice(1, 33))!);
  }

  const records = many(100);
  // The same fields for both: nothing but the ids (and so the pseudonyms) tells the two files apart.
  const other = partnerProfile({ name: 'shelter-cluster', key: MAPPING_KEY });

  test("two partners' files do not line up row for row, so the n-th rows do not join their pseudonyms", async () => {
    const wash = await reportOrder(records, WASH_PARTNER);
    const shelter = await reportOrder(records, other);
    expect(new Set(wash)).toEqual(new Set(shelter));
    const sameRow = wash.filter((id, i) => shelter[i] === id);
    // One report in a hundred may land on the same row by chance; in creation order all would.
    expect(sameRow.length).toBeLessThan(5);
  });

  test("the rows are in the order of the partner's pseudonyms, also where two share their first digits", async () => {
    const lots = many(20_000);
    const { text } = await exportText(lots, { profile: WASH_PARTNER, format: 'csv', exportedAt: EXPORTED_AT });
    const shown = text
      .split('\r\n')
      .slice(2, -1)
      .map((line) => line.slice(1, 33));
    expect(shown).toHaveLength(20_000);
    // At 20,000 rows some pseudonyms share their first six digits: those are ordered by the rest.
    const sharing = shown.filter((p, i) => i > 0 && p.slice(0, 6) === shown[i - 1]!.slice(0, 6));
    expect(sharing.length).toBeGreaterThan(0);
    expect(shown).toEqual([...shown].sort());
  });

  test('a partner gets the same order whatever order the reports were made or read in', async () => {
    const forward = await exportText(records, { profile: WASH_PARTNER, format: 'json', exportedAt: EXPORTED_AT });
    const backward = await exportText([...records].reverse(), { profile: WASH_PARTNER, format: 'json', exportedAt: EXPORTED_AT });
    expect(backward.text).toBe(forward.text);
    expect(await reportOrder(records, WASH_PARTNER)).not.toEqual(records.map((r) => r.id));
  });
});
