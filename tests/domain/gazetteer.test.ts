import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  adminLookup,
  areaLabel,
  childrenOf,
  findUnit,
  parseCodAbCsv,
  pathOf,
  searchUnits,
  type Gazetteer,
  type GazetteerImport,
} from '../../src/domain/gazetteer.ts';

const SAMPLE_PATH = new URL('../../public/gazetteer/sample-gazetteer-syrian-coast.csv', import.meta.url);
const sampleText = readFileSync(SAMPLE_PATH, 'utf8');

function imported(result: GazetteerImport) {
  if (!result.ok) throw new Error(`import failed: ${JSON.stringify(result.error)}`);
  return result;
}
const sample: Gazetteer = imported(parseCodAbCsv(sampleText, 'sample')).gazetteer;
const names = (units: { en: string }[]) => units.map((u) => u.en);

// A tiny invented file in tabular layout; the codes follow the p-code pattern but name no real place.
const HEADER = 'admin1Name_en,admin1Name_ar,admin1Pcode,admin2Name_en,admin2Name_ar,admin2Pcode';
const TINY = [
  HEADER,
  'North,الشمال,XA01,Hill,التلة,XA0101',
  'North,الشمال,XA01,River,النهر,XA0102',
  'South,الجنوب,XA02,Coast,الساحل,XA0201',
].join('\n');

describe('importing the sample gazetteer', () => {
  const result = imported(parseCodAbCsv(sampleText, 'Syrian coast (sample)'));

  test('every row of the sample imports, none is skipped', () => {
    expect(result.skipped).toEqual([]);
    expect(result.gazetteer.name).toBe('Syrian coast (sample)');
  });

  test('the sample has the two coastal governorates at the top', () => {
    expect(childrenOf(sample, undefined, 1).map((u) => [u.en, u.ar])).toEqual([
      ['Lattakia', 'اللاذقية'],
      ['Tartous', 'طرطوس'],
    ]);
  });

  test('each governorate lists its own districts', () => {
    const [lattakia, tartous] = childrenOf(sample, undefined, 1);
    expect(names(childrenOf(sample, lattakia!.pcode, 2))).toEqual(['Lattakia', 'Jablah', 'Al-Haffa', 'Al-Qardaha']);
    expect(names(childrenOf(sample, tartous!.pcode, 2))).toEqual(
      expect.arrayContaining(['Tartous', 'Banyas', 'Safita', 'Dreikish', 'Sheikh Badr']),
    );
  });

  test('Jablah district lists its sub-districts, with Arabic names', () => {
    const jablah = searchUnits(sample, 'Jablah', 'en').find((u) => u.level === 2)!;
    const subs = childrenOf(sample, jablah.pcode, 3);
    expect(names(subs)).toEqual(['Jablah', 'Ein Elsharqiyeh', 'Qteilbiyyeh', 'Ein Shaqaq', 'Dalyeh', 'Beit Yashout']);
    expect(subs.find((u) => u.en === 'Beit Yashout')?.ar).toBe('بيت ياشوط');
  });

  test('Banyas district has sub-districts of its own', () => {
    const banyas = searchUnits(sample, 'Banyas', 'en').find((u) => u.level === 2)!;
    expect(names(childrenOf(sample, banyas.pcode, 3))).toContain('Banyas');
    expect(childrenOf(sample, banyas.pcode, 3).length).toBeGreaterThan(1);
  });

  test('each p-code appears once, units are ordered by level then p-code', () => {
    const codes = sample.units.map((u) => u.pcode);
    expect(new Set(codes).size).toBe(codes.length);
    const order = sample.units.map((u) => `${u.level}:${u.pcode}`);
    expect(order).toEqual([...order].sort());
  });

  test('a sub-district leads back to its district and governorate', () => {
    const beit = searchUnits(sample, 'Beit Yashout', 'en')[0]!;
    expect(names(pathOf(sample, beit.pcode))).toEqual(['Lattakia', 'Jablah', 'Beit Yashout']);
    expect(findUnit(sample, beit.pcode.toLowerCase())).toEqual(beit);
  });
});

