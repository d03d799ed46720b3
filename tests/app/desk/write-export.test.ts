/**
 * The export worker's writer, from records in memory to the file's Blob: byte for byte the golden
 * files the export core is pinned to, whatever the profile and format, and for a partner's small
 * groups the same file as exportText writes for that choice; the coordinator hears of unplaced rows
 * and small groups before the first row, and the file waits for the choice.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { writeExportFile, type WriteEvents } from '../../../src/app/desk/write-export.ts';
import { EXPORT_FORMATS, FILE_FORMATS, exportText } from '../../../src/export/export-file.ts';
import { SMALL_GROUP_CHOICES, type SmallGroupChoice } from '../../../src/export/small-groups.ts';
import { EXPORTED_AT, PROFILES, RECORDS, WASH_PARTNER } from '../../export/fixtures.ts';

const golden = (name: string) => readFileSync(new URL(`../../export/golden/${name}`, import.meta.url));

/** What the coordinator was told, in order; small groups answered with `choice`. */
function listening(choice: SmallGroupChoice) {
  const said: string[] = [];
  const on: WriteEvents = {
    unplaced: (n) => said.push(`unplaced ${n}`),
    smallGroups: (found) => {
      said.push(`small groups ${found.groups}`);
      return Promise.resolve(choice);
    },
    progress: (rows, total) => said.push(`row ${rows} of ${total}`),
  };
  return { said, on };
}

describe('writing an export file from records in memory', () => {
  for (const profile of PROFILES) {
    for (const format of EXPORT_FORMATS) {
      const name = `${profile.name}.${FILE_FORMATS[format].extension}`;
      test(`${name}: the golden file, byte for byte`, async () => {
        const { on } = listening('keep');
        const file = await writeExportFile(RECORDS, { profile, format, exportedAt: EXPORTED_AT }, on);
        expect(Buffer.compare(Buffer.from(await file.blob.arrayBuffer()), golden(name))).toBe(0);
        expect(file.blob.type).toBe(FILE_FORMATS[format].mediaType);
      });
    }
  }

  for (const choice of SMALL_GROUP_CHOICES) {
    test(`a partner's CSV with its small groups chosen to ${choice}: what exportText writes, said before the rows`, async () => {
      const { said, on } = listening(choice);
      const file = await writeExportFile(RECORDS, { profile: WASH_PARTNER, format: 'csv', exportedAt: EXPORTED_AT }, on);
      const expected = await exportText(RECORDS, { profile: WASH_PARTNER, format: 'csv', exportedAt: EXPORTED_AT, smallGroups: choice });
      // Bytes, not Blob.text(), which would drop the BOM the file starts with.
      expect(Buffer.from(await file.blob.arrayBuffer()).toString('utf8')).toBe(expected.text);
      expect(file.rows).toBe(expected.rows);
      expect(file.smallGroups?.choice).toBe(choice);
      expect(said[0]).toMatch(/^unplaced \d+$/);
      expect(said[1]).toMatch(/^small groups [1-9]/);
      expect(said.at(-1)).toBe(`row ${expected.rows} of ${expected.rows}`);
    });
  }
});
