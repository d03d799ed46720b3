import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { MAX_DRIFT_MS, decodeHlc, encodeHlc, hlcString, nodeIdOf, receive, tick, type Hlc } from '../../src/domain/hlc.ts';

const T0 = Date.UTC(2025, 2, 8, 9, 30, 0, 0);
const MAX_WALL = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const MAX_COUNTER = 0xffff;

const nodeArb = fc.stringMatching(/^[0-9a-z]{1,32}$/);
const hlcArb: fc.Arbitrary<Hlc> = fc.record({
  wall: fc.integer({ min: 0, max: MAX_WALL }),
  counter: fc.integer({ min: 0, max: MAX_COUNTER }),
  node: nodeArb,
});
/** Clocks near each other, so equal walls and equal counters come up often. */
const nearHlcArb: fc.Arbitrary<Hlc> = fc.record({
  wall: fc.integer({ min: T0 - 3, max: T0 + 3 }),
  counter: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: MAX_COUNTER - 2, max: MAX_COUNTER })),
  node: fc.constantFrom('a', 'b', 'ab', 'phone1'),
});

function clockOrder(a: Hlc, b: Hlc): number {
  if (a.wall !== b.wall) return a.wall < b.wall ? -1 : 1;
  if (a.counter !== b.counter) return a.counter < b.counter ? -1 : 1;
  return a.node < b.node ? -1 : a.node > b.node ? 1 : 0;
}
const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const later = (a: Hlc, b: Hlc) => clockOrder(a, b) > 0;

