import { describe, expect, test } from 'vitest';
import { checkHxlCsv, checkHxlRows, checkHxlTag } from './hxl-check.ts';

describe('the HXL syntax check', () => {
  test.each(['#adm1+code+v_pcode', '#x_shelter+type', '#description', '#adm1 +name +i_ar', '#meta+id+duplicate_of'])(
    'accepts %s',
    (tag) => {
      expect(checkHxlTag(tag)).toEqual({ hashtag: true });
    },
  );

  test.each(['adm1', '#Adm1', '#1adm', '#adm-1', '#', '# adm1', '#adm1 name'])('refuses the hashtag %s', (tag) => {
    expect(checkHxlTag(tag).hashtag).toBe(false);
  });

  test.each([
    ['#adm1+', '+'],
    ['#adm1+Code', '+Code'],
    ['#adm1+v-pcode', '+v-pcode'],
    ['#adm1+code+1st', '+1st'],
  ])('refuses the attribute in %s', (tag, attribute) => {
    expect(checkHxlTag(tag)).toEqual({ hashtag: true, badAttribute: attribute });
  });

  test('every column must be tagged', () => {
    expect(checkHxlRows(['id', 'type', 'notes'], ['#meta+id', '#event+type'])).toEqual([{ kind: 'untagged', column: 2, header: 'notes' }]);
    expect(checkHxlRows(['id', 'type'], ['#meta+id', ' '])).toEqual([{ kind: 'untagged', column: 1, header: 'type' }]);
  });

  test('reads a CSV file with its BOM and finds a missing hashtag row', () => {
    expect(checkHxlCsv('\uFEFF"id","type"\r\n"#meta+id","#event+type"\r\n"a","damage"\r\n')).toEqual([]);
    expect(checkHxlCsv('"id","type"\r\n"a","damage"\r\n')).toEqual([{ kind: 'noHashtagRow' }]);
    expect(checkHxlCsv('"id","type"\r\n"#meta+id","#Event"\r\n')).toEqual([
      { kind: 'badHashtag', column: 1, header: 'type', tag: '#Event' },
    ]);
    expect(checkHxlCsv('"id\r\n')).toEqual([{ kind: 'notCsv' }]);
  });
});
