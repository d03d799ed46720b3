/**
 * Douglas–Peucker simplification of a polygon's rings, so a boundary layer published at survey
 * detail (megabytes of points) draws fast at the size of a screen. Pure; positions are `[lon, lat]`.
 */

export type Position = readonly [number, number];

/** Squared distance from `p` to the segment `a`–`b`. */
function segmentDistance2(p: Position, a: Position, b: Position): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2));
  const x = a[0] + t * dx - p[0];
  const y = a[1] + t * dy - p[1];
  return x * x + y * y;
}

/**
 * The points of an open line kept within `tolerance` of it: its ends always. A stack, not recursion:
 * a coastline of a hundred thousand points would overflow the call stack of a phone's browser.
 */
export function simplifyLine(points: readonly Position[], tolerance: number): Position[] {
  if (points.length <= 2) return [...points];
  const keep = new Uint8Array(points.length);
  keep[0] = 1;
  keep[points.length - 1] = 1;
  const tol2 = tolerance * tolerance;
  const stack: [number, number][] = [[0, points.length - 1]];
  while (stack.length > 0) {
    const [first, last] = stack.pop()!;
    let farthest = -1;
    let max = tol2;
    for (let i = first + 1; i < last; i++) {
      const d = segmentDistance2(points[i]!, points[first]!, points[last]!);
      if (d > max) [max, farthest] = [d, i];
    }
    if (farthest === -1) continue;
    keep[farthest] = 1;
    stack.push([first, farthest], [farthest, last]);
  }
  return points.filter((_, i) => keep[i] === 1);
}

/**
 * A closed ring (first position repeated last) simplified, still closed. It is cut at the point
 * farthest from its start, since both ends of a closed ring are one point and cannot anchor a line.
 * Undefined when nothing of the ring would be left: fewer than three distinct corners.
 */
export function simplifyRing(ring: readonly Position[], tolerance: number): Position[] | undefined {
  if (ring.length < 4) return undefined;
  const start = ring[0]!;
  let cut = 0;
  let max = -1;
  for (let i = 1; i < ring.length - 1; i++) {
    const d = (ring[i]![0] - start[0]) ** 2 + (ring[i]![1] - start[1]) ** 2;
    if (d > max) [max, cut] = [d, i];
  }
  const out = [...simplifyLine(ring.slice(0, cut + 1), tolerance), ...simplifyLine(ring.slice(cut), tolerance).slice(1)];
  return out.length >= 4 ? out : undefined;
}
