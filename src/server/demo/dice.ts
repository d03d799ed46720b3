/**
 * The seeded dice the demo's invented data is drawn with: mulberry32, a small fast generator whose
 * sequence depends on its seed alone, so the same seed gives the same reports byte for byte.
 */
import type { RandomBytes } from '../../domain/ids.ts';

/** mulberry32, with the helpers the invented data draws with. */
export class Dice {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  float(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }
  between(min: number, max: number): number {
    return Math.floor(min + this.float() * (max - min));
  }
  chance(p: number): boolean {
    return this.float() < p;
  }
  pick = <T>(items: readonly T[]): T => items[Math.floor(this.float() * items.length)]!;
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let x = this.float() * items.reduce((s, [, w]) => s + w, 0);
    for (const [item, w] of items) if ((x -= w) < 0) return item;
    return items[items.length - 1]![0];
  }
  /** A count that is mostly small and now and then large, as counts of homes and families are. */
  skewed(min: number, max: number): number {
    return Math.round(min + (max - min) * this.float() ** 2.2);
  }
  bytes: RandomBytes = (n) => Uint8Array.from({ length: n }, () => Math.floor(this.float() * 256));
}
