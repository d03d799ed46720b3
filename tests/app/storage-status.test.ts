import { describe, expect, test } from 'vitest';
import { isQuotaError } from '../../src/app/storage-status.ts';

describe('a full disk is recognised however IndexedDB and Dexie report it', () => {
  test('the browser quota error is a full disk', () => {
    expect(isQuotaError(new DOMException('quota', 'QuotaExceededError'))).toBe(true);
  });

  test('Chromium failing to write a value to a full disk is a full disk', () => {
    expect(isQuotaError(new DOMException('Failed to write blobs (IOError)', 'DataError'))).toBe(true);
  });

  test('a quota error wrapped by a Dexie transaction abort is still a full disk', () => {
    // Dexie's AbortError keeps the browser's error as `inner`.
    const aborted = Object.assign(new Error('Transaction aborted'), {
      name: 'AbortError',
      inner: new DOMException('quota', 'QuotaExceededError'),
    });
    expect(isQuotaError(aborted)).toBe(true);
  });

  test('other storage errors are not reported as a full disk', () => {
    expect(isQuotaError(new DOMException('key exists', 'ConstraintError'))).toBe(false);
    expect(isQuotaError(new DOMException('bad key', 'DataError'))).toBe(false);
    expect(isQuotaError(new Error('network'))).toBe(false);
    expect(isQuotaError(undefined)).toBe(false);
  });
});