describe('reading the columns of a COD-AB file', () => {
  test('columns in another order, with extra columns, read the same places', () => {
    const reordered = [
      'validOn,admin2Pcode,admin0Pcode,admin1Pcode,admin2RefName,admin2Name_ar,admin1Name_ar,admin2Name_en,admin1Name_en',
      '2020-01-01,XA0101,XA,XA01,Hill,التلة,الشمال,Hill,North',
      '2020-01-01,XA0102,XA,XA01,River,النهر,الشمال,River,North',
      '2020-01-01,XA0201,XA,XA02,Coast,الساحل,الجنوب,Coast,South',
    ].join('\n');
    expect(imported(parseCodAbCsv(reordered, 'x')).gazetteer.units).toEqual(imported(parseCodAbCsv(TINY, 'x')).gazetteer.units);
  });

  test('a file saved with a byte order mark and CRLF line ends imports the same places', () => {
    const excel = '\uFEFF' + TINY.replaceAll('\n', '\r\n') + '\r\n';
    expect(imported(parseCodAbCsv(excel, 'x')).gazetteer.units).toEqual(imported(parseCodAbCsv(TINY, 'x')).gazetteer.units);
  });

  test('an adm2-level file without admin3 columns gives governorates and districts', () => {
    const g = imported(parseCodAbCsv(TINY, 'x')).gazetteer;
    expect(g.units.map((u) => [u.level, u.pcode, u.parent])).toEqual([
      [1, 'XA01', undefined],
      [1, 'XA02', undefined],
      [2, 'XA0101', 'XA01'],
      [2, 'XA0102', 'XA01'],
      [2, 'XA0201', 'XA02'],
    ]);
  });

  test('Arabic names with quotes and commas inside quoted cells are kept whole', () => {
    const text = [HEADER, 'North,الشمال,XA01,"Hill ""upper"", east","التلة ""العليا""، شرق",XA0101'].join('\n');
    const hill = findUnit(imported(parseCodAbCsv(text, 'x')).gazetteer, 'XA0101');
    expect(hill).toMatchObject({ en: 'Hill "upper", east', ar: 'التلة "العليا"، شرق' });
  });

  test('headers in shapefile style (ADM1_PCODE, ADM1_EN) are read too', () => {
    const text = ['ADM1_EN,ADM1_AR,ADM1_PCODE', 'North,الشمال,XA01'].join('\n');
    expect(imported(parseCodAbCsv(text, 'x')).gazetteer.units).toEqual([{ pcode: 'XA01', en: 'North', ar: 'الشمال', level: 1 }]);
  });

  test('a row of HXL hashtags under the header is not taken for a place', () => {
    const text = [
      HEADER,
      '#adm1+name+i_en,#adm1+name+i_ar,#adm1+code,#adm2+name+i_en,#adm2+name+i_ar,#adm2+code',
      TINY.split('\n')[1],
    ].join('\n');
    const result = imported(parseCodAbCsv(text, 'x'));
    expect(result.skipped).toEqual([]);
    expect(result.gazetteer.units).toHaveLength(2);
  });
});

