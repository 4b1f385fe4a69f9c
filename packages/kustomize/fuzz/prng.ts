/**
 * A small seeded PRNG (mulberry32) for the fuzzer: the same seed gives the same trees on every
 * machine and Node version, which fast-check's shrinking-oriented API would not make simpler here.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)] as T;
  }

  /** Up to `max` distinct elements, in list order. */
  some<T>(list: readonly T[], max = list.length, min = 0): T[] {
    const n = this.range(Math.min(min, list.length), Math.min(max, list.length));
    const chosen = new Set<number>();
    while (chosen.size < n) chosen.add(this.int(list.length));
    return [...chosen].sort((a, b) => a - b).map((i) => list[i] as T);
  }
}

/** The seed of tree `index` of a run: each tree is reproducible alone from (seed, index). */
export function treeSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
