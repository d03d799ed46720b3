import { describe, expect, test } from 'vitest';
import { enoughWords } from '../../../src/domain/crypto/passphrase.ts';

describe('a passphrase for a file that travels', () => {
  test('holds five different words or more, in Arabic or English, whatever separates them', () => {
    expect(enoughWords('nine almond trees past the well')).toBe(true);
    expect(enoughWords('زيتون نافذة جسر قمح سحابة')).toBe(true);
    expect(enoughWords('olive-grove,window;harbour')).toBe(false);
    expect(enoughWords('olive-grove,window;harbour.lantern')).toBe(true);
  });

  test('is refused with four words, with a word repeated, or padded with single letters', () => {
    expect(enoughWords('olive terrace window harbour')).toBe(false);
    expect(enoughWords('olive olive olive olive olive')).toBe(false);
    expect(enoughWords('Olive OLIVE window harbour lantern')).toBe(false);
    expect(enoughWords('olive window harbour lantern a b c d')).toBe(false);
    expect(enoughWords('correcthorsebatterystaple')).toBe(false);
    expect(enoughWords('')).toBe(false);
  });
});
