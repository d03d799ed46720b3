import { describe, expect, test } from 'vitest';
import { parseCsv } from '../../src/domain/csv.ts';
import { csvCell, csvChunks } from '../../src/export/csv.ts';
import type { Column, ExportRow } from '../../src/export/record.ts';

const COLUMNS: Column[] = [
  { name: 'loc_name', hxl: '#loc+name', kind: 'text' },
  { name: 'lon', hxl: '#geo+lon', kind: 'number' },
  { name: 'structures', hxl: '#x_structure+num', kind: 'number' },
  { name: 'looted', hxl: '#impact+looted', kind: 'boolean' },
];

describe('a CSV cell', () => {
  test('is always quoted, with quotes doubled, and keeps commas, newlines and Arabic as they are', () => {
    expect(csvCell('عين شقاق، "الطريق العلوي"\nجبلة', 'text')).toBe('"عين شقاق، ""الطريق العلوي""\nجبلة"');
    expect(csvCell('Jableh, Lattakia', 'text')).toBe('"Jableh, Lattakia"');
  });

  test.each(['=HYPERLINK("http://example.org","x")', '+963 944 000 000', '-1+2', '@SUM(A1)', '\tcmd', '\rcmd', '\ncmd'])(
    'a text cell beginning with a formula character gets an apostrophe: %j',
    (text) => {
      expect(csvCell(text, 'text')).toBe(`"'${text.replace(/"/g, '""')}"`);
    },
  );

  test('a number in a number column keeps its minus sign and stays a number', () => {
    expect(csvCell(-73.98765, 'number')).toBe('"-73.98765"');
    expect(csvCell(0, 'number')).toBe('"0"');
  });

  test('text in a number column, or a negative number in a text column, is neutralised like any text', () => {
    expect(csvCell('-1+2', 'number')).toBe(`"'-1+2"`);
    expect(csvCell(-3, 'text')).toBe(`"'-3"`);
  });

  test('an empty count is empty, not zero', () => {
    expect(csvCell(null, 'number')).toBe('""');
    expect(csvCell(undefined, 'number')).toBe('""');
    expect(csvCell(Number.NaN, 'number')).toBe('""');
  });
});

describe('a CSV file', () => {
  const rows: ExportRow[] = [
    { loc_name: '=HYPERLINK("http://x","y")', lon: -0.5, structures: null, looted: true },
    { loc_name: 'دالية', lon: 36.0598, structures: 8, looted: false },
  ];
  const file = [...csvChunks(rows, COLUMNS)].join('');

  test('starts with a UTF-8 BOM, then the header row, then the HXL hashtag row', () => {
    expect(
      file.startsWith('\uFEFF"loc_name","lon","structures","looted"\r\n"#loc+name","#geo+lon","#x_structure+num","#impact+looted"\r\n'),
    ).toBe(true);
  });

  test('ends every line with CRLF and reads back as the same cells', () => {
    expect(file.endsWith('\r\n')).toBe(true);
    expect(file.replace(/\r\n/g, '').includes('\n')).toBe(false);
    const parsed = parseCsv(file);
    expect(parsed.ok && parsed.rows.map((r) => r.cells)).toEqual([
      ['loc_name', 'lon', 'structures', 'looted'],
      ['#loc+name', '#geo+lon', '#x_structure+num', '#impact+looted'],
      [`'=HYPERLINK("http://x","y")`, '-0.5', '', 'true'],
      ['دالية', '36.0598', '8', 'false'],
    ]);
  });

  test('is the same text whatever the chunk size', () => {
    const many = Array.from({ length: 25 }, (_, i) => ({
      loc_name: `Village ${i}`,
      lon: 35 + i / 100,
      structures: i,
      looted: i % 2 === 0,
    }));
    const whole = [...csvChunks(many, COLUMNS, 1000)].join('');
    const chunks = [...csvChunks(many, COLUMNS, 7)];
    expect(chunks.length).toBe(1 + 4 + 1);
    expect(chunks.join('')).toBe(whole);
  });
});
