// The generator's only source of randomness: mulberry32, seeded explicitly. No Math.random, no clock.

// Module-level aliases: under jest's vm sandbox every global lookup (Math, Number…) is slow.
const { floor, imul, min } = Math;

/** mulberry32: a small, fast 32-bit PRNG; returns floats in [0, 1). */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over the text, mixed with the numeric seed: a per-community seed. */
export function deriveSeed(seed: number, key: string): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  h = imul(h ^ floor(seed / 4294967296), 0x01000193) >>> 0;
  for (let i = 0; i < key.length; i++) {
    h = imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  }
  return h;
}

/** Convenience wrapper around a rng function. */
export class Dice {
  constructor(readonly next: () => number) {}

  /** Integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[floor(this.next() * items.length)];
  }

  /** Picks from [value, weight] pairs. */
  weighted<T>(pairs: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of pairs) total += w;
    let x = this.next() * total;
    for (const [v, w] of pairs) {
      x -= w;
      if (x < 0) return v;
    }
    return pairs[pairs.length - 1][0];
  }

  /** k distinct integers from [lo, hi], ascending. */
  distinctInts(lo: number, hi: number, k: number): number[] {
    const n = hi - lo + 1;
    const chosen = new Set<number>();
    while (chosen.size < min(k, n)) chosen.add(this.int(lo, hi));
    return [...chosen].sort((a, b) => a - b);
  }
}
