import { describe, expect, test } from 'vitest';
import { href, parseRoute, type Route, type RouteName } from '../../src/app/router.ts';
import type { ReportId } from '../../src/domain/ids.ts';

const ID = '01972a9d-95a0-7235-891a-5d2c9987950b' as ReportId;

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

describe('href', () => {
  const routes: Route[] = [
    { name: 'list' },
    { name: 'new', draft: undefined },
    { name: 'new', draft: 'd 1/ä?&' },
    { name: 'view', id: ID },
    { name: 'edit', id: ID, draft: undefined },
    { name: 'edit', id: ID, draft: 'd1' },
    { name: 'settings' },
    { name: 'sync' },
    { name: 'enroll' },
    { name: 'devices' },
    { name: 'conflicts' },
    { name: 'quarantine' },
    { name: 'desk' },
    { name: 'deskCharts' },
    { name: 'deskExports' },
  ];

  test('the path of every route parses back to that route', () => {
    for (const route of routes) {
      const { name, ...params } = route as { name: RouteName };
      const url = new URL(href(name, params as never), 'https://rasid.example');
      expect(parseRoute(url.pathname, url.search), url.href).toEqual(route);
    }
  });

  test('an id is encoded, so an id that is no report id cannot become another path', () => {
    expect(href('view', { id: 'a/b?c' })).toBe('/reports/a%2Fb%3Fc');
    expect(parseRoute(href('edit', { id: '../settings' }), '')).toEqual({ name: 'noReport' });
  });
});
