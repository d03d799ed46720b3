import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { BODY_DICTIONARY } from '../../../src/domain/op/body-dictionary.ts';

describe('the dictionary of body codec 2', () => {
  // A body written with it reads only with these very bytes: it never changes, and the security
  // notes print what another client needs to check its copy.
  const sha256 = createHash('sha256').update(BODY_DICTIONARY).digest('hex');

  test('is the one frozen when codec 2 was made, as docs/security.md names it', () => {
    expect([BODY_DICTIONARY.length, sha256]).toEqual([1843, '6fe6aaef6bf1765f00b11ee5df38e8a9e87886dc070bd1baf9963194acf5e712']);
    const notes = readFileSync('docs/security.md', 'utf8');
    expect(notes).toContain(sha256);
    expect(notes).toContain('1,843 bytes');
  });
});
