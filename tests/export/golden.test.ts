/**
 * Golden files: every format of every profile, and the aggregate, on the fixed fixture set, compared
 * byte for byte with the files under golden/. A change to any export shows up here as a diff to review.
 *
 * After an intended change, regenerate them and review the diff before committing:
 *   UPDATE_GOLDEN=1 npx vitest run --project unit tests/export/golden.test.ts
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { aggregateFile } from '../../src/export/aggregate.ts';
import { EXPORT_FORMATS, FILE_FORMATS, exportText } from '../../src/export/export-file.ts';
import { checkHxlCsv } from './hxl-check.ts';
import { AGGREGATE_RECORDS } from './aggregate-fixtures.ts';
import { EXPORTED_AT, PROFILES, RECORDS, WASH_PARTNER } from './fixtures.ts';

const UPDATE = process.env.UPDATE_GOLDEN === '1';
const goldenPath = (name: string) => new URL(`./golden/${name}`, import.meta.url);

function expectGolden(name: string, text: string) {
  const path = goldenPath(name);
  const bytes = Buffer.from(text, 'utf8');
  if (UPDATE) writeFileSync(path, bytes);
  if (!existsSync(path)) throw new Error(`No golden file ${name}: run with UPDATE_GOLDEN=1 and review it`);
  const golden = readFileSync(path);
  // The text first, for a readable diff; then the bytes, which is what a partner's tool reads.
  expect(text).toBe(golden.toString('utf8'));
  expect(Buffer.compare(bytes, golden)).toBe(0);
}

/** Hashtags DATA.md uses; anything else must be a custom `#x_` hashtag. */
const DATA_MD_HASHTAGS = new Set([
  'meta',
  'event',
  'org',
  'date',
  'country',
  'adm1',
  'adm2',
  'adm3',
  'loc',
  'geo',
  'description',
  'status',
  'affected',
  'cause',
  'severity',
  'impact',
  'service',
]);

function expectHxl(csv: string) {
  expect(checkHxlCsv(csv)).toEqual([]);
  const tags = csv
    .split('\r\n')[1]!
    .split(',')
    .map((c) => c.slice(2, -1).split('+')[0]!);
  expect(tags.filter((t) => !DATA_MD_HASHTAGS.has(t) && !t.startsWith('x_'))).toEqual([]);
}

describe('golden files', () => {
  for (const profile of PROFILES) {
    for (const format of EXPORT_FORMATS) {
      const name = `${profile.name}.${FILE_FORMATS[format].extension}`;
      test(`${name} is unchanged`, async () => {
        const { text } = await exportText(RECORDS, { profile, format, exportedAt: EXPORTED_AT });
        expectGolden(name, text);
        if (format === 'csv') expectHxl(text);
      });
    }
  }

  for (const format of ['csv', 'json'] as const) {
    test(`aggregate-adm2.${format} is unchanged`, () => {
      const text = [...aggregateFile(AGGREGATE_RECORDS, { profile: WASH_PARTNER, format, exportedAt: EXPORTED_AT }).chunks].join('');
      expectGolden(`aggregate-adm2.${format}`, text);
      if (format === 'csv') expectHxl(text);
    });
  }
});
