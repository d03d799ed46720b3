import { describe, expect, test } from 'vitest';
import { parseCsv } from '../../src/domain/csv.ts';

function cells(text: string): string[][] {
  const r = parseCsv(text);
  if (!r.ok) throw new Error(`unexpected CSV error at line ${r.error.line}`);
  return r.rows.map((row) => row.cells);
}

describe('parseCsv', () => {
  test('plain rows split on commas, with LF or CRLF line ends alike', () => {
    expect(cells('a,b,c\n1,2,3\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
    expect(cells('a,b,c\r\n1,2,3\r\n')).toEqual(cells('a,b,c\n1,2,3\n'));
  });

  test('the last row needs no line end', () => {
    expect(cells('a,b\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  test('empty cells are kept, so columns stay aligned', () => {
    expect(cells('a,,c\n,,\n')).toEqual([
      ['a', '', 'c'],
      ['', '', ''],
    ]);
  });

  test('quoted cells keep commas, doubled quotes and line breaks of both kinds', () => {
    const text = 'name,note\n"Jablah, centre","He said ""cut"" twice"\n"two\r\nlines","one\nmore"\n';
    expect(cells(text)).toEqual([
      ['name', 'note'],
      ['Jablah, centre', 'He said "cut" twice'],
      ['two\r\nlines', 'one\nmore'],
    ]);
  });

  test('Arabic text with quotes and commas inside a quoted cell comes through unchanged', () => {
    expect(cells('ar\n"حي ""الشيخ ضاهر""، اللاذقية, الساحل"\n')).toEqual([['ar'], ['حي "الشيخ ضاهر"، اللاذقية, الساحل']]);
  });

  test('a UTF-8 byte order mark does not become part of the first header', () => {
    expect(cells('\uFEFFadmin1Pcode,x\nA,B\n')[0]).toEqual(['admin1Pcode', 'x']);
  });

  test('blank lines are dropped', () => {
    expect(cells('a\n\n\nb\n\n')).toEqual([['a'], ['b']]);
  });

  test('each row carries the line it starts on, counting line breaks inside quoted cells', () => {
    const r = parseCsv('h1,h2\n"multi\nline",x\r\nnext,y\n\nlast,z');
    expect(r.ok && r.rows.map((row) => row.line)).toEqual([1, 2, 4, 6]);
  });

  test('an unterminated quote is an error naming the line where the quote opened', () => {
    const r = parseCsv('a,b\nok,row\n"broken,row\nmore\n');
    expect(r).toEqual({ ok: false, error: { key: 'err.csv.unterminatedQuote', line: 3 } });
  });

  test('a stray quote inside an unquoted cell is kept as written', () => {
    expect(cells('Ma"arrat,x\n')).toEqual([['Ma"arrat', 'x']]);
  });

  test('a 10 MB file with quoted cells parses whole', () => {
    const row = '"Ein Elsharqiyeh, ""east""",عين الشرقية,XX000000,plain cell\n';
    const text = 'a,b,c,d\n' + row.repeat(Math.ceil(10_000_000 / row.length));
    const r = parseCsv(text);
    expect(r.ok && r.rows.length).toBe(Math.ceil(10_000_000 / row.length) + 1);
    expect(r.ok && r.rows[1]?.cells[0]).toBe('Ein Elsharqiyeh, "east"');
    expect(r.ok && r.rows.at(-1)?.cells[3]).toBe('plain cell');
  });
});
