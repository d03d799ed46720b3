/** Watermarks: the highest deviceSeq decided with no gap below it, per device and for all devices. Both dialects. */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { pushOps } from '../../../src/server/store/push.ts';
import type { Caller } from '../../../src/server/store/rules.ts';
import { allWatermarks, deviceWatermark } from '../../../src/server/store/watermark.ts';
import { COORDINATOR, enrolled, forEachDialect, MONITOR_A, MONITOR_B, newId, op } from './dialects.ts';
import { deviceId } from '../../ids.ts';

const monitorA: Caller = { device: MONITOR_A, role: 'monitor' };
const monitorB: Caller = { device: MONITOR_B, role: 'monitor' };
const coordinator: Caller = { device: COORDINATOR, role: 'coordinator' };
const NOW = Date.UTC(2025, 5, 1, 12);

forEachDialect('watermarks', ({ open }, dialect) => {
  it('acks 1, 2 and 4 give watermark 2; when 3 arrives it moves to 4', async () => {
    const store = await open();
    const report = newId();
    const ops = [op(MONITOR_A, 1, 'create', report), ...[2, 3, 4].map((n) => op(MONITOR_A, n, 'edit', report))];
    expect(await deviceWatermark(store.db, MONITOR_A)).toBe(0);
    await pushOps(store.db, { caller: monitorA, ops: [ops[0]!, ops[1]!, ops[3]!], now: NOW });
    expect(await deviceWatermark(store.db, MONITOR_A)).toBe(2);
    await pushOps(store.db, { caller: monitorA, ops: [ops[2]!], now: NOW });
    expect(await deviceWatermark(store.db, MONITOR_A)).toBe(4);
  });

  it('a rejected op counts as decided; an op refused for retry does not', async () => {
    const store = await open();
    const report = newId();
    const future = op(MONITOR_A, 3, 'edit', report);
    (future.header as { v: number }).v = 3;
    await pushOps(store.db, {
      caller: monitorA,
      ops: [op(MONITOR_A, 1, 'create', report), op(MONITOR_A, 2, 'desk', 'partners'), future, op(MONITOR_A, 4, 'edit', report)],
      now: NOW,
    });
    expect(await deviceWatermark(store.db, MONITOR_A)).toBe(2);
  });

  it("an op rejected for another device does not move that device's watermark", async () => {
    const store = await open();
    await pushOps(store.db, { caller: monitorA, ops: [op(MONITOR_B, 1, 'create', newId())], now: NOW });
    expect(await deviceWatermark(store.db, MONITOR_B)).toBe(0);
    expect(await allWatermarks(store.db)).toEqual([]);
  });

  it("all devices' watermarks come in one answer, relayed authors included", async () => {
    const store = await open();
    await pushOps(store.db, {
      caller: monitorA,
      ops: [op(MONITOR_A, 1, 'create', newId()), op(MONITOR_A, 3, 'create', newId())],
      now: NOW,
    });
    await pushOps(store.db, { caller: monitorB, ops: [op(MONITOR_B, 2, 'create', newId())], now: NOW });
    await enrolled(store, MONITOR_B, 'monitor');
    await pushOps(store.db, {
      caller: coordinator,
      ops: [op(COORDINATOR, 1, 'deployment', 'roster'), op(COORDINATOR, 2, 'deployment', 'gazetteer'), op(MONITOR_B, 1, 'create', newId())],
      now: NOW,
    });
    expect(await allWatermarks(store.db)).toEqual([
      { device: COORDINATOR, deviceSeq: 2 },
      { device: MONITOR_A, deviceSeq: 1 },
      { device: MONITOR_B, deviceSeq: 2 },
    ]);
  });

  it('the watermark is the end of the gap-free prefix, whatever the order and batching of arrival', async () => {
    const store = await open();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }).chain((n) =>
          fc.tuple(
            fc.shuffledSubarray(
              Array.from({ length: n }, (_, i) => i + 1),
              { minLength: 0, maxLength: n },
            ),
            fc.array(fc.boolean(), { minLength: n, maxLength: n }),
            fc.integer({ min: 1, max: 4 }),
          ),
        ),
        async ([arrivals, desk, batchSize]) => {
          // A device of its own per run, so one store serves every run.
          const device = deviceId(`prop-device-${String(++run).padStart(4, '0')}`);
          const caller: Caller = { device, role: 'monitor' };
          // Ops: creates of fresh reports (acknowledged) or desk ops (rejected): both are decisions.
          const ops = arrivals.map((s) => (desk[s - 1] ? op(device, s, 'desk', 'partners') : op(device, s, 'create', newId())));
          for (let i = 0; i < ops.length; i += batchSize) {
            await pushOps(store.db, { caller, ops: ops.slice(i, i + batchSize), now: NOW });
          }
          const held = new Set(arrivals);
          let expected = 0;
          while (held.has(expected + 1)) expected += 1;
          expect(await deviceWatermark(store.db, device)).toBe(expected);
        },
      ),
      { numRuns: dialect === 'sqlite' ? 200 : 40 },
    );
  });
});