describe('a file that cannot be imported says why, as a catalog key', () => {
  test('a file without p-code columns gives err.gazetteer.noColumns', () => {
    const text = 'name_en,name_ar,code\nNorth,الشمال,1\n';
    expect(parseCodAbCsv(text, 'x')).toEqual({ ok: false, error: { key: 'err.gazetteer.noColumns', column: 'admin1Pcode', line: 1 } });
  });

  test('a level with a p-code column but no Arabic name column names the missing column', () => {
    const text = 'admin1Name_en,admin1Pcode\nNorth,XA01\n';
    expect(parseCodAbCsv(text, 'x')).toMatchObject({ ok: false, error: { key: 'err.gazetteer.noColumns', column: 'admin1Name_ar' } });
  });

  test('admin3 columns without admin2 ones are refused rather than guessed', () => {
    const text = 'admin1Name_en,admin1Name_ar,admin1Pcode,admin3Name_en,admin3Name_ar,admin3Pcode\nNorth,الشمال,XA01,Hill,التلة,XA010101\n';
    expect(parseCodAbCsv(text, 'x')).toMatchObject({ ok: false, error: { key: 'err.gazetteer.noColumns', column: 'admin2Pcode' } });
  });

  test('an empty file, or one with only a header, gives err.gazetteer.empty', () => {
    expect(parseCodAbCsv('', 'x')).toEqual({ ok: false, error: { key: 'err.gazetteer.empty' } });
    expect(parseCodAbCsv('\uFEFF\r\n', 'x')).toEqual({ ok: false, error: { key: 'err.gazetteer.empty' } });
    expect(parseCodAbCsv(HEADER + '\n', 'x')).toEqual({ ok: false, error: { key: 'err.gazetteer.empty' } });
  });

  test('a broken quote gives err.gazetteer.badCsv with its line', () => {
    const text = [HEADER, 'North,الشمال,XA01,Hill,التلة,XA0101', 'North,"الشمال,XA01,River,النهر,XA0102'].join('\n');
    expect(parseCodAbCsv(text, 'x')).toEqual({ ok: false, error: { key: 'err.gazetteer.badCsv', line: 3 } });
  });

  test('a file in which every row is bad is refused, pointing at the first bad row', () => {
    const text = [HEADER, 'North,الشمال,X-1,Hill,التلة,XA0101'].join('\n');
    expect(parseCodAbCsv(text, 'x')).toEqual({ ok: false, error: { key: 'err.gazetteer.noValidRows', line: 2, column: 'admin1Pcode' } });
  });

  test('errors are keys, never sentences', () => {
    const results = [parseCodAbCsv('', 'x'), parseCodAbCsv('a,b\n1,2', 'x'), parseCodAbCsv('"open', 'x'), parseCodAbCsv(TINY, ' ')];
    for (const r of results) expect(!r.ok && r.error.key).toMatch(/^err\.gazetteer\.[a-zA-Z]+$/);
  });
});

describe('bad rows are skipped and listed while good rows import', () => {
  const text = [
    HEADER, // line 1
    'North,الشمال,XA01,Hill,التلة,XA0101', // 2: good
    'North,الشمال,XA01,River,النهر,xa-0102', // 3: p-code does not fit the pattern
    'North,الشمال,XA01,,الوادي,XA0103', // 4: no English name
    'South,الجنوب,XA02,Hill,التلة,XA0101', // 5: Hill already belongs to North
    '"North","الشمال","XA01","Lake","البحيرة\nالكبرى","XA0104"', // 6-7: good, a line break in a cell
    'North,الشمال,XA01,Plain,السهل,XA0105', // 8: good
    ',,,Orphan,اليتيم,XA0301', // 9: a district without its governorate
  ].join('\n');
  const result = imported(parseCodAbCsv(text, 'x'));

  test('each bad row is listed with its line number, a reason key and the column at fault', () => {
    expect(result.skipped).toEqual([
      { line: 3, reason: 'err.gazetteer.badPcode', column: 'admin2Pcode' },
      { line: 4, reason: 'err.gazetteer.missingName', column: 'admin2Name_en' },
      { line: 5, reason: 'err.gazetteer.parentConflict', column: 'admin2Pcode' },
      { line: 9, reason: 'err.gazetteer.missingPcode', column: 'admin1Pcode' },
    ]);
  });

  test('the good rows, and the good governorate of a bad row, are all imported', () => {
    expect(result.gazetteer.units.map((u) => u.pcode)).toEqual(['XA01', 'XA02', 'XA0101', 'XA0104', 'XA0105']);
    expect(findUnit(result.gazetteer, 'XA0101')?.parent).toBe('XA01');
    expect(findUnit(result.gazetteer, 'XA0104')?.ar).toBe('البحيرة\nالكبرى');
  });

  test('a p-code given two different names keeps the first and lists the second', () => {
    const renamed = [HEADER, 'North,الشمال,XA01,Hill,التلة,XA0101', 'Nord,الشمال,XA01,River,النهر,XA0102'].join('\n');
    const r = imported(parseCodAbCsv(renamed, 'x'));
    expect(r.skipped).toEqual([{ line: 3, reason: 'err.gazetteer.nameConflict', column: 'admin1Pcode' }]);
    expect(findUnit(r.gazetteer, 'XA01')?.en).toBe('North');
  });

  test('names and p-codes are trimmed of the spaces spreadsheets leave behind', () => {
    const spaced = [HEADER, ' North , الشمال , xa01 ,Hill,التلة,XA0101'].join('\n');
    expect(findUnit(imported(parseCodAbCsv(spaced, 'x')).gazetteer, 'XA01')).toEqual({
      pcode: 'XA01',
      en: 'North',
      ar: 'الشمال',
      level: 1,
    });
  });
});

