/**
 * Hybrid logical clock. It orders versions for display and history only; it never decides which edit
 * survives, so a phone with a wrong clock overwrites no one. `now` is passed in.
 *
 * Encoded as `<ISO 8601 UTC>-<counter, 4 hex>-<node>`: fixed width, so string order is clock order.
 */
import { z } from 'zod/mini';

export interface Hlc {
  wall: number;
  counter: number;
  node: string;
}

/** How far a received clock may pull ours past the server's time. */
export const MAX_DRIFT_MS = 5 * 60 * 1000;
const MAX_COUNTER = 0xffff;
// Keeps toISOString at four-digit years, so the encoding stays fixed width.
const MAX_WALL = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export const hlcString = z
  .string()
  .check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z-[0-9a-f]{4}-[0-9a-z]{1,32}$/, { error: 'err.hlc.invalid' }));

export function nodeIdOf(deviceId: string): string {
  return (
    deviceId
      .toLowerCase()
      .replace(/[^0-9a-z]/g, '')
      .slice(0, 32) || '0'
  );
}

export function encodeHlc(c: Hlc): string {
  return `${new Date(c.wall).toISOString()}-${c.counter.toString(16).padStart(4, '0')}-${c.node}`;
}

export function decodeHlc(s: string): Hlc {
  const iso = s.slice(0, 24);
  const counter = parseInt(s.slice(25, 29), 16);
  return { wall: Date.parse(iso), counter, node: s.slice(30) };
}

function clampWall(ms: number): number {
  return Math.min(Math.max(0, Math.floor(ms)), MAX_WALL);
}

/** The clock for a local event: never earlier than anything this device has seen. */
export function tick(clock: Hlc, now: number): Hlc {
  const wall = Math.max(clock.wall, clampWall(now));
  if (wall === clock.wall) {
    // The counter overflowing means >65,535 events in one millisecond: borrow the next millisecond.
    if (clock.counter >= MAX_COUNTER) return { wall: wall + 1, counter: 0, node: clock.node };
    return { wall, counter: clock.counter + 1, node: clock.node };
  }
  return { wall, counter: 0, node: clock.node };
}

/**
 * Takes in a clock seen on a received op. The result stays monotonic, but a far-future remote clock
 * moves ours at most MAX_DRIFT_MS past `serverNow` (the server's time, or ours when there is none);
 * `clamped` says that happened, so the app can tell the monitor a clock is off.
 */
export function receive(clock: Hlc, remote: Hlc, now: number, serverNow: number = now): { clock: Hlc; clamped: boolean } {
  const bound = clampWall(serverNow + MAX_DRIFT_MS);
  const clamped = remote.wall > bound;
  const remoteWall = Math.min(remote.wall, bound);
  const local = clampWall(now);
  const wall = Math.max(clock.wall, remoteWall, local);
  let counter: number;
  if (wall === clock.wall && wall === remoteWall) counter = Math.max(clock.counter, remote.counter) + 1;
  else if (wall === clock.wall) counter = clock.counter + 1;
  else if (wall === remoteWall && !clamped) counter = remote.counter + 1;
  else counter = 0;
  if (counter > MAX_COUNTER) return { clock: { wall: wall + 1, counter: 0, node: clock.node }, clamped };
  return { clock: { wall, counter, node: clock.node }, clamped };
}
