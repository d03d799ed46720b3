/**
 * What the base keeps of when each device was last heard from, for coordinators to see who has gone
 * quiet: the date of its last authenticated request, and the date its latest op reached the base.
 * Dates, never times.
 */
import { expect, it } from 'vitest';
import { deviceByToken, listDevices, noteContact, utcDate } from '../../../src/server/enrollment/devices.ts';
import { secretHash } from '../../../src/server/enrollment/secrets.ts';
import { pushOps } from '../../../src/server/store/push.ts';
import type { Store } from '../../../src/server/store/open.ts';
import { COORDINATOR, enrolled, forEachDialect, MONITOR_A, MONITOR_B, newId, op } from './dialects.ts';

const DAY = 86_400_000;
/** Late in a UTC day: the date is the UTC one, whatever the base's own zone. */
const JUNE_1 = Date.UTC(2025, 5, 1, 23, 30);

const seen = async (store: Store) =>
  Object.fromEntries((await listDevices(store.db)).map((d) => [d.device, [d.lastContactDate, d.lastOpDate]]));

forEachDialect('last contact', ({ open }) => {
  it('is a date that only moves forward, and the token lookup hands it back so a request can skip the write', async () => {
    const store = await open();
    await enrolled(store, MONITOR_A, 'monitor');
    await store.db
      .updateTable('devices')
      .set({ token_hash: secretHash('token-of-monitor-a-000000') })
      .execute();
    expect((await deviceByToken(store.db, 'token-of-monitor-a-000000'))?.lastContact).toBeNull();

    await noteContact(store.db, MONITOR_A, utcDate(JUNE_1));
    expect((await deviceByToken(store.db, 'token-of-monitor-a-000000'))?.lastContact).toBe('2025-06-01');
    // A server whose clock was set back does not move it back.
    await noteContact(store.db, MONITOR_A, utcDate(JUNE_1 - 3 * DAY));
    expect(await seen(store)).toEqual({ [MONITOR_A]: ['2025-06-01', undefined] });
    // An hour later is the next UTC day.
    await noteContact(store.db, MONITOR_A, utcDate(JUNE_1 + 60 * 60_000));
    expect(await seen(store)).toEqual({ [MONITOR_A]: ['2025-06-02', undefined] });
    const stored = await store.db.selectFrom('devices').select('last_contact').executeTakeFirstOrThrow();
    expect(stored.last_contact).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("a device's last op is the date its newest op reached the base, also when a coordinator relayed it", async () => {
    const store = await open();
    await enrolled(store, COORDINATOR, 'coordinator');
    await enrolled(store, MONITOR_A, 'monitor');
    await enrolled(store, MONITOR_B, 'monitor');
    const report = newId();
    const monitorA = { device: MONITOR_A, role: 'monitor' } as const;
    await pushOps(store.db, { caller: monitorA, ops: [op(MONITOR_A, 1, 'create', report)], now: JUNE_1 - 10 * DAY });
    await pushOps(store.db, { caller: monitorA, ops: [op(MONITOR_A, 2, 'edit', report)], now: JUNE_1 - 2 * DAY });
    // The monitor's next edit came by file, through the coordinator's desk.
    const coordinator = { device: COORDINATOR, role: 'coordinator' } as const;
    await pushOps(store.db, { caller: coordinator, ops: [op(MONITOR_A, 3, 'edit', report)], now: JUNE_1 });
    expect(await seen(store)).toEqual({
      [COORDINATOR]: [undefined, undefined],
      [MONITOR_A]: [undefined, '2025-06-01'],
      [MONITOR_B]: [undefined, undefined],
    });
  });
});
