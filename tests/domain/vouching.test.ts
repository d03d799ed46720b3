/**
 * The vouching rule on its own: which ops from before the root a set of vouchings lets in, as the
 * trusted roster names coordinators (docs/security.md, step 6), and the proof hash it lists them by.
 */
import { describe, expect, test } from 'vitest';
import type { DeviceId } from '../../src/domain/ids.ts';
import { proofHash, vouchedOps, vouchKey, type Vouching } from '../../src/domain/vouching.ts';
import { deviceId, opId } from '../ids.ts';

const COORDINATOR = deviceId('coordinator-1');
const REVOKED = deviceId('coordinator-2');
const MONITOR = deviceId('monitor-0001');
const OTHER = deviceId('monitor-0002');
const hash = (n: number) => `${String(n).padStart(2, '0')}${'a'.repeat(41)}`;

/** The coordinator stands throughout; the second coordinator only up to its cut-off at 5. */
const isCoordinatorAt = (device: DeviceId, deviceSeq: number) => device === COORDINATOR || (device === REVOKED && deviceSeq <= 5);

let seq = 0;
const vouching = (author: DeviceId, deviceSeq: number, vouched: string[], countersigned: string[] = []): Vouching => ({
  opId: opId(`0190a1b2-0000-7000-8000-${String(++seq).padStart(12, '0')}`),
  author,
  deviceSeq,
  hash: hash(50 + seq),
  vouched,
  countersigned,
});

describe('vouched ops', () => {
  test("a monitor's vouching counts only once a coordinator countersigned it, and only for that monitor's ops", () => {
    const own = vouching(MONITOR, 3, [hash(1), hash(2)]);
    expect(vouchedOps([own], isCoordinatorAt).size).toBe(0);
    const countersigned = vouchedOps([own, vouching(COORDINATOR, 9, [], [own.hash])], isCoordinatorAt);
    expect([...countersigned].sort()).toEqual([vouchKey(MONITOR, hash(1)), vouchKey(MONITOR, hash(2))]);
    expect(countersigned.has(vouchKey(OTHER, hash(1)))).toBe(false);
  });

  test("a coordinator's own vouching counts at once; a countersignature by a monitor, or by a coordinator after its cut-off, counts for nothing", () => {
    const monitors = vouching(MONITOR, 3, [hash(1)]);
    expect([...vouchedOps([vouching(COORDINATOR, 4, [hash(3)])], isCoordinatorAt)]).toEqual([vouchKey(COORDINATOR, hash(3))]);
    expect(vouchedOps([monitors, vouching(OTHER, 7, [], [monitors.hash])], isCoordinatorAt).size).toBe(0);
    expect(vouchedOps([monitors, vouching(REVOKED, 6, [], [monitors.hash])], isCoordinatorAt).size).toBe(0);
    expect(vouchedOps([monitors, vouching(REVOKED, 5, [], [monitors.hash])], isCoordinatorAt).size).toBe(1);
  });

  test('the proof hash covers the op as served, without its outer signature, and changes with any byte of it', async () => {
    const op = {
      v: 1,
      id: '0190a1b2-0000-7000-8000-000000000001',
      kind: 'create',
      reportId: 'r',
      device: MONITOR,
      deviceSeq: 1,
      body: '{}',
    };
    const h = await proofHash(op);
    expect(h).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await proofHash({ ...op, osig: 'x'.repeat(86) })).toBe(h);
    expect(await proofHash({ ...op, body: '{ }' })).not.toBe(h);
    expect(await proofHash({ ...op, deviceSeq: 2 })).not.toBe(h);
    expect(await proofHash({ ...op, sig: 's' })).not.toBe(h);
  });
});
