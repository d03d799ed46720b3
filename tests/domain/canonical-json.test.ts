import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { canonicalJson } from '../../src/domain/canonical-json.ts';

describe('canonical JSON', () => {
  test('one spelling, pinned: keys sorted by code unit, undefined left out, strings as JSON spells them', () => {
    const body = {
      supersedes: { narrative: ['0193b2a0-0000-7000-8000-000000000001'] },
      hlc: '0001741392000000-0000-0a1b2c3d4e5f6071',
      changes: {
        structures: 3,
        placeName: 'بيت ياشوط',
        narrative: 'قال: "احترق" \n\u0007',
        admin: ['SY07', 'SY0700'],
        location: { lon: 36.25, lat: 35.1 },
        Zone: true,
        photos: undefined,
        note: null,
      },
    };
    expect(canonicalJson(body)).toBe(
      '{"changes":{"Zone":true,"admin":["SY07","SY0700"],"location":{"lat":35.1,"lon":36.25},"narrative":"قال: \\"احترق\\" \\n\\u0007",' +
        '"note":null,"placeName":"بيت ياشوط","structures":3},"hlc":"0001741392000000-0000-0a1b2c3d4e5f6071",' +
        '"supersedes":{"narrative":["0193b2a0-0000-7000-8000-000000000001"]}}',
    );
    expect(canonicalJson([1, undefined, 'a'])).toBe('[1,null,"a"]');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson([])).toBe('[]');
  });

  test('any JSON value reads back as itself, and equal values spelled in any key order are spelled alike', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        const shuffled = JSON.parse(
          JSON.stringify(value, (_, v: unknown) =>
            v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
          ),
        ) as unknown;
        expect(canonicalJson(shuffled)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});
