/**
 * Rate limits in memory: a token bucket per key (a device id, or a client address), refilled
 * continuously at `perMinute` tokens a minute and holding at most `perMinute`, so a device may
 * burst a minute's worth and then goes at the steady rate. The clock is passed in so tests are
 * exact. Memory is bounded: a bucket that would be full again is the same as no bucket and is
 * dropped, and past `maxKeys` the least recently used keys go first.
 *
 * Addresses live here only as Map keys, for as long as their bucket matters; nothing writes them
 * anywhere. Each server process counts on its own: several processes behind one proxy each allow
 * the full rate.
 */
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { ApiError } from './errors.ts';

export interface Bucket {
  tokens: number;
  at: number;
}

export type Taken = { ok: true } | { ok: false; retryAfterSeconds: number };

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private lastSweep: number;

  constructor(
    readonly perMinute: number,
    private readonly now: () => number,
    private readonly maxKeys = 10_000,
  ) {
    if (!(perMinute > 0)) throw new Error('perMinute must be positive');
    this.perMs = perMinute / 60_000;
    this.lastSweep = now();
  }

  /** Takes one token for `key`; when none is left, says in how many whole seconds one will be. */
  take(key: string): Taken {
    const now = this.now();
    this.sweep(now);
    const bucket = this.refilled(key, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.store(key, bucket);
      return { ok: true };
    }
    this.store(key, bucket);
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000)) };
  }

  /** How many keys are held; for tests of the memory bound. */
  get size(): number {
    return this.buckets.size;
  }

  private refilled(key: string, now: number): Bucket {
    const held = this.buckets.get(key);
    if (!held) return { tokens: this.perMinute, at: now };
    // A clock that steps back must not mint tokens, nor take them.
    const elapsed = Math.max(0, now - held.at);
    return { tokens: Math.min(this.perMinute, held.tokens + elapsed * this.perMs), at: Math.max(now, held.at) };
  }

  private store(key: string, bucket: Bucket): void {
    // Delete then set: Map keeps insertion order, so the first key is the least recently used.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    while (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
  }

  /** At most once a minute: drop every bucket that has refilled, since a full bucket is no bucket. */
  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.perMs >= this.perMinute) this.buckets.delete(key);
    }
  }
}

export class RateLimitedError extends ApiError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, 'rate_limited', `Too many requests; retry in ${retryAfterSeconds} s.`);
  }
}

/** Throws a 429 when `key` has no token left. */
export function takeOrRefuse(limiter: RateLimiter | undefined, key: string): void {
  if (!limiter) return;
  const taken = limiter.take(key);
  if (!taken.ok) throw new RateLimitedError(taken.retryAfterSeconds);
}

/**
 * The client's address, for rate limits only. With `trustProxy`, the last `X-Forwarded-For` entry,
 * the one the deployment's own proxy appended (entries before it are whatever the client sent).
 * Requests made in process (tests) have no socket and share one key.
 */
export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('X-Forwarded-For');
    const last = forwarded?.split(',').at(-1)?.trim();
    if (last) return last;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The limits the API applies; absent ones do not limit. */
export interface RequestLimits {
  /** Per enrolled device, on every authenticated request. */
  device?: RateLimiter;
  /** Per client address, on enrollment and on every request whose token is missing or refused. */
  address?: RateLimiter;
  /** Read the address from the proxy's `X-Forwarded-For` (TRUST_PROXY=1). */
  trustProxy?: boolean;
}