describe('searching places', () => {
  const ar = (q: string) => searchUnits(sample, q, 'ar').map((u) => u.ar);
  const en = (q: string) => names(searchUnits(sample, q, 'en'));

  test('جبله typed with haa finds جبلة', () => {
    expect(ar('جبله')).toContain('جبلة');
  });

  test('الاذقيه typed with one lam and haa finds اللاذقية', () => {
    expect(ar('الاذقيه')).toContain('اللاذقية');
  });

  test('harakat and tatweel in the query are ignored', () => {
    expect(ar('بَانِيَاس')).toContain('بانياس');
    expect(ar('طرطـــوس')).toContain('طرطوس');
  });

  test('a two-word name is found by both words, typed loosely', () => {
    expect(ar('عين التينه')).toEqual(['عين التينة']);
  });

  test('bany finds Banyas, whatever the case', () => {
    expect(en('bany')).toContain('Banyas');
    expect(en('BANY')).toContain('Banyas');
  });

  test('English search forgives hyphens and doubled letters', () => {
    expect(en('al haffa')).toContain('Al-Haffa');
    expect(en('latakia')).toContain('Lattakia');
  });

  test('names that start with the query come before names that merely contain it', () => {
    expect(en('sha')).toEqual(['Ein Shaqaq', 'Ein Elsharqiyeh']);
  });

  test('the start of a p-code finds the units under it', () => {
    const jablah = searchUnits(sample, 'Jablah', 'en').find((u) => u.level === 2)!;
    const found = searchUnits(sample, jablah.pcode, 'en');
    expect(found.map((u) => u.pcode).every((p) => p.startsWith(jablah.pcode))).toBe(true);
    expect(found).toHaveLength(7);
  });

  test('an empty query or one that matches nothing finds nothing', () => {
    expect(searchUnits(sample, '  ', 'ar')).toEqual([]);
    expect(searchUnits(sample, 'حلب', 'ar')).toEqual([]);
    expect(searchUnits(sample, 'Aleppo', 'en')).toEqual([]);
  });
});

describe('names for an area', () => {
  test('a lookup gives the names the gazetteer holds for a p-code, and nothing without a gazetteer', () => {
    const lookup = adminLookup(imported(parseCodAbCsv(TINY, 'x')).gazetteer);
    expect(lookup('XA0101')).toEqual({ pcode: 'XA0101', en: 'Hill', ar: 'التلة' });
    expect(lookup(' xa0101 ')).toEqual({ pcode: 'XA0101', en: 'Hill', ar: 'التلة' });
    expect(lookup('XA0999')).toBeUndefined();
    expect(adminLookup(undefined)('XA0101')).toBeUndefined();
  });

  test('a label is the name in the interface language, else the other name, else the p-code', () => {
    expect(areaLabel({ pcode: 'XA0101', en: 'Hill', ar: 'التلة' }, 'ar')).toBe('التلة');
    expect(areaLabel({ pcode: 'XA0101', en: 'Hill', ar: 'التلة' }, 'en')).toBe('Hill');
    expect(areaLabel({ en: 'Hill' }, 'ar')).toBe('Hill');
    expect(areaLabel({ pcode: 'XA0101' }, 'en')).toBe('XA0101');
  });
});
