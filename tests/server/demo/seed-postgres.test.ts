/** The demo on PostgreSQL, where several server processes may start with --demo on one new database at once. */
import { afterEach, expect, it } from 'vitest';
import { DemoRefused, seedDemo } from '../../../src/server/demo/seed.ts';
import { openStore, type Store } from '../../../src/server/store/index.ts';
import { postgresCluster, usePostgres } from '../store/dialects.ts';

usePostgres();
const NOW = Date.UTC(2026, 2, 20, 9, 30);
const opened: Store[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

it('two processes seeding one new database at once: one fills it, the other is refused, nothing is doubled', async () => {
  const url = await (await postgresCluster()).createDatabase();
  const first = await openStore({ databaseUrl: url });
  const second = await openStore({ databaseUrl: url });
  opened.push(first, second);
  const results = await Promise.allSettled([seedDemo(first, { now: NOW }), seedDemo(second, { now: NOW })]);
  const filled = results.filter((r) => r.status === 'fulfilled');
  const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  expect(filled).toHaveLength(1);
  expect(refused).toHaveLength(1);
  expect(refused[0]!.reason).toBeInstanceOf(DemoRefused);
  const { ops } = (filled[0] as PromiseFulfilledResult<{ ops: number }>).value;
  const rows = await first.db.selectFrom('ops').select(['status']).execute();
  expect(rows).toHaveLength(ops);
  expect(rows.every((r) => r.status === 'ok')).toBe(true);
}, 90_000);
