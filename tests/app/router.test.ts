import { describe, expect, test } from 'vitest';
import { parseRoute } from '../../src/app/router.ts';

const ID = '01972a9d-95a0-7235-891a-5d2c9987950b';

describe('addresses of reports', () => {
  test('a report id opens the report or its edit form, with the draft named in the query', () => {
    expect(parseRoute(`/reports/${ID}`, '')).toEqual({ name: 'view', id: ID });
    expect(parseRoute(`/reports/${ID}/edit`, '?draft=d1')).toEqual({ name: 'edit', id: ID, draft: 'd1' });
  });

  test('a report address naming no report id says the report is not on this phone, never a list in its place', () => {
    for (const path of ['/reports/abc', '/reports/abc/edit', `/reports/${ID.toUpperCase()}`, '/reports/%3Cscript%3E'])
      expect(parseRoute(path, ''), path).toEqual({ name: 'noReport' });
    expect(parseRoute(`/reports/${ID}/history`, '')).toEqual({ name: 'notFound' });
  });
});