describe('encoding', () => {
  test('a clock is written as UTC time, a four-digit hex counter and the node', () => {
    expect(encodeHlc({ wall: T0, counter: 26, node: 'phone1' })).toBe('2025-03-08T09:30:00.000Z-001a-phone1');
  });

  test('every encoding has the same width up to the node, and passes the op schema', () => {
    fc.assert(
      fc.property(hlcArb, (c) => {
        const s = encodeHlc(c);
        expect(s.length - c.node.length).toBe(30);
        expect(hlcString.safeParse(s).success).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test('sorting encodings as strings is sorting clocks', () => {
    fc.assert(
      fc.property(fc.oneof(hlcArb, nearHlcArb), fc.oneof(hlcArb, nearHlcArb), (a, b) => {
        expect(sign(cmp(encodeHlc(a), encodeHlc(b)))).toBe(sign(clockOrder(a, b)));
      }),
      { numRuns: 500 },
    );
  });

  test('a clock in the year 2000 sorts before one in 2025 although the counter is higher', () => {
    const old = encodeHlc({ wall: Date.UTC(2000, 0, 1), counter: MAX_COUNTER, node: 'z' });
    const recent = encodeHlc({ wall: T0, counter: 0, node: 'a' });
    expect(old < recent).toBe(true);
  });

  test('decoding an encoded clock gives the same clock back', () => {
    fc.assert(
      fc.property(hlcArb, (c) => {
        expect(decodeHlc(encodeHlc(c))).toEqual(c);
      }),
      { numRuns: 300 },
    );
  });

  test('a device id becomes a node of lower-case letters and digits', () => {
    expect(nodeIdOf('Dev-Phone_01')).toBe('devphone01');
    expect(nodeIdOf('---')).toBe('0');
    expect(nodeIdOf('A'.repeat(64))).toHaveLength(32);
  });
});

describe('tick', () => {
  test('a first event takes the wall clock with counter zero', () => {
    expect(tick({ wall: 0, counter: 0, node: 'a' }, T0)).toEqual({ wall: T0, counter: 0, node: 'a' });
  });

  test('two events in the same millisecond are told apart by the counter', () => {
    const a = tick({ wall: 0, counter: 0, node: 'a' }, T0);
    const b = tick(a, T0);
    expect(b).toEqual({ wall: T0, counter: 1, node: 'a' });
  });

  test('when the phone clock is set back an hour, the next event still comes after the last', () => {
    const before = tick({ wall: 0, counter: 0, node: 'a' }, T0);
    const after = tick(before, T0 - 3_600_000);
    expect(after).toEqual({ wall: T0, counter: 1, node: 'a' });
    expect(encodeHlc(after) > encodeHlc(before)).toBe(true);
  });

  test('a full counter borrows the next millisecond', () => {
    expect(tick({ wall: T0, counter: MAX_COUNTER, node: 'a' }, T0)).toEqual({ wall: T0 + 1, counter: 0, node: 'a' });
    expect(tick({ wall: T0, counter: MAX_COUNTER, node: 'a' }, T0 - 50)).toEqual({ wall: T0 + 1, counter: 0, node: 'a' });
  });

  test('whatever the wall clock does, every event is later than the one before', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: T0 - 10, max: T0 + 10 }), fc.integer({ min: 0, max: MAX_WALL - 1000 })), {
          minLength: 1,
          maxLength: 40,
        }),
        (nows) => {
          let clock: Hlc = { wall: 0, counter: 0, node: 'a' };
          for (const now of nows) {
            const next = tick(clock, now);
            expect(later(next, clock)).toBe(true);
            expect(encodeHlc(next) > encodeHlc(clock)).toBe(true);
            expect(next.wall).toBeGreaterThanOrEqual(now);
            clock = next;
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('receive', () => {
  const local: Hlc = { wall: T0, counter: 4, node: 'mine' };

  test('a remote clock slightly ahead moves ours past it', () => {
    const remote: Hlc = { wall: T0 + 2_000, counter: 7, node: 'theirs' };
    expect(receive(local, remote, T0)).toEqual({ clock: { wall: T0 + 2_000, counter: 8, node: 'mine' }, clamped: false });
  });

  test('a remote clock behind ours only advances our counter', () => {
    const remote: Hlc = { wall: T0 - 60_000, counter: 99, node: 'theirs' };
    expect(receive(local, remote, T0 - 5)).toEqual({ clock: { wall: T0, counter: 5, node: 'mine' }, clamped: false });
  });

  test('equal walls take the larger counter plus one', () => {
    const remote: Hlc = { wall: T0, counter: 40, node: 'theirs' };
    expect(receive(local, remote, T0).clock).toEqual({ wall: T0, counter: 41, node: 'mine' });
  });

  test('a remote clock a year ahead moves ours only five minutes past the server time, and says so', () => {
    const remote: Hlc = { wall: T0 + 365 * 86_400_000, counter: 3, node: 'wrong' };
    const serverNow = T0 + 1_000;
    const r = receive(local, remote, T0, serverNow);
    expect(r.clamped).toBe(true);
    expect(r.clock.wall).toBe(serverNow + MAX_DRIFT_MS);
    expect(later(r.clock, local)).toBe(true);
  });

  test('without a server time, the bound is five minutes past our own time', () => {
    const remote: Hlc = { wall: T0 + 86_400_000, counter: 0, node: 'wrong' };
    const r = receive(local, remote, T0);
    expect(r).toEqual({ clock: { wall: T0 + MAX_DRIFT_MS, counter: 0, node: 'mine' }, clamped: true });
  });

  test('a remote clock exactly five minutes ahead is accepted without a warning', () => {
    const remote: Hlc = { wall: T0 + MAX_DRIFT_MS, counter: 0, node: 'theirs' };
    expect(receive(local, remote, T0)).toEqual({ clock: { wall: T0 + MAX_DRIFT_MS, counter: 1, node: 'mine' }, clamped: false });
  });

  test('a full counter on receive borrows the next millisecond', () => {
    const remote: Hlc = { wall: T0, counter: MAX_COUNTER, node: 'theirs' };
    expect(receive(local, remote, T0).clock).toEqual({ wall: T0 + 1, counter: 0, node: 'mine' });
  });

  test('received clocks never move ours backwards, and stay within five minutes of the server', () => {
    fc.assert(
      fc.property(
        fc.oneof(nearHlcArb, hlcArb),
        fc.oneof(nearHlcArb, hlcArb),
        fc.integer({ min: T0 - 10, max: T0 + 10 }),
        fc.integer({ min: T0 - 600_000, max: T0 + 600_000 }),
        (clock, remote, now, serverNow) => {
          const { clock: next, clamped } = receive(clock, remote, now, serverNow);
          const bound = serverNow + MAX_DRIFT_MS;
          expect(next.node).toBe(clock.node);
          expect(later(next, clock)).toBe(true);
          expect(next.wall).toBeGreaterThanOrEqual(now);
          expect(clamped).toBe(remote.wall > bound);
          if (!clamped) expect(later({ ...next, node: '' }, { ...remote, node: '' })).toBe(true);
          // the only way past the bound is a clock already there, or the millisecond a full counter borrows
          const ceiling = Math.max(clock.wall, now, bound);
          expect(next.wall).toBeLessThanOrEqual(ceiling + 1);
          if (next.wall > ceiling) expect(next.counter).toBe(0);
        },
      ),
      { numRuns: 500 },
    );
  });

  test('a chain of ticks and receives is strictly increasing', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant('tick' as const), now: fc.integer({ min: T0 - 5, max: T0 + 5 }) }),
            fc.record({
              kind: fc.constant('receive' as const),
              now: fc.integer({ min: T0 - 5, max: T0 + 5 }),
              remote: fc.oneof(nearHlcArb, hlcArb),
            }),
          ),
          { maxLength: 30 },
        ),
        (events) => {
          let clock: Hlc = { wall: 0, counter: 0, node: 'mine' };
          for (const e of events) {
            const next = e.kind === 'tick' ? tick(clock, e.now) : receive(clock, e.remote, e.now).clock;
            expect(encodeHlc(next) > encodeHlc(clock)).toBe(true);
            clock = next;
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
