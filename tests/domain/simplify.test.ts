import { describe, expect, test } from 'vitest';
import { simplifyLine, simplifyRing, type Position } from '../../src/domain/simplify.ts';

describe('Douglas–Peucker simplification', () => {
  test('points within the tolerance of a straight line are dropped, its ends kept', () => {
    const line: Position[] = [
      [0, 0],
      [1, 0.01],
      [2, -0.01],
      [3, 0],
    ];
    expect(simplifyLine(line, 0.1)).toEqual([
      [0, 0],
      [3, 0],
    ]);
  });

  test('a corner farther than the tolerance stays', () => {
    const line: Position[] = [
      [0, 0],
      [1, 0.5],
      [2, 1],
      [3, 0],
    ];
    expect(simplifyLine(line, 0.1)).toEqual([
      [0, 0],
      [2, 1],
      [3, 0],
    ]);
  });

  test('a square drawn with many points on each side comes back as its four corners, still closed', () => {
    const side = (from: Position, to: Position): Position[] =>
      Array.from({ length: 50 }, (_, i): Position => [from[0] + ((to[0] - from[0]) * i) / 50, from[1] + ((to[1] - from[1]) * i) / 50]);
    const ring = [...side([0, 0], [1, 0]), ...side([1, 0], [1, 1]), ...side([1, 1], [0, 1]), ...side([0, 1], [0, 0]), [0, 0] as Position];
    const out = simplifyRing(ring, 0.01)!;
    expect(out).toHaveLength(5);
    expect(out[0]).toEqual(out[out.length - 1]);
    expect(new Set(out.map((p) => p.join(',')))).toEqual(new Set(['0,0', '1,0', '1,1', '0,1']));
  });

  test('a ring thinner than the tolerance is flattened away', () => {
    const sliver: Position[] = [
      [0, 0],
      [1, 0.001],
      [2, 0],
      [1, -0.001],
      [0, 0],
    ];
    expect(simplifyRing(sliver, 0.1)).toBeUndefined();
    expect(simplifyRing(sliver, 0.0001)).toHaveLength(5);
  });

  test('an arc of a hundred thousand points is simplified without overflowing the stack', () => {
    const arc = Array.from({ length: 100_000 }, (_, i): Position => [Math.cos((i / 100_000) * Math.PI), Math.sin((i / 100_000) * Math.PI)]);
    const out = simplifyLine(arc, 0.001);
    expect(out.length).toBeGreaterThan(10);
    expect(out.length).toBeLessThan(200);
    expect(out[0]).toEqual(arc[0]);
    expect(out[out.length - 1]).toEqual(arc[arc.length - 1]);
  });
});
